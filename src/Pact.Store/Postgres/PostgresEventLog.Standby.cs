using Npgsql;
using Microsoft.Extensions.Logging;
using Pact.Core.Events;
using Pact.Store.GroupCommit;

namespace Pact.Store.Postgres;

// Standby (ADR 0013): an instance opened while another holds the writer role follows the log and takes the role when
// it becomes free, after reading every event the previous writer committed.
internal sealed partial class PostgresEventLog
{
    private readonly TaskCompletionSource _becameWriter = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopStandby = new();
    private Func<PostgresAppendContext, object?>? _firstWriteAsWriter;
    private PostgresLogFollower? _follower;
    private Task _takeOver = Task.CompletedTask;
    private int _following;
    private string? _superseded;

    /// <summary>Completes once this instance holds the writer role and takes appends (at open, or when it took over).</summary>
    public Task BecameWriter => _becameWriter.Task;

    public bool IsWriter => _becameWriter.Task.IsCompletedSuccessfully;

    /// <summary>Raised on a standby with each page of events another instance committed, in seq order, before <see cref="Committed"/>.</summary>
    public event Action<IReadOnlyList<TranscriptEvent>>? Followed;

    private void OpenAsStandby(Func<PostgresAppendContext, object?>? firstWrite)
    {
        _firstWriteAsWriter = firstWrite;
        Volatile.Write(ref _headSeq, PostgresSchema.ScalarLong(_writer!, null, "SELECT COALESCE(MAX(seq), 0) FROM events;"));
        Volatile.Write(ref _open, 1);
    }

    /// <summary>
    /// On a standby: raises every event after <paramref name="afterSeq"/> (what the caller's state already holds) as it is
    /// committed, and tries the writer role every <see cref="PostgresStoreOptions.TakeOverInterval"/>. Nothing on a writer.
    /// </summary>
    public void Follow(long afterSeq)
    {
        if (IsWriter || Interlocked.Exchange(ref _following, 1) != 0) return;
        _follower = new PostgresLogFollower(_options.ConnectionString, afterSeq, _options.TakeOverInterval, _logger);
        _follower.Committed += RaiseFollowed;
        _follower.Start();
        _takeOver = Task.Run(() => TakeOverLoopAsync(_stopStandby.Token));
    }

    private void RaiseFollowed(IReadOnlyList<TranscriptEvent> events)
    {
        Volatile.Write(ref _headSeq, events[^1].Seq);
        CommittedHandlers.Raise(Followed, events, _logger);
        CommittedHandlers.Raise(Committed, events, _logger);
    }

    private async Task TakeOverLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                _writer ??= await OpenWriterSessionAsync(ct).ConfigureAwait(false);
                if (await TryLockAsync(_writer, ct).ConfigureAwait(false))
                {
                    await BecomeWriterAsync(ct).ConfigureAwait(false);
                    return;
                }
            }
            catch (Exception e) when (IsWriterRoleHeld(e))
            {
                // Holding the role without being able to write would stop every instance: give it up, stay a standby.
                _logger.LogCritical(e, "The standby took the writer role but could not start writing; giving the role up");
                await _writer!.DisposeAsync().ConfigureAwait(false);
                _writer = null;
                _becameWriter.TrySetException(e);
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or System.IO.IOException)
            {
                _logger.LogWarning(e, "The standby could not try the writer role; trying again");
                if (_writer is not null) await _writer.DisposeAsync().ConfigureAwait(false);
                _writer = null;
            }
            try
            {
                await Task.Delay(_options.TakeOverInterval, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private bool IsWriterRoleHeld(Exception e) => e is not OperationCanceledException && _following == 2;

    /// <summary>
    /// Holding the lock, nobody else can commit: the follower stops, every event the previous writer committed after the
    /// last one raised is read and raised, and only then does the writer start (first its <c>firstWrite</c>).
    /// </summary>
    private async Task BecomeWriterAsync(CancellationToken ct)
    {
        Volatile.Write(ref _following, 2);
        var follower = _follower!;
        await follower.DisposeAsync().ConfigureAwait(false);
        await follower.CatchUpOnceAsync(ct).ConfigureAwait(false);
        LoadHead();
        if (follower.HeadSeq != HeadSeq)
            throw new TranscriptIntegrityException($"The standby followed the log to seq {follower.HeadSeq} but the head is {HeadSeq}.");
        _writerTask = Task.Run(() => _queue.RunAsync(ProcessBatchAsync), CancellationToken.None);
        if (_firstWriteAsWriter is { } first)
            await _queue.Enqueue(new PostgresWrite(new AppendRequest(default, []), first), ct).ConfigureAwait(false);
        _becameWriter.TrySetResult();
        _logger.LogWarning("This instance took over the writer role of database {Database} at head seq {HeadSeq}", _writer!.Database, HeadSeq);
    }

    /// <summary>Stops following (standby) before the log closes.</summary>
    private async Task StopStandbyAsync()
    {
        await _stopStandby.CancelAsync().ConfigureAwait(false);
        await _takeOver.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!IsWriter && _follower is { } follower) await follower.DisposeAsync().ConfigureAwait(false);
        _becameWriter.TrySetCanceled();
        _stopStandby.Dispose();
    }

    /// <summary>Records where this instance takes requests, for standbys to forward writes to (table pact_writer).</summary>
    public Task AdvertiseAsync(string url, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(context =>
        {
            using var command = context.CreateCommand(
                "INSERT INTO pact_writer (singleton, url, since) VALUES (true, $1, $2) ON CONFLICT (singleton) DO UPDATE SET url = excluded.url, since = excluded.since");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = url });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Pact.Core.Time.Timestamp.ToText(now) });
            return command.ExecuteNonQuery();
        }, ct);

    /// <summary>
    /// Records the daemon identity if the database has none yet and returns the recorded one. On a pooled connection, not
    /// through the writer: a standby claims too, and one statement is atomic whoever runs it first.
    /// </summary>
    public async Task<string> ClaimIdentityAsync(string daemonId, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await OpenReadConnectionAsync(ct).ConfigureAwait(false);
        // Inserted now, or recorded before. An instance that lost a race with another's insert reads neither in its
        // statement's snapshot, and reads the other's row on the next try.
        while (true)
        {
            await using var command = new NpgsqlCommand("""
                WITH claimed AS (
                    INSERT INTO pact_identity (singleton, daemon_id, since) VALUES (true, $1, $2) ON CONFLICT (singleton) DO NOTHING
                    RETURNING daemon_id)
                SELECT daemon_id FROM claimed UNION ALL SELECT daemon_id FROM pact_identity LIMIT 1
                """, connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = daemonId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Pact.Core.Time.Timestamp.ToText(now) });
            if (await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is string recorded) return recorded;
        }
    }

    /// <summary>The URL the current writer advertised, or null before any did.</summary>
    public async Task<string?> WriterUrlAsync(CancellationToken ct)
    {
        await using var connection = await OpenReadConnectionAsync(ct).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT url FROM pact_writer", connection);
        return (string?)await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
    }
}
