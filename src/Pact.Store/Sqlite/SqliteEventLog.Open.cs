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

namespace Pact.Store.Sqlite;

// Opening the file: the lock against a second writer, pragmas set and read back, migrations, the Merkle tree checked against the events.
internal sealed partial class SqliteEventLog
{
    public static Task<SqliteEventLog> OpenAsync(PactStoreOptions options, ILogger? logger = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is [var problem, ..]) throw new ArgumentException(problem, nameof(options));
        var synchronous = options.Synchronous.Equals("FULL", StringComparison.OrdinalIgnoreCase) ? 2L : 1L;
        ct.ThrowIfCancellationRequested();

        var log = logger ?? NullLogger<SqliteEventLog>.Instance;
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

            var journal = SqliteSchema.ScalarString(writer, null, "PRAGMA journal_mode = WAL;");
            if (!string.Equals(journal, "wal", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"SQLite refused WAL mode for '{path}' (journal_mode is '{journal}'); the transcript needs WAL (is the file on a network or read-only file system?).");
            SqliteSchema.Execute(writer, null, $"PRAGMA synchronous = {options.Synchronous};");
            SqliteSchema.Execute(writer, null, "PRAGMA foreign_keys = ON;");
            // Savepoints (one per request in a batch) journal the pages they change; that journal only ever serves a
            // rollback inside this transaction, so keep it in memory instead of a temp file (~40 fewer writes per commit).
            SqliteSchema.Execute(writer, null, "PRAGMA temp_store = MEMORY;");
            SqliteSchema.Execute(writer, null, "PRAGMA busy_timeout = " + busyMs.ToString(CultureInfo.InvariantCulture) + ";");
            var pragmas = ReadPragmas(writer, null);
            if (pragmas.Synchronous != synchronous)
                throw new InvalidOperationException($"SQLite reports synchronous = {pragmas.Synchronous} for '{path}', expected {synchronous} ({options.Synchronous}).");
            if (!pragmas.ForeignKeys)
                throw new InvalidOperationException($"SQLite did not enable foreign_keys for '{path}'.");
            if (pragmas.BusyTimeoutMs != busyMs)
                throw new InvalidOperationException($"SQLite reports busy_timeout = {pragmas.BusyTimeoutMs} ms for '{path}', expected {busyMs}.");

            var version = SqliteSchema.Migrate(writer, options.Migrations);
            var headSeq = SqliteSchema.ScalarLong(writer, null, "SELECT COALESCE(MAX(seq), 0) FROM events;");
            // Merkle log (§9): the tree must hold exactly one leaf per event, or every later append would be wrong.
            var leaves = MerkleTreeWriter.LeafCount(writer, null);
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
            return Task.FromResult(new SqliteEventLog(options, log, read, writer, lockFile, headSeq) { LogIntegrityFailure = logFailure });
        }
        catch
        {
            writer?.Dispose();
            lockFile.Dispose();
            throw;
        }
    }


    private static SqlitePragmas ReadPragmas(SqliteConnection connection, SqliteTransaction? tx) => new(
        SqliteSchema.ScalarString(connection, tx, "PRAGMA journal_mode;"),
        SqliteSchema.ScalarLong(connection, tx, "PRAGMA synchronous;"),
        SqliteSchema.ScalarLong(connection, tx, "PRAGMA foreign_keys;") == 1,
        SqliteSchema.ScalarLong(connection, tx, "PRAGMA busy_timeout;"),
        SqliteSchema.ScalarLong(connection, tx, "PRAGMA user_version;"),
        SqliteSchema.ScalarLong(connection, tx, "PRAGMA temp_store;"));
}
