using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.Time;

namespace Pact.Store;

/// <summary>
/// The append-only transcript (§8.1) in one SQLite file. Every write goes through one writer task that
/// commits waiting requests together (group commit) in one <c>BEGIN IMMEDIATE</c> transaction, each
/// request in its own savepoint. An append's task completes only after its batch committed, so an
/// acknowledged event survives a crash (§9); reads use their own pooled connections.
/// </summary>
public sealed partial class TranscriptStore : IAsyncDisposable
{
    private const string Savepoint = "pact_request";
    private const string EventColumns = "seq, stream, stream_seq, type, time, actor, data, prev_hash, hash";
    // One page of a stream, or of the whole log, in order: read checked (events) or as stored (rows, for verifiers).
    private const string StreamPageSql = $"SELECT {EventColumns} FROM events WHERE stream = $stream AND stream_seq > $after ORDER BY stream_seq LIMIT $limit;";
    private const string GlobalPageSql = $"SELECT {EventColumns} FROM events WHERE seq > $after ORDER BY seq LIMIT $limit;";
    private const string InsertEventSql = $"INSERT INTO events ({EventColumns}) VALUES ($seq, $stream, $streamSeq, $type, $time, $actor, $data, $prevHash, $hash);";
    private static readonly string[] InsertParameters = ["$seq", "$stream", "$streamSeq", "$type", "$time", "$actor", "$data", "$prevHash", "$hash"];

    private static readonly Meter Meter = new("Pact");
    private static readonly Counter<long> CommitCounter = Meter.CreateCounter<long>("pact.transcript.commits", description: "Committed writer transactions.");
    private static readonly Counter<long> EventCounter = Meter.CreateCounter<long>("pact.transcript.events", description: "Events appended.");
    private static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("pact.transcript.batch.requests", description: "Requests per committed batch.");
    private static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>("pact.transcript.batch.duration", "ms", "Time from BEGIN to COMMIT of a batch.");

    private readonly TranscriptStoreOptions _options;
    private readonly ILogger _logger;
    private readonly string _readConnectionString;
    private readonly SqliteConnection _writer;
    private readonly StatementCache _statements;
    private readonly FileStream _lock;
    private readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, StreamHead> _heads = new(StringComparer.Ordinal); // committed heads; writer only
    private readonly Task _writerTask;
    private long _headSeq;
    private long _commitCount;
    private bool _reloadHeads;
    private int _disposed;

    private TranscriptStore(TranscriptStoreOptions options, ILogger logger, string readConnectionString, SqliteConnection writer, FileStream lockFile, long headSeq)
    {
        _options = options;
        _logger = logger;
        _readConnectionString = readConnectionString;
        _writer = writer;
        _statements = new StatementCache(writer);
        _lock = lockFile;
        _headSeq = headSeq;
        _writerTask = Task.Run(WriterLoopAsync);
    }

    /// <summary>Full path of the database file.</summary>
    public string DatabasePath => _options.DatabasePath;

    /// <summary>The last committed global seq (0 for an empty transcript).</summary>
    public long HeadSeq => Volatile.Read(ref _headSeq);

    /// <summary>
    /// Why no event may be appended, when the store was opened with <see cref="TranscriptStoreOptions.OpenWithBrokenLog"/>
    /// on a Merkle tree that does not match the events; null for a sound store.
    /// </summary>
    public string? LogIntegrityFailure { get; private init; }

    /// <summary>Transactions the writer has committed since open (group commit makes this smaller than the number of requests).</summary>
    public long CommitCount => Interlocked.Read(ref _commitCount);

    /// <summary>
    /// Raised on the writer after each commit that appended events, with that batch's events in seq order,
    /// after the callers' tasks were completed. Handlers must be quick; an exception is logged and ignored.
    /// </summary>
    public event Action<IReadOnlyList<TranscriptEvent>>? Committed;

