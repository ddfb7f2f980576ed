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

namespace Pact.Store.Sqlite;

// Opening the file: the lock against a second writer, pragmas set and read back, migrations, the Merkle tree checked against the events.
internal sealed partial class SqliteEventLog
{
    private enum LifecycleState
    {
        Created,
        Opening,
        Open,
    }

    /// <summary>Creates the log and opens it: <see cref="SqliteEventLog(PactStoreOptions, ILogger?)"/>, then <see cref="OpenAsync(Func{AppendContext, object?}?, CancellationToken)"/>.</summary>
    public static Task<SqliteEventLog> OpenAsync(PactStoreOptions options, ILogger? logger = null, CancellationToken ct = default) =>
        Opening.OpenOrDisposeAsync(() => new SqliteEventLog(options, logger), log => log.OpenAsync(ct: ct));

    /// <summary>
    /// Opens (creating or migrating) the file and starts the writer; every read and write before this throws. Once
    /// only: after a failed open the log is only disposed.
    /// </summary>
    /// <param name="firstWrite">Runs through the writer before any other request can be queued (the store loads its caches so).</param>
    /// <param name="ct">Cancels the open.</param>
    public async Task OpenAsync(Func<AppendContext, object?>? firstWrite = null, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.CompareExchange(ref _state, (int)LifecycleState.Opening, (int)LifecycleState.Created) != (int)LifecycleState.Created)
            throw new InvalidOperationException($"The transcript '{_options.DatabasePath}' was already opened.");
        OpenFile(ct);
        _writerTask = Task.Run(() => _queue.RunAsync(batch =>
        {
            ProcessBatch(batch);
            return Task.CompletedTask;
        }), CancellationToken.None); // stops when disposed, not when the open is cancelled
        if (firstWrite is not null) await _queue.Enqueue(new AppendRequest(default, []) { Apply = firstWrite }, ct).ConfigureAwait(false);
        Volatile.Write(ref _state, (int)LifecycleState.Open);
    }

    // SQLite's API is synchronous: the file is opened, checked and migrated on the caller's thread.
    private void OpenFile(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var options = _options;
        var path = options.DatabasePath;
        var synchronous = options.Synchronous == "FULL" ? 2L : 1L;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

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

            var journal = SqliteSchema.ScalarString(writer, null, "PRAGMA journal_mode = WAL;");
            if (!string.Equals(journal, "wal", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"SQLite refused WAL mode for '{path}' (journal_mode is '{journal}'); the transcript needs WAL (is the file on a network or read-only file system?).");
            SqliteSchema.Execute(writer, null, $"PRAGMA synchronous = {options.Synchronous};");
            SqliteSchema.Execute(writer, null, "PRAGMA foreign_keys = ON;");
            // Savepoints (one per request in a batch) journal the pages they change; that journal only ever serves a
            // rollback inside this transaction, so keep it in memory instead of a temp file (~40 fewer writes per commit).
            SqliteSchema.Execute(writer, null, "PRAGMA temp_store = MEMORY;");
            // A checkpoint copies each page changed since the last into the database file, reading it back from the WAL
            // first. The writer changes the same few pages (the ends of the log, its indexes and the Merkle tree's
            // levels) in every commit, so checkpointing every 10,000 pages instead of SQLite's 1,000 copies each of them
            // a tenth as often (docs/performance.md, "Checkpoints"). After a checkpoint the WAL file is cut back to 64 MiB if it grew past it (a
            // state snapshot's row is written whole).
            SqliteSchema.ScalarLong(writer, null, "PRAGMA wal_autocheckpoint = " + WalAutocheckpointPages.ToString(CultureInfo.InvariantCulture) + ";");
            SqliteSchema.ScalarLong(writer, null, "PRAGMA journal_size_limit = " + WalSizeLimitBytes.ToString(CultureInfo.InvariantCulture) + ";");
            SqliteSchema.Execute(writer, null, "PRAGMA busy_timeout = " + busyMs.ToString(CultureInfo.InvariantCulture) + ";");
            var pragmas = ReadPragmas(writer, null);
            if (pragmas.Synchronous != synchronous)
                throw new InvalidOperationException($"SQLite reports synchronous = {pragmas.Synchronous} for '{path}', expected {synchronous} ({options.Synchronous}).");
            if (!pragmas.ForeignKeys)
                throw new InvalidOperationException($"SQLite did not enable foreign_keys for '{path}'.");
            if (pragmas.WalAutocheckpointPages != WalAutocheckpointPages || pragmas.WalSizeLimitBytes != WalSizeLimitBytes)
                throw new InvalidOperationException($"SQLite reports wal_autocheckpoint = {pragmas.WalAutocheckpointPages} and journal_size_limit = {pragmas.WalSizeLimitBytes} for '{path}', expected {WalAutocheckpointPages} and {WalSizeLimitBytes}.");
            if (pragmas.BusyTimeoutMs != busyMs)
                throw new InvalidOperationException($"SQLite reports busy_timeout = {pragmas.BusyTimeoutMs} ms for '{path}', expected {busyMs}.");

            // The row seals' function, which the sealed tables' triggers call, exists on the writer only.
            RowSeals.Register(writer, _options.SealKey);
            var version = SqliteSchema.Migrate(writer, options.Migrations);
            var headSeq = SqliteSchema.ScalarLong(writer, null, "SELECT COALESCE(MAX(seq), 0) FROM events;");
            // Merkle log (§9): the tree must hold exactly one leaf per event, or every later append would be wrong.
            var leaves = MerkleTreeWriter.LeafCount(writer, null);
            string? logFailure = null;
            if (leaves != headSeq)
            {
                logFailure = $"The Merkle tree of the log holds {leaves} leaves but the transcript has {headSeq} events.";
                if (!options.OpenWithBrokenLog) throw new TranscriptIntegrityException($"The Merkle tree of '{path}' holds {leaves} leaves but the transcript has {headSeq} events.");
                _logger.LogCritical("Transcript {Path} opened without appends: the Merkle tree holds {Leaves} leaves for {HeadSeq} events", path, leaves, headSeq);
            }

            var read = new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadOnly,
                Pooling = true,
                DefaultTimeout = (int)Math.Max(1, options.BusyTimeout.TotalSeconds),
            }.ToString();

            _logger.LogInformation("Transcript {Path} open: schema version {Version}, head seq {HeadSeq}, synchronous {Synchronous}",
                path, version, headSeq, options.Synchronous);
            _readConnectionString = read;
            _writer = writer;
            _statements = new StatementCache(writer);
            _lock = lockFile;
            _headSeq = headSeq;
            LogIntegrityFailure = logFailure;
        }
        catch
        {
            writer?.Dispose();
            lockFile.Dispose();
            throw;
        }
    }

    internal void ThrowIfNotOpen()
    {
        if (Volatile.Read(ref _state) != (int)LifecycleState.Open)
            throw new InvalidOperationException($"The transcript '{_options.DatabasePath}' is not open yet: open the store before using it.");
    }

    private static SqlitePragmas ReadPragmas(SqliteConnection connection, SqliteTransaction? tx) => new(
        SqliteSchema.ScalarString(connection, tx, "PRAGMA journal_mode;"),
        SqliteSchema.ScalarLong(connection, tx, "PRAGMA synchronous;"),
        SqliteSchema.ScalarLong(connection, tx, "PRAGMA foreign_keys;") == 1,
        SqliteSchema.ScalarLong(connection, tx, "PRAGMA busy_timeout;"),
        SqliteSchema.ScalarLong(connection, tx, "PRAGMA user_version;"),
        SqliteSchema.ScalarLong(connection, tx, "PRAGMA temp_store;"),
        SqliteSchema.ScalarLong(connection, tx, "PRAGMA wal_autocheckpoint;"),
        SqliteSchema.ScalarLong(connection, tx, "PRAGMA journal_size_limit;"));
}
