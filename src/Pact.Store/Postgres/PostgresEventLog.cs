using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pact.Core.Events;
using Pact.Store.GroupCommit;

namespace Pact.Store.Postgres;

/// <summary>
/// The append-only transcript (§8.1) in a PostgreSQL database. As on SQLite, every write goes through one writer task
/// that commits waiting requests together (group commit), each request in its own savepoint, and an append's task
/// completes only after its batch committed. Across processes, the writer role is a session-level advisory lock held
/// by the writer's own connection: seq is assigned from memory only while that lock is held, and a connection that
/// drops loses the lock and its open transaction together, so two instances can never interleave seqs.
/// </summary>
internal sealed partial class PostgresEventLog : IAsyncDisposable
{
    private readonly PostgresStoreOptions _options;
    private readonly ILogger _logger;
    private readonly NpgsqlDataSource _dataSource;
    private readonly WriteQueue<PostgresWrite> _queue;
    private readonly Dictionary<string, StreamHead> _heads = new(StringComparer.Ordinal); // committed heads; writer only
    private NpgsqlConnection? _writer;
    private MerkleFrontier _frontier = null!;
    private Task _writerTask = Task.CompletedTask;
    private long _headSeq;
    private long _commitCount;
    private int _open;
    private int _disposed;

    public PostgresEventLog(PostgresStoreOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is [var problem, ..]) throw new ArgumentException(problem, nameof(options));
        _options = options;
        _logger = logger ?? NullLogger<PostgresEventLog>.Instance;
        _dataSource = NpgsqlDataSource.Create(options.ConnectionString);
        _queue = new WriteQueue<PostgresWrite>(options.MaxBatchSize, _logger, this);
    }

    /// <summary>The last committed global seq (0 for an empty transcript).</summary>
    public long HeadSeq => Volatile.Read(ref _headSeq);

    /// <summary>Transactions the writer has committed since open.</summary>
    public long CommitCount => Interlocked.Read(ref _commitCount);

    /// <summary>Why no event may be appended (the Merkle tree does not match the events), or null for a sound log.</summary>
    public string? LogIntegrityFailure { get; private set; }

    /// <summary>Raised on the writer after each commit that appended events, with that batch's events in seq order.</summary>
    public event Action<IReadOnlyList<TranscriptEvent>>? Committed;

    /// <summary>Queues the request; the task completes after the batch holding it committed.</summary>
    public Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default) => AppendAsync(request, null, ct);

    /// <summary>Queues the request with work to run after its events in the same savepoint; its value is the result's.</summary>
    public Task<AppendResult> AppendAsync(AppendRequest request, Func<PostgresAppendContext, object?>? apply, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        EventLinker.Validate(request);
        if (LogIntegrityFailure is { } broken && request.Streams.Any(s => s.Events.Count > 0))
            throw new TranscriptIntegrityException(broken + " No event can be appended until it is repaired.");
        return Enqueue(new PostgresWrite(request, apply), ct);
    }

    /// <summary>A write with no events through the same single writer and transaction discipline.</summary>
    public async Task<T> WriteAsync<T>(Func<PostgresAppendContext, T> write, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var result = await Enqueue(new PostgresWrite(new AppendRequest(default, []), ctx => write(ctx)), ct).ConfigureAwait(false);
        return (T)result.Value!;
    }

    /// <summary>Stops taking requests, lets the writer commit every request already queued, then gives up the writer role.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            await _writerTask.ConfigureAwait(false);
            return;
        }
        await StopStandbyAsync().ConfigureAwait(false);
        _queue.Close();
        await _writerTask.ConfigureAwait(false);
        if (_writer is not null)
        {
            // Released before closing: the server ends a closed session's backend a moment later, and an instance taking
            // over right away must not find the role still held.
            try
            {
                if (_writer.State == System.Data.ConnectionState.Open && IsWriter)
                {
                    await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({PostgresLocks.Writer});", _writer);
                    await unlock.ExecuteNonQueryAsync().ConfigureAwait(false);
                }
            }
            catch (NpgsqlException e)
            {
                _logger.LogWarning(e, "Could not give up the writer role before closing; the server does when the session ends");
            }
            await _writer.DisposeAsync().ConfigureAwait(false);
        }
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _open) != 0) _logger.LogInformation("PostgreSQL transcript closed at head seq {HeadSeq}", HeadSeq);
    }

    private Task<AppendResult> Enqueue(PostgresWrite write, CancellationToken ct)
    {
        if (Volatile.Read(ref _open) == 0) throw new InvalidOperationException("The PostgreSQL transcript is not open yet: open the store before using it.");
        if (!IsWriter) throw new NotTheWriterException("This instance is a standby: another instance holds the writer role of the database.");
        return _queue.Enqueue(write, ct);
    }
}
