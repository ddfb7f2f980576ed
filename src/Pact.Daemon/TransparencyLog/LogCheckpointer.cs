using Pact.Core.TransparencyLog;
using Pact.Core.Time;
using Pact.Daemon.Hosting;
using Pact.Store;

namespace Pact.Daemon.TransparencyLog;

/// <summary>
/// Signs the log (§9): every second, when events arrived since the last checkpoint, a C2SP note over the
/// new tree size and root, under the daemon's origin and key; and at once when a caller needs a checkpoint
/// that covers newer events (export, verify). Each new checkpoint is first proved consistent with the
/// previous one — an append-only log can only grow — and one that is not is refused and logged.
/// </summary>
public sealed class LogCheckpointer(IPactStore store, DaemonIdentity identity, DataDirectory data, TimeProvider time, ILogger<LogCheckpointer> logger) : BackgroundService
{
    /// <summary>How often the log is checkpointed while it grows.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private SignedLogCheckpoint? _latest;
    private long _refusedAt = -1;

    /// <summary>The newest signed checkpoint, or null before the first.</summary>
    public async Task<SignedLogCheckpoint?> LatestAsync(CancellationToken ct) =>
        Volatile.Read(ref _latest) ?? await store.LatestLogCheckpointAsync(ct);

    /// <summary>
    /// The newest checkpoint if it covers at least <paramref name="minTreeSize"/> events, else a new one signed
    /// now. The result can still be smaller when the log refused to checkpoint (see the error log) — callers check.
    /// </summary>
    public async Task<SignedLogCheckpoint?> EnsureAsync(long minTreeSize, CancellationToken ct)
    {
        var latest = await LatestAsync(ct);
        return latest is not null && latest.TreeSize >= minTreeSize ? latest : await CheckpointAsync(ct);
    }

    /// <summary>Signs a checkpoint of the committed head when it is newer than the latest one; returns the latest either way.</summary>
    public async Task<SignedLogCheckpoint?> CheckpointAsync(CancellationToken ct)
    {
        if (store is ISharedStore { IsWriter: false }) return await WritersCheckpointAsync(store.HeadSeq, ct);
        await _gate.WaitAsync(ct);
        try
        {
            var previous = Volatile.Read(ref _latest) ?? await store.LatestLogCheckpointAsync(ct);
            var size = store.HeadSeq;
            if (size == 0 || (previous is not null && previous.TreeSize >= size))
            {
                Volatile.Write(ref _latest, previous);
                return previous;
            }
            var root = await store.RootAsync(size, ct);
            if (previous is not null && !IsConsistent(previous, size, root, await ProofFromAsync(previous, size, ct)))
                return previous;
            // Recorded before anything is signed, so no checkpoint exists that the record does not cover.
            data.RecordSignedTreeSize(size);
            var note = SignedNote.Sign(identity.Origin, size, root, identity.Key);
            var checkpoint = new SignedLogCheckpoint(size, root, note, Timestamp.ToText(time.GetUtcNow()));
            await store.SaveLogCheckpointAsync(checkpoint, ct);
            Volatile.Write(ref _latest, checkpoint);
            return checkpoint;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// On a standby (ADR 0013) the writer alone signs: its checkpoint covering <paramref name="size"/>, waited for up to a
    /// few of its intervals, else the newest there is (callers check the size).
    /// </summary>
    private async Task<SignedLogCheckpoint?> WritersCheckpointAsync(long size, CancellationToken ct)
    {
        var latest = await store.LatestLogCheckpointAsync(ct);
        for (var waited = TimeSpan.Zero; (latest?.TreeSize ?? 0) < size && waited < 5 * Interval; waited += StandbyPoll)
        {
            await Task.Delay(StandbyPoll, ct);
            latest = await store.LatestLogCheckpointAsync(ct);
        }
        return latest;
    }

    private static readonly TimeSpan StandbyPoll = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await CheckpointAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Signing a log checkpoint failed; trying again in {Interval}", Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>On a graceful stop, the events of the last second are checkpointed too.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await CheckpointAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "The final log checkpoint at shutdown failed");
        }
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    private async Task<IReadOnlyList<byte[]>?> ProofFromAsync(SignedLogCheckpoint previous, long size, CancellationToken ct)
    {
        try
        {
            return await store.ConsistencyProofAsync(previous.TreeSize, size, ct);
        }
        catch (Exception e) when (e is TranscriptIntegrityException or ArgumentOutOfRangeException)
        {
            logger.LogError(e, "No consistency proof from the checkpoint of size {Previous} to {Size}", previous.TreeSize, size);
            return null;
        }
    }

    /// <summary>
    /// The previous note must still open with our key, and the stored tree at <paramref name="size"/> must extend
    /// the tree it signed. Otherwise the stored tree was altered: say so once per head, and sign nothing.
    /// </summary>
    private bool IsConsistent(SignedLogCheckpoint previous, long size, byte[] root, IReadOnlyList<byte[]>? proof)
    {
        string? why = null;
        if (!LogCheckpoint.TryOpen(previous.Note, identity.Origin, identity.Key.PublicKey, out var signed, out var error))
            why = $"the stored checkpoint of size {previous.TreeSize} does not open with the daemon key and origin ({error})";
        else if (signed.TreeSize != previous.TreeSize)
            why = $"the stored checkpoint row says size {previous.TreeSize} but its note signs size {signed.TreeSize}";
        else if (proof is null || !MerkleVerifier.VerifyConsistency(signed.TreeSize, size, signed.RootHash, root, proof))
            why = $"the tree of size {size} does not extend the signed tree of size {signed.TreeSize}";
        if (why is null) return true;
        if (Interlocked.Exchange(ref _refusedAt, size) != size)
            logger.LogError("Refusing to sign a log checkpoint of size {Size}: {Reason}. The transcript or its Merkle tree was altered.", size, why);
        return false;
    }
}
