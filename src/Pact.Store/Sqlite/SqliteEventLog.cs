using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.Time;
using Pact.Store.GroupCommit;

namespace Pact.Store.Sqlite;

/// <summary>
/// The append-only transcript (§8.1) in one SQLite file. Every write goes through one writer task that
/// commits waiting requests together (group commit) in one <c>BEGIN IMMEDIATE</c> transaction, each
/// request in its own savepoint. An append's task completes only after its batch committed, so an
/// acknowledged event survives a crash (§9); reads use their own pooled connections.
/// </summary>
internal sealed partial class SqliteEventLog : IAsyncDisposable
{
    // One savepoint per request of a batch, so that a failing request is undone alone.
    /// <summary>The WAL size, in pages, at which a commit checkpoints (SQLite's default is 1,000).</summary>
    internal const long WalAutocheckpointPages = 10_000;

    /// <summary>The size the WAL file is cut back to after a checkpoint, when it grew past it.</summary>
    internal const long WalSizeLimitBytes = 64L << 20;

    private const string SaveSql = "SAVEPOINT pact_request;";
    private const string ReleaseSql = "RELEASE pact_request;";
    private const string RollbackToSql = "ROLLBACK TO pact_request;";
    internal const string EventColumns = "seq, stream, stream_seq, type, time, actor, data, prev_hash, hash";
    // One page of a stream, or of the whole log, in order: read checked (events) or as stored (rows, for verifiers).
    private const string StreamPageSql = $"SELECT {EventColumns} FROM events WHERE stream = $stream AND stream_seq > $after ORDER BY stream_seq LIMIT $limit;";
    private const string GlobalPageSql = $"SELECT {EventColumns} FROM events WHERE seq > $after ORDER BY seq LIMIT $limit;";
    internal const string InsertEventSql = $"INSERT INTO events ({EventColumns}) VALUES ($seq, $stream, $streamSeq, $type, $time, $actor, $data, $prevHash, $hash);";
    private static readonly string[] InsertParameters = ["$seq", "$stream", "$streamSeq", "$type", "$time", "$actor", "$data", "$prevHash", "$hash"];

    private readonly PactStoreOptions _options;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<IInlineProjection> _projections;
    private readonly WriteQueue<AppendRequest> _queue;
    private readonly Dictionary<string, StreamHead> _heads = new(StringComparer.Ordinal); // committed heads; writer only
    // Set once by OpenAsync, before _state says Open (see SqliteEventLog.Open.cs).
    private string _readConnectionString = null!;
    private SqliteConnection _writer = null!;
    private StatementCache _statements = null!;
    private FileStream _lock = null!;
    private Task _writerTask = Task.CompletedTask;
    private int _state; // a LifecycleState
    private long _headSeq;
    private long _commitCount;
    private bool _reloadHeads;
    private int _disposed;

    /// <summary>Checks <paramref name="options"/>; the file is opened by <see cref="OpenAsync(CancellationToken)"/>.</summary>
    public SqliteEventLog(PactStoreOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is [var problem, ..]) throw new ArgumentException(problem, nameof(options));
        _options = options with { DatabasePath = Path.GetFullPath(options.DatabasePath), Synchronous = options.Synchronous.ToUpperInvariant() };
        _logger = logger ?? NullLogger<SqliteEventLog>.Instance;
        _projections = options.Projections;
        _queue = new WriteQueue<AppendRequest>(_options.MaxBatchSize, _logger, this);
    }

    /// <summary>The key of the row seals (<see cref="RowSeals"/>).</summary>
    public byte[] SealKey => _options.SealKey;

    /// <summary>Full path of the database file.</summary>
    public string DatabasePath => _options.DatabasePath;

    /// <summary>The last committed global seq (0 for an empty transcript).</summary>
    public long HeadSeq => Volatile.Read(ref _headSeq);

    /// <summary>
    /// Why no event may be appended, when the store was opened with <see cref="PactStoreOptions.OpenWithBrokenLog"/>
    /// on a Merkle tree that does not match the events; null for a sound store.
    /// </summary>
    public string? LogIntegrityFailure { get; private set; }

    /// <summary>Transactions the writer has committed since open (group commit makes this smaller than the number of requests).</summary>
    public long CommitCount => Interlocked.Read(ref _commitCount);

    /// <summary>
    /// Raised on the writer after each commit that appended events, with that batch's events in seq order,
    /// after the callers' tasks were completed. Handlers must be quick; an exception is logged and ignored.
    /// </summary>
    public event Action<IReadOnlyList<TranscriptEvent>>? Committed;

    /// <summary>
    /// Queues the request for the writer. The task completes after the batch holding it committed (the
    /// events are then durable), or fails with the exception of this request's own insert or Apply, or of
    /// the batch's COMMIT. Cancellation takes effect only while the request still waits in the queue.
    /// </summary>
    public Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        EventLinker.Validate(request);
        // Appending to a tree that lost or gained leaves would sign a log that proves the wrong events.
        if (LogIntegrityFailure is { } broken && request.Streams.Any(s => s.Events.Count > 0))
            throw new TranscriptIntegrityException(broken + " No event can be appended until it is repaired.");
        return Enqueue(request, ct);
    }

    /// <summary>A write with no events (agents, tokens, …) through the same single writer and transaction discipline.</summary>
    internal async Task<T> WriteAsync<T>(Func<AppendContext, T> write, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var result = await Enqueue(new AppendRequest(default, []) { Apply = ctx => write(ctx) }, ct).ConfigureAwait(false);
        return (T)result.Value!;
    }

    /// <summary>The writer connection's pragmas and schema version, read through the writer.</summary>
    public Task<SqlitePragmas> GetPragmasAsync(CancellationToken ct = default) =>
        WriteAsync(ctx => ReadPragmas(ctx.Connection, ctx.Transaction), ct);

    /// <summary>Stops taking requests, lets the writer commit every request already queued, then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            await _writerTask.ConfigureAwait(false);
            return;
        }
        _queue.Close();
        await _writerTask.ConfigureAwait(false);
        if (_lock is null) return; // never opened, or its open failed before it took the file
        _statements.Dispose();
        CheckpointWal();
        _writer.Dispose();
        using (var pooled = new SqliteConnection(_readConnectionString))
            SqliteConnection.ClearPool(pooled);
        await _lock.DisposeAsync().ConfigureAwait(false);
        _logger.LogInformation("Transcript {Path} closed at head seq {HeadSeq}", _options.DatabasePath, HeadSeq);
    }

    /// <summary>
    /// Moves every committed page from pact.db-wal into pact.db and empties the WAL, so that after a clean stop
    /// the database file alone holds the whole log (a copy of it is a complete backup). Best effort: a reader
    /// still open elsewhere can keep it from completing, and the WAL is then replayed at the next open as usual.
    /// </summary>
    private void CheckpointWal()
    {
        try
        {
            using var command = _writer.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            command.ExecuteNonQuery();
        }
        catch (SqliteException e)
        {
            _logger.LogWarning(e, "Could not fold the WAL of {Path} into the database at close; it is replayed at the next open", _options.DatabasePath);
        }
    }

    private Task<AppendResult> Enqueue(AppendRequest request, CancellationToken ct)
    {
        ThrowIfNotOpen();
        return _queue.Enqueue(request, ct);
    }
}