    public static Task<TranscriptStore> OpenAsync(TranscriptStoreOptions options, ILogger<TranscriptStore>? logger = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DatabasePath);
        ArgumentNullException.ThrowIfNull(options.Migrations);
        var synchronous = (options.Synchronous ?? "").ToUpperInvariant() switch
        {
            "FULL" => 2L,
            "NORMAL" => 1L,
            _ => throw new ArgumentException($"Synchronous must be FULL or NORMAL, not '{options.Synchronous}'.", nameof(options)),
        };
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.StreamHeadCacheLimit, 1);
        if (options.BusyTimeout < TimeSpan.Zero || options.BusyTimeout.TotalMilliseconds > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(options), "BusyTimeout must be between zero and int.MaxValue milliseconds.");
        if (options.Migrations.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("A migration script is empty.", nameof(options));
        ct.ThrowIfCancellationRequested();

        var log = (ILogger?)logger ?? NullLogger<TranscriptStore>.Instance;
        var path = Path.GetFullPath(options.DatabasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        options = options with { DatabasePath = path, Synchronous = synchronous == 2 ? "FULL" : "NORMAL" };

        // Two writers on one file would each trust their own in-memory seq and stream heads: refuse the second.
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"The transcript '{path}' is already open by another store (lock file '{path}.lock').", e);
        }

        SqliteConnection? writer = null;
        try
        {
            var busyMs = (long)options.BusyTimeout.TotalMilliseconds;
            writer = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = false, // held for the store's lifetime and really closed on dispose
                DefaultTimeout = (int)Math.Max(1, options.BusyTimeout.TotalSeconds),
            }.ToString());
            writer.Open();

            var journal = TranscriptSchema.ScalarString(writer, null, "PRAGMA journal_mode = WAL;");
            if (!string.Equals(journal, "wal", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"SQLite refused WAL mode for '{path}' (journal_mode is '{journal}'); the transcript needs WAL (is the file on a network or read-only file system?).");
            TranscriptSchema.Execute(writer, null, $"PRAGMA synchronous = {options.Synchronous};");
            TranscriptSchema.Execute(writer, null, "PRAGMA foreign_keys = ON;");
            // Savepoints (one per request in a batch) journal the pages they change; that journal only ever serves a
            // rollback inside this transaction, so keep it in memory instead of a temp file (~40 fewer writes per commit).
            TranscriptSchema.Execute(writer, null, "PRAGMA temp_store = MEMORY;");
            TranscriptSchema.Execute(writer, null, "PRAGMA busy_timeout = " + busyMs.ToString(CultureInfo.InvariantCulture) + ";");
            var pragmas = ReadPragmas(writer, null);
            if (pragmas.Synchronous != synchronous)
                throw new InvalidOperationException($"SQLite reports synchronous = {pragmas.Synchronous} for '{path}', expected {synchronous} ({options.Synchronous}).");
            if (!pragmas.ForeignKeys)
                throw new InvalidOperationException($"SQLite did not enable foreign_keys for '{path}'.");
            if (pragmas.BusyTimeoutMs != busyMs)
                throw new InvalidOperationException($"SQLite reports busy_timeout = {pragmas.BusyTimeoutMs} ms for '{path}', expected {busyMs}.");

            var version = TranscriptSchema.Migrate(writer, options.Migrations);
            var headSeq = TranscriptSchema.ScalarLong(writer, null, "SELECT COALESCE(MAX(seq), 0) FROM events;");
            // Merkle log (§9): the tree must hold exactly one leaf per event, or every later append would be wrong.
            var leaves = Merkle.MerkleTreeWriter.LeafCount(writer, null);
            string? logFailure = null;
            if (leaves != headSeq)
            {
                logFailure = $"The Merkle tree of the log holds {leaves} leaves but the transcript has {headSeq} events.";
                if (!options.OpenWithBrokenLog) throw new TranscriptIntegrityException($"The Merkle tree of '{path}' holds {leaves} leaves but the transcript has {headSeq} events.");
                log.LogCritical("Transcript {Path} opened without appends: the Merkle tree holds {Leaves} leaves for {HeadSeq} events", path, leaves, headSeq);
            }

            var read = new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadOnly,
                Pooling = true,
                DefaultTimeout = (int)Math.Max(1, options.BusyTimeout.TotalSeconds),
            }.ToString();

            log.LogInformation("Transcript {Path} open: schema version {Version}, head seq {HeadSeq}, synchronous {Synchronous}",
                path, version, headSeq, options.Synchronous);
            return Task.FromResult(new TranscriptStore(options, log, read, writer, lockFile, headSeq) { LogIntegrityFailure = logFailure });
        }
        catch
        {
            writer?.Dispose();
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Queues the request for the writer. The task completes after the batch holding it committed (the
    /// events are then durable), or fails with the exception of this request's own insert or Apply, or of
    /// the batch's COMMIT. Cancellation takes effect only while the request still waits in the queue.
    /// </summary>
    public Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Validate(request);
        // Appending to a tree that lost or gained leaves would sign a log that proves the wrong events.
        if (LogIntegrityFailure is { } broken && request.Streams.Any(s => s.Events.Count > 0))
            throw new TranscriptIntegrityException(broken + " No event can be appended until it is repaired.");
        return Enqueue(request, ct);
    }

    /// <summary>A write with no events (agents, tokens, …) through the same single writer and transaction discipline.</summary>
    public async Task<T> WriteAsync<T>(Func<AppendContext, T> write, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var result = await Enqueue(new AppendRequest(default, [], ctx => write(ctx)), ct).ConfigureAwait(false);
        return (T)result.Value!;
    }

    /// <summary>The writer connection's pragmas and schema version, read through the writer.</summary>
    public Task<TranscriptPragmas> GetPragmasAsync(CancellationToken ct = default) =>
        WriteAsync(ctx => ReadPragmas(ctx.Connection, ctx.Transaction), ct);

    /// <summary>Events of one stream with streamSeq &gt; <paramref name="afterStreamSeq"/>, in streamSeq order, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<TranscriptEvent>> ReadStreamAsync(string stream, long afterStreamSeq, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(afterStreamSeq);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return ReadAsync<IReadOnlyList<TranscriptEvent>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = StreamPageSql;
            command.Parameters.AddWithValue("$stream", stream);
            command.Parameters.AddWithValue("$after", afterStreamSeq);
            command.Parameters.AddWithValue("$limit", limit);
            var events = ReadEvents(command);
            var head = ChainHead.Before(afterStreamSeq + 1);
            foreach (var e in events)
            {
                if (head.Check(e.Seq, e.StreamSeq, e.PrevHash) is { } broken)
                    throw new TranscriptIntegrityException($"Stream '{stream}' is not chained at streamSeq {e.StreamSeq} (seq {e.Seq}): {broken.Message}");
                head = ChainHead.After(e);
            }
            return events;
        }, ct);
    }

    /// <summary>Events of every stream with seq &gt; <paramref name="afterSeq"/>, in seq order, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<TranscriptEvent>> ReadAllAsync(long afterSeq, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSeq);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return ReadAsync<IReadOnlyList<TranscriptEvent>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = GlobalPageSql;
            command.Parameters.AddWithValue("$after", afterSeq);
            command.Parameters.AddWithValue("$limit", limit);
            var events = ReadEvents(command);
            var expected = afterSeq + 1;
            foreach (var e in events)
                if (e.Seq != expected++)
                    throw new TranscriptIntegrityException($"The global log has a gap before seq {e.Seq}.");
            return events;
        }, ct);
    }

    public Task<TranscriptEvent?> GetBySeqAsync(long seq, CancellationToken ct = default) =>
        ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {EventColumns} FROM events WHERE seq = $seq;";
            command.Parameters.AddWithValue("$seq", seq);
            var events = ReadEvents(command);
            return events.Count == 0 ? null : events[0];
        }, ct);

    /// <summary>The stream's last committed streamSeq and hash, or null for a stream without events.</summary>
    public Task<(long StreamSeq, string Hash)?> GetStreamHeadAsync(string stream, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ReadAsync<(long, string)?>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT stream_seq, hash FROM events WHERE stream = $stream ORDER BY stream_seq DESC LIMIT 1;";
            command.Parameters.AddWithValue("$stream", stream);
            using var reader = command.ExecuteReader();
            return reader.Read() ? (reader.GetInt64(0), reader.GetString(1)) : null;
        }, ct);
    }

    /// <summary>An open, pooled, read-only connection for read-model queries; dispose it to return it to the pool.</summary>
    public async Task<SqliteConnection> OpenReadConnectionAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var connection = new SqliteConnection(_readConnectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs <paramref name="query"/> on a pooled read-only connection.</summary>
    public async Task<T> ReadAsync<T>(Func<SqliteConnection, T> query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var connection = await OpenReadConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            ct.ThrowIfCancellationRequested();
            return query(connection);
        }
    }

    /// <summary>
    /// Scans the whole transcript: seq from 1 without gaps, every stream's streamSeq from 1 without gaps,
    /// every prevHash linking to the previous hash, every hash recomputing, time never going back in a stream.
    /// Throws <see cref="TranscriptIntegrityException"/> at the first break.
    /// </summary>
    public Task<TranscriptVerification> VerifyAsync(CancellationToken ct = default) =>
        ReadAsync(connection =>
        {
            using var tx = connection.BeginTransaction(deferred: true); // one snapshot for the whole scan
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = $"SELECT {EventColumns} FROM events ORDER BY seq;";
            var heads = new Dictionary<string, ChainHead>(StringComparer.Ordinal);
            long expected = 1;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                ct.ThrowIfCancellationRequested();
                var e = ReadEvent(reader);
                if (e.Seq != expected) throw new TranscriptIntegrityException($"Expected seq {expected}, found {e.Seq}.");
                var head = heads.GetValueOrDefault(e.Stream, ChainHead.Genesis);
                if ((head.Check(e.Seq, e.StreamSeq, e.PrevHash) ?? head.CheckTime(e.Time)) is { } broken)
                    throw new TranscriptIntegrityException($"Event seq {e.Seq} does not follow streamSeq {head.StreamSeq} of stream '{e.Stream}': {broken.Message}");
                heads[e.Stream] = ChainHead.After(e);
                expected++;
            }
            return new TranscriptVerification(expected - 1, heads.Count);
        }, ct);

    /// <summary>Stops taking requests, lets the writer commit every request already queued, then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            await _writerTask.ConfigureAwait(false);
            return;
        }
        _queue.Writer.TryComplete();
        await _writerTask.ConfigureAwait(false);
        _statements.Dispose();
        _writer.Dispose();
        using (var pooled = new SqliteConnection(_readConnectionString))
            SqliteConnection.ClearPool(pooled);
        await _lock.DisposeAsync().ConfigureAwait(false);
        _logger.LogInformation("Transcript {Path} closed at head seq {HeadSeq}", _options.DatabasePath, HeadSeq);
    }

    private Task<AppendResult> Enqueue(AppendRequest request, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var item = new WorkItem(request);
        item.Register(ct);
        if (!_queue.Writer.TryWrite(item))
        {
            item.Unregister();
            // The channel closes only on dispose or when the writer died; either way the request was not taken.
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            throw new InvalidOperationException("The transcript writer has stopped.");
        }
        return item.Task;
    }

    private static void Validate(AppendRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Streams is null) throw new ArgumentException("Streams is null.", nameof(request));
        foreach (var append in request.Streams)
        {
            if (append is null) throw new ArgumentException("A StreamAppend is null.", nameof(request));
            if (string.IsNullOrEmpty(append.Stream)) throw new ArgumentException("A stream name is empty.", nameof(request));
            if (append.Events is null) throw new ArgumentException($"The events for stream '{append.Stream}' are null.", nameof(request));
            foreach (var draft in append.Events)
            {
                if (draft is null) throw new ArgumentException($"An event for stream '{append.Stream}' is null.", nameof(request));
                if (string.IsNullOrEmpty(draft.Type) || string.IsNullOrEmpty(draft.Actor) || draft.Data is null)
                    throw new ArgumentException($"An event for stream '{append.Stream}' lacks its type, actor or data.", nameof(request));
            }
        }
    }

    private async Task WriterLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<WorkItem>(_options.MaxBatchSize);
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < _options.MaxBatchSize && reader.TryRead(out var item))
                    if (item.TryTake()) batch.Add(item);
                if (batch.Count > 0) ProcessBatch(batch);
            }
        }
        catch (Exception e)
        {
            // ProcessBatch handles its own failures; reaching here is a bug. Fail everything rather than hang callers.
            _logger.LogCritical(e, "The transcript writer stopped");
            _queue.Writer.TryComplete(e);
            foreach (var item in batch) item.Fail(e);
            while (reader.TryRead(out var item))
                if (item.TryTake()) item.Fail(e);
        }
    }

    private void ProcessBatch(List<WorkItem> batch)
    {
        var started = Stopwatch.GetTimestamp();
        var results = new AppendResult?[batch.Count];
        var errors = new Exception?[batch.Count];
        var batchHeads = new Dictionary<string, StreamHead>(StringComparer.Ordinal);
        var batchEvents = new List<TranscriptEvent>();
        SqliteTransaction? tx = null;
        long nextSeq = 0;
        try
        {
            if (_reloadHeads) ReloadHeads();
            nextSeq = _headSeq + 1;
            tx = _writer.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: take the write lock now, not mid-batch
            using var insert = _statements.Rent(InsertEventSql, tx);
            var p = InsertParameters.Select(name => insert.Parameters.Add(name, SqliteType.Text)).ToArray();
            p[0].SqliteType = SqliteType.Integer;
            p[2].SqliteType = SqliteType.Integer;

            for (var i = 0; i < batch.Count; i++)
            {
                var request = batch[i].Request;
                var seqBefore = nextSeq;
                var requestHeads = new Dictionary<string, StreamHead>(StringComparer.Ordinal);
                tx.Save(Savepoint);
                try
                {
                    var events = InsertEvents(request, tx, insert, p, batchHeads, requestHeads, ref nextSeq).AsReadOnly();
                    // Merkle log (§9): the leaves and completed subtrees of these events, undone with the savepoint.
                    Merkle.MerkleTreeWriter.Append(_statements, tx, events);
                    var value = request.Apply?.Invoke(new AppendContext(_writer, tx, events, _statements));
                    tx.Release(Savepoint);
                    foreach (var (stream, head) in requestHeads) batchHeads[stream] = head;
                    batchEvents.AddRange(events);
                    results[i] = new AppendResult(events, value);
                }
                catch (Exception e) when (!TransactionLost())
                {
                    // This request alone is undone; the next one reuses its seq numbers so the log stays gapless.
                    tx.Rollback(Savepoint);
                    tx.Release(Savepoint);
                    nextSeq = seqBefore;
                    errors[i] = e;
                }
            }
            tx.Commit();
        }
        catch (Exception e)
        {
            // Nothing of this batch is committed (or, after a failed COMMIT, we cannot be sure what is):
            // fail every caller and rebuild seq and stream heads from the database before the next batch.
            _logger.LogError(e, "Transcript batch of {Count} requests failed; none was acknowledged", batch.Count);
            try
            {
                if (tx is not null && !TransactionLost()) tx.Rollback();
            }
            catch (Exception rollback)
            {
                _logger.LogError(rollback, "Rolling back the failed transcript batch failed too");
            }
            try
            {
                tx?.Dispose();
            }
            catch (Exception dispose)
            {
                _logger.LogError(dispose, "Disposing the failed transcript transaction failed");
            }
            _heads.Clear();
            _reloadHeads = true;
            for (var i = 0; i < batch.Count; i++) batch[i].Fail(errors[i] ?? e);
            return;
        }
        tx.Dispose();

        foreach (var (stream, head) in batchHeads) _heads[stream] = head;
        if (_heads.Count > _options.StreamHeadCacheLimit) _heads.Clear();
        Volatile.Write(ref _headSeq, nextSeq - 1);
        Interlocked.Increment(ref _commitCount);
        CommitCounter.Add(1);
        EventCounter.Add(batchEvents.Count);
        BatchSize.Record(batch.Count);
        CommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);

        for (var i = 0; i < batch.Count; i++)
        {
            if (errors[i] is { } error) batch[i].Fail(error);
            else batch[i].Complete(results[i]!);
        }
        if (batchEvents.Count > 0) RaiseCommitted(batchEvents.AsReadOnly());
    }

    private List<TranscriptEvent> InsertEvents(
        AppendRequest request, SqliteTransaction tx, SqliteCommand insert, SqliteParameter[] p,
        Dictionary<string, StreamHead> batchHeads, Dictionary<string, StreamHead> requestHeads, ref long nextSeq)
    {
        var events = new List<TranscriptEvent>();
        var requestTime = Timestamp.ToText(request.Time);
        foreach (var append in request.Streams)
        {
            if (!requestHeads.TryGetValue(append.Stream, out var head)
                && !batchHeads.TryGetValue(append.Stream, out head)
                && !_heads.TryGetValue(append.Stream, out head))
            {
                // Not touched by this batch, so the transaction's view of it is the committed one.
                head = LoadHead(tx, append.Stream);
                _heads[append.Stream] = head;
            }
            foreach (var pending in append.Events)
            {
                var draft = request.PrepareDraft?.Invoke(pending, head.Hash) ?? pending;
                // Store the canonical text and hand out what parses back from it, so every reader re-hashes identically.
                var text = Jcs.CanonicalString(draft.Data);
                if (StrictJson.Parse(text) is not JsonObject data || Jcs.CanonicalString(data) != text)
                    throw new ArgumentException($"The data of a '{draft.Type}' event does not survive canonical JSON unchanged.", nameof(request));
                var time = head.Time is not null && string.CompareOrdinal(head.Time, requestTime) > 0 ? head.Time : requestTime;
                var streamSeq = head.StreamSeq + 1;
                var hash = EventChain.HashCanonical(append.Stream, streamSeq, draft.Type, time, draft.Actor, text, head.Hash);
                var e = new TranscriptEvent(nextSeq, append.Stream, streamSeq, draft.Type, time, draft.Actor, data, head.Hash, hash);
                p[0].Value = e.Seq;
                p[1].Value = e.Stream;
                p[2].Value = e.StreamSeq;
                p[3].Value = e.Type;
                p[4].Value = e.Time;
                p[5].Value = e.Actor;
                p[6].Value = text;
                p[7].Value = e.PrevHash;
                p[8].Value = e.Hash;
                insert.ExecuteNonQuery();
                events.Add(e);
                nextSeq++;
                head = new StreamHead(streamSeq, hash, time);
            }
            requestHeads[append.Stream] = head;
        }
        return events;
    }

    private StreamHead LoadHead(SqliteTransaction tx, string stream)
    {
        using var command = _statements.Rent("SELECT stream_seq, hash, time FROM events WHERE stream = $stream ORDER BY stream_seq DESC LIMIT 1;", tx);
        command.Parameters.AddWithValue("$stream", stream);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new StreamHead(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)) : StreamHead.Empty;
    }

    private void ReloadHeads()
    {
        _heads.Clear();
        Volatile.Write(ref _headSeq, TranscriptSchema.ScalarLong(_writer, null, "SELECT COALESCE(MAX(seq), 0) FROM events;"));
        _reloadHeads = false;
    }

    // SQLite rolls back the whole transaction by itself on some errors (disk full, I/O); then no savepoint is left to undo.
    private bool TransactionLost() => SQLitePCL.raw.sqlite3_get_autocommit(_writer.Handle) != 0;

    private void RaiseCommitted(System.Collections.ObjectModel.ReadOnlyCollection<TranscriptEvent> events)
    {
        if (Committed is not { } handlers) return;
        foreach (var handler in handlers.GetInvocationList().Cast<Action<IReadOnlyList<TranscriptEvent>>>())
        {
            try
            {
                handler(events);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "A Committed handler threw for seq {First}..{Last}", events[0].Seq, events[^1].Seq);
            }
        }
    }

    private static TranscriptPragmas ReadPragmas(SqliteConnection connection, SqliteTransaction? tx) => new(
        TranscriptSchema.ScalarString(connection, tx, "PRAGMA journal_mode;"),
        TranscriptSchema.ScalarLong(connection, tx, "PRAGMA synchronous;"),
        TranscriptSchema.ScalarLong(connection, tx, "PRAGMA foreign_keys;") == 1,
        TranscriptSchema.ScalarLong(connection, tx, "PRAGMA busy_timeout;"),
        TranscriptSchema.ScalarLong(connection, tx, "PRAGMA user_version;"),
        TranscriptSchema.ScalarLong(connection, tx, "PRAGMA temp_store;"));

    private static List<TranscriptEvent> ReadEvents(SqliteCommand command)
    {
        var events = new List<TranscriptEvent>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) events.Add(ReadEvent(reader));
        return events;
    }

    private static TranscriptEvent ReadEvent(SqliteDataReader reader)
    {
        var seq = reader.GetInt64(0);
        JsonObject data;
        try
        {
            data = StrictJson.Parse(reader.GetString(6)) as JsonObject
                ?? throw new TranscriptIntegrityException($"The data of event seq {seq} is not a JSON object.");
        }
        catch (Pact.Core.Errors.InvalidJsonException e)
        {
            throw new TranscriptIntegrityException($"The data of event seq {seq} is not valid JSON.", e);
        }
        var ev = new TranscriptEvent(seq, reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
            reader.GetString(5), data, reader.GetString(7), reader.GetString(8));
        if (EventChain.CheckHash(ev) is { } broken)
            throw new TranscriptIntegrityException($"Event seq {seq} does not match its hash: the stored transcript was altered. {broken.Message}");
        return ev;
    }

    private readonly record struct StreamHead(long StreamSeq, string Hash, string? Time)
    {
        public static StreamHead Empty => new(0, EventChain.GenesisHash, null);
    }

    private sealed class WorkItem(AppendRequest request)
    {
        private const int Waiting = 0, Taken = 1, Cancelled = 2;
        private readonly TaskCompletionSource<AppendResult> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private CancellationTokenRegistration _registration;
        private int _state;

        public AppendRequest Request { get; } = request;

        public Task<AppendResult> Task => _tcs.Task;

        public void Register(CancellationToken ct)
        {
            if (!ct.CanBeCanceled) return;
            _registration = ct.Register(static (state, token) =>
            {
                var item = (WorkItem)state!;
                if (Interlocked.CompareExchange(ref item._state, Cancelled, Waiting) == Waiting)
                    item._tcs.TrySetCanceled(token);
            }, this);
        }

        public void Unregister() => _registration.Dispose();

        /// <summary>The writer claims the request; from here on cancellation no longer applies and the caller waits for the outcome.</summary>
        public bool TryTake()
        {
            if (Interlocked.CompareExchange(ref _state, Taken, Waiting) != Waiting) return false;
            _registration.Dispose();
            return true;
        }

        public void Complete(AppendResult result) => _tcs.TrySetResult(result);

        public void Fail(Exception e) => _tcs.TrySetException(e);
    }
}
