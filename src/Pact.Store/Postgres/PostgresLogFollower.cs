using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pact.Core.Events;
using Pact.Store.GroupCommit;

namespace Pact.Store.Postgres;

/// <summary>
/// How an instance that is not the writer learns of new events: it LISTENs on the channel the writer NOTIFYs with the
/// new head after each commit, and then reads every event after the last one it saw, by seq, raising
/// <see cref="Committed"/> with them in order — exactly what the writer raises locally. A notification only says
/// "read now": a missed one (a dropped connection, a notification queue overrun) delays events until the next one or
/// the periodic catch-up, never loses them, and a batch is never raised twice or out of order.
/// </summary>
internal sealed class PostgresLogFollower : IAsyncDisposable
{
    public const string Channel = "pact_log";
    private const int PageSize = 1000;

    private readonly string _connectionString;
    private readonly TimeSpan _catchUpInterval;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private long _headSeq;

    public PostgresLogFollower(string connectionString, long afterSeq, TimeSpan? catchUpInterval = null, ILogger? logger = null)
    {
        _connectionString = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "pact-follower" }.ConnectionString;
        _headSeq = afterSeq;
        _catchUpInterval = catchUpInterval ?? TimeSpan.FromSeconds(1);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The NOTIFY the writer sends in its commit: the new head seq as the payload.</summary>
    public static string NotifySql(long headSeq) =>
        $"SELECT pg_notify('{Channel}', '{headSeq.ToString(CultureInfo.InvariantCulture)}')";

    /// <summary>The last seq raised (or the one the follower started after).</summary>
    public long HeadSeq => Interlocked.Read(ref _headSeq);

    /// <summary>Raised on the follower's task with each page of new events, in seq order, no gap, no repeat.</summary>
    public event Action<IReadOnlyList<TranscriptEvent>>? Committed;

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    /// <summary>Reads and raises every event committed after the last one raised, once, on a connection of its own (after the loop stopped).</summary>
    public async Task CatchUpOnceAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await CatchUpAsync(connection, ct).ConfigureAwait(false);
    }

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                await connection.OpenAsync(ct).ConfigureAwait(false);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                    await listen.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                // Listening first, then reading: nothing committed after this read can go unnoticed.
                await CatchUpAsync(connection, ct).ConfigureAwait(false);
                while (!ct.IsCancellationRequested)
                {
                    // A notification and the periodic tick both mean "read what is new".
                    await connection.WaitAsync(_catchUpInterval, ct).ConfigureAwait(false);
                    await CatchUpAsync(connection, ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or System.IO.IOException)
            {
                _logger.LogWarning(e, "The PostgreSQL log follower lost its connection at seq {HeadSeq}; reconnecting", HeadSeq);
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false);
            }
            catch (TranscriptIntegrityException e)
            {
                // Nothing after a damaged event is raised; the audit reports the damage, and a repair lets this resume.
                _logger.LogCritical(e, "The PostgreSQL log follower stopped at seq {HeadSeq}", HeadSeq);
                await Task.Delay(_catchUpInterval, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Reads and raises every event after the last one raised, page by page.</summary>
    private async Task CatchUpAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        while (true)
        {
            var after = HeadSeq;
            var page = new List<TranscriptEvent>();
            await using (var command = new NpgsqlCommand(
                "SELECT seq, stream, stream_seq, type, time, actor, data, prev_hash, hash FROM events WHERE seq > $1 ORDER BY seq LIMIT $2", connection))
            {
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = PageSize });
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    var row = new StoredEventRow(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
                        reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8));
                    // The log is gapless and committed in seq order: a seq out of line means a damaged log, not a race.
                    if (row.Seq != after + page.Count + 1)
                        throw new TranscriptIntegrityException($"The global log has a gap before seq {row.Seq}.");
                    page.Add(StoredEvents.ToEvent(row));
                }
            }
            if (page.Count == 0) return;
            Interlocked.Exchange(ref _headSeq, page[^1].Seq);
            CommittedHandlers.Raise(Committed, page.AsReadOnly(), _logger);
            if (page.Count < PageSize) return;
        }
    }
}
