using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime;
using Pact.Core.Contracts.Responses;
using Pact.Core.Negotiation;
using Pact.Core.Time;
using Pact.Store;

namespace Pact.Daemon.Application;

/// <summary>
/// Snapshots of the decision state, so that a start folds only the events after the latest one instead of the whole
/// log (ADR 0004 keeps the fold the source of truth). A snapshot is trusted for a start only when its row carries the
/// store's seal, its body hashes to the hash beside it, its format is this build's, and the event it ends at is, by seq
/// and hash, the one in the log ("checked by hash"); anything else and the start folds the whole log. After such a
/// start the whole log is folded again in the background (<see cref="VerifyStartAsync"/>, run by the auditor) and
/// compared with the snapshot record for record; a session that differs is quarantined, and
/// <see cref="Verified"/> completes only then, so the deadline timer fires nothing from an unchecked state.
/// New snapshots are folded on from the last state known to be what the log gives, never from an unchecked one.
/// </summary>
public sealed class StateSnapshots(IPactStore store, TranscriptQuarantine quarantine, TimeProvider time, ILogger<StateSnapshots> logger) : IDisposable
{
    /// <summary>The check name of a session whose snapshot state is not what its events give.</summary>
    public const string SnapshotCheck = "snapshot";

    private readonly TaskCompletionSource _verified = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _writing = new(1, 1);
    private StateSnapshot? _startedFrom;
    private StateSnapshot? _base;
    private long _storedThroughSeq = -1;

    /// <summary>Completes once the state the daemon started from is known to be what the whole log gives (or was quarantined where not).</summary>
    public Task Verified => _verified.Task;

    /// <summary>How the last start went: the seq of the snapshot it started from (null: the whole log) and how many events it folded.</summary>
    public (long? SnapshotSeq, long EventsFolded) Start { get; private set; }

    /// <summary>The seq the last verified state covers, or -1 when there is none to fold on from.</summary>
    public long BaseThroughSeq => Volatile.Read(ref _base)?.ThroughSeq ?? -1;

    /// <summary>Whether the stored snapshot is the last verified state (nothing to write until events are appended).</summary>
    public bool IsStoredCurrent => _storedThroughSeq == BaseThroughSeq;

    /// <summary>The stored snapshot, if it passes every check against the store and the log; null (and why, logged) when the start must fold the whole log.</summary>
    public async Task<StateSnapshot?> LoadAsync(CancellationToken ct)
    {
        StoredStateSnapshot? stored;
        try
        {
            stored = await store.StateSnapshots.LatestAsync(ct);
        }
        catch (TranscriptIntegrityException e)
        {
            logger.LogWarning("The stored state snapshot is not used: {Reason} The whole log is folded instead.", e.Message);
            return null;
        }
        if (stored is null) return null;
        var (snapshot, why) = await CheckAsync(stored, ct);
        if (why is not null)
        {
            // Left as stored: the next write replaces it.
            logger.LogWarning("The state snapshot through seq {Seq} is not used: {Reason}. The whole log is folded instead.", stored.ThroughSeq, why);
            return null;
        }
        _storedThroughSeq = stored.ThroughSeq;
        return snapshot;
    }

    private async Task<(StateSnapshot? Snapshot, string? Why)> CheckAsync(StoredStateSnapshot stored, CancellationToken ct)
    {
        if (stored.Format != StateSnapshot.FormatVersion) return (null, $"its format {stored.Format} is not {StateSnapshot.FormatVersion}, the one this build reads");
        if (!Decode(stored.Body, out var snapshot, out var why)) return (null, why);
        if (snapshot!.ThroughSeq != stored.ThroughSeq || snapshot.EventHash != stored.EventHash) return (null, "its body covers another event than its row names");
        if (snapshot.ThroughSeq > store.HeadSeq) return (null, $"it covers seq {snapshot.ThroughSeq} but the log ends at {store.HeadSeq}");
        var rows = await store.ReadRowsAsync(snapshot.ThroughSeq - 1, 1, ct);
        if (rows.Count == 0 || rows[0].Seq != snapshot.ThroughSeq || rows[0].Hash != snapshot.EventHash)
            return (null, $"the log's event at seq {snapshot.ThroughSeq} is not the one it was taken after");
        return (snapshot, null);
    }

    /// <summary>The body size from which a decode runs in a no-GC region (see <see cref="Decode"/>).</summary>
    private const int NoGCRegionFrom = 8 << 20;

    /// <summary>
    /// Decodes a snapshot's body in a no-GC region: the decode allocates the whole state at once (about 2.3 times the
    /// body) and all of it lives on, so a collection during it would free nothing and take a core from the decode
    /// (ADR 0017). The region is sized at four times the body; past it, or where the runtime refuses one, the decode
    /// runs with collections as usual (the region is the process's: in tests several daemons share one). A body under
    /// <see cref="NoGCRegionFrom"/> decodes in milliseconds and is decoded as usual: starting a region begins with a
    /// full blocking collection, which in a process already holding much (a test run's) costs more than it saves.
    /// </summary>
    private static bool Decode(byte[] body, out StateSnapshot? snapshot, out string? why)
    {
        bool region;
        try
        {
            // Starting one collects first: worth it only for a body whose decode would trigger collections itself.
            region = body.Length >= NoGCRegionFrom && GC.TryStartNoGCRegion(Math.Min(4L * body.Length, 1L << 30));
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or InvalidOperationException)
        {
            region = false; // larger than this runtime allows, or another start in this process holds one (tests)
        }
        try
        {
            return StateSnapshot.TryDecode(body, out snapshot, out why);
        }
        finally
        {
            if (region) EndNoGCRegion();
        }
    }

    private static void EndNoGCRegion()
    {
        try
        {
            if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        }
        catch (InvalidOperationException)
        {
            // A collection ended it first (more was allocated than its size, in this start or beside it).
        }
    }

    /// <summary>Records how the start went: from <paramref name="from"/> (to be verified) or from the whole log (verified by its fold).</summary>
    public void Started(StateSnapshot? from, ReplayResult replay)
    {
        ArgumentNullException.ThrowIfNull(replay);
        var clean = replay.Findings.IsClean ? replay.ToSnapshot() : null;
        _startedFrom = from;
        Start = (from?.ThroughSeq, replay.Events);
        Volatile.Write(ref _base, clean);
        if (from is null) _verified.TrySetResult();
    }

    /// <summary>
    /// After a start from a snapshot: folds the whole log up to the snapshot's seq and compares the result with it.
    /// What differs, or is broken in that history, is quarantined (commands on those sessions answer 500 PACT-401)
    /// and the stored snapshot is removed, so the next start folds the whole log. Returns what was found.
    /// </summary>
    public async Task<ReplayFindings> VerifyStartAsync(CancellationToken ct)
    {
        if (_startedFrom is not { } from) return ReplayFindings.Clean;
        var started = Stopwatch.GetTimestamp();
        var findings = ReplayFindings.Clean;
        try
        {
            var full = await TranscriptReplay.RunAsync(store, null, from.ThroughSeq, ct);
            var replayed = new StateSnapshot(full.ThroughSeq, full.LastHash ?? "", full.State, full.Heads);
            var (sessions, global) = StateSnapshot.Differences(replayed, from);
            findings = full.Findings.And(ToFindings(sessions, global, replayed.State, from.ThroughSeq));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            logger.LogError(e, "The state snapshot could not be checked against the log");
            findings = new ReplayFindings($"The state snapshot the daemon started from could not be checked against the log ({e.GetType().Name}: {e.Message}).",
                ReplayFindings.Clean.Sessions, ReplayFindings.Clean.Compacts);
        }
        finally
        {
            _startedFrom = null;
        }
        if (findings.IsClean)
        {
            logger.LogInformation("The state snapshot through seq {Seq} is what the log gives (checked in {Seconds:F1} s)", from.ThroughSeq, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        else
        {
            Volatile.Write(ref _base, null);
            quarantine.AddReplay(findings);
            await store.StateSnapshots.DeleteAllAsync(ct);
        }
        _verified.TrySetResult();
        return findings;
    }

    private static ReplayFindings ToFindings(ImmutableSortedSet<string> sessions, bool global, NegotiationState state, long throughSeq)
    {
        if (sessions.IsEmpty && !global) return ReplayFindings.Clean;
        var failures = sessions.ToImmutableSortedDictionary(s => s, _ => new VerificationFailure(0, 0, SnapshotCheck,
            "Its state in the snapshot the daemon started from is not what its events give."), StringComparer.Ordinal);
        var compacts = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var p in state.Proposals.Values.Where(p => sessions.Contains(p.SessionId))) compacts.TryAdd(p.CompactId, p.SessionId);
        foreach (var c in state.Compacts.Values.Where(c => sessions.Contains(c.SessionId))) compacts.TryAdd(c.CompactId, c.SessionId);
        return new ReplayFindings(global ? $"The state snapshot through seq {throughSeq} the daemon started from is not what the log gives." : null,
            failures, compacts.ToImmutable());
    }

    /// <summary>
    /// Folds the events after the last verified state and stores the result as the new snapshot. Does nothing before
    /// the start was verified, when nothing verified is left to fold on from, or when the stored snapshot is current;
    /// true when it wrote one.
    /// </summary>
    public async Task<bool> WriteAsync(CancellationToken ct)
    {
        await _writing.WaitAsync(ct);
        try
        {
            if (!Verified.IsCompleted || Volatile.Read(ref _base) is not { } from) return false;
            if (store.HeadSeq == 0 || (store.HeadSeq == from.ThroughSeq && _storedThroughSeq == from.ThroughSeq)) return false;
            var started = Stopwatch.GetTimestamp();
            var replay = await TranscriptReplay.RunAsync(store, from, long.MaxValue, ct);
            if (!replay.Findings.IsClean)
            {
                logger.LogWarning("No state snapshot is written: the events after seq {Seq} do not fold cleanly", from.ThroughSeq);
                Volatile.Write(ref _base, null);
                return false;
            }
            var next = replay.ToSnapshot();
            var body = next.Encode();
            await store.StateSnapshots.SaveAsync(new StoredStateSnapshot(next.ThroughSeq, next.EventHash, StateSnapshot.FormatVersion, body,
                StateSnapshot.HashOf(body), Timestamp.ToText(time.GetUtcNow())), ct);
            Volatile.Write(ref _base, next);
            _storedThroughSeq = next.ThroughSeq;
            logger.LogInformation("State snapshot written through seq {Seq} ({Bytes} bytes, {Events} events folded on) in {Seconds:F2} s",
                next.ThroughSeq, body.Length, replay.Events, Stopwatch.GetElapsedTime(started).TotalSeconds);
            return true;
        }
        finally
        {
            _writing.Release();
        }
    }

    public void Dispose() => _writing.Dispose();
}
