using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Pact.Core.Encoding;
using Pact.Core.Errors;
using Pact.Core.Json;
using Pact.Core.TransparencyLog;

namespace Pact.Store.Sqlite;

/// <summary>
/// The full check of a store file (<see cref="IPactStore.AuditAsync"/>). The read models are rebuilt from the events
/// by the very projections the writer runs, in a private scratch database, and compared row for row with the stored
/// tables; the Merkle tree is rebuilt the same way and each log checkpoint's root recomputed; SQLite's
/// <c>integrity_check</c> covers what a comparison of tables cannot see (a damaged page, an index that no longer
/// matches its table). Everything is read in one snapshot of the file, so the writer may go on meanwhile.
/// </summary>
internal static class SqliteStoreAudit
{

    public static StoreAudit Run(string databasePath, byte[] sealKey, IReadOnlyList<string> migrations, IReadOnlyList<IInlineProjection> projections, CancellationToken ct)
    {
        // An empty Data Source is a private temporary database on disk, deleted when the connection closes.
        using var scratch = new SqliteConnection("Data Source=");
        scratch.Open();
        SqliteSchema.Execute(scratch, null, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;");
        RowSeals.Register(scratch, sealKey);
        SqliteSchema.Migrate(scratch, migrations);
        using (var attach = scratch.CreateCommand())
        {
            attach.CommandText = "ATTACH DATABASE $path AS stored;";
            attach.Parameters.AddWithValue("$path", databasePath);
            attach.ExecuteNonQuery();
        }

        using var tx = scratch.BeginTransaction(deferred: true);
        var fileDamage = new List<string>();
        var sessions = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        var global = new List<string>();
        long head = 0;
        try
        {
            // The first read of the stored file fixes the snapshot everything below sees.
            head = SqliteSchema.ScalarLong(scratch, tx, "SELECT COALESCE(MAX(seq), 0) FROM stored.events;");
            fileDamage.AddRange(IntegrityCheck(scratch, tx));
            fileDamage.AddRange(SchemaDifferences(scratch, tx));
            var brokenStreams = Fold(scratch, tx, head, projections, ct);
            foreach (var (table, sessionColumn, seqColumn) in StoreAuditTables.Compared)
            {
                ct.ThrowIfCancellationRequested();
                Compare(scratch, tx, table, sessionColumn, seqColumn, brokenStreams, sessions, global);
            }
            global.AddRange(CheckpointRoots(scratch, tx, head, brokenStreams));
            global.AddRange(BrokenSeals(scratch, tx));
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 11 or 26) // SQLITE_CORRUPT, SQLITE_NOTADB
        {
            fileDamage.Add($"SQLite cannot read the file: {e.Message}");
        }
        return new StoreAudit(head, fileDamage,
            sessions.ToDictionary(s => s.Key, s => (IReadOnlyList<string>)[.. s.Value], StringComparer.Ordinal), global);
    }

    private static List<string> IntegrityCheck(SqliteConnection connection, SqliteTransaction tx)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = $"PRAGMA stored.integrity_check({StoreAuditTables.ReportLimit});";
        using var reader = command.ExecuteReader();
        var messages = new List<string>();
        while (reader.Read()) messages.Add(reader.GetString(0));
        return messages is ["ok"] ? [] : messages;
    }

    /// <summary>
    /// The stored schema against the one the same migrations gave the scratch database: a definition altered in the
    /// file (a renamed column, a changed index) reads the same rows differently, which no comparison of rows shows.
    /// Triggers are left out: they read nothing, and a dropped guard shows in the rows written after it (seals, chains).
    /// </summary>
    private static List<string> SchemaDifferences(SqliteConnection connection, SqliteTransaction tx)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText =
            "SELECT 'file', name FROM (SELECT type, name, tbl_name, sql FROM stored.sqlite_schema WHERE type IN ('table', 'index') " +
            "EXCEPT SELECT type, name, tbl_name, sql FROM main.sqlite_schema WHERE type IN ('table', 'index')) " +
            "UNION ALL " +
            "SELECT 'migrations', name FROM (SELECT type, name, tbl_name, sql FROM main.sqlite_schema WHERE type IN ('table', 'index') " +
            "EXCEPT SELECT type, name, tbl_name, sql FROM stored.sqlite_schema WHERE type IN ('table', 'index'));";
        using var reader = command.ExecuteReader();
        var differences = new List<string>();
        while (reader.Read() && differences.Count < StoreAuditTables.ReportLimit)
        {
            differences.Add($"sqlite_schema: the definition of {(reader.IsDBNull(1) ? "(null)" : reader.GetValue(1))} " +
                (reader.GetString(0) == "file" ? "in the file is not one the migrations give." : "that the migrations give is not in the file."));
        }
        return differences;
    }

    /// <summary>
    /// Replays every stored event into the scratch database as the writer did: the row, its Merkle leaf and the
    /// subtrees it completes, then each projection. Events are folded as stored (checking them is the replay's and
    /// verify's work); each stream with a row that fails its checks is returned with that row's seq, so that what differs because of it is
    /// put down to its session rather than to the whole store.
    /// </summary>
    private static Dictionary<string, long> Fold(SqliteConnection scratch, SqliteTransaction tx, long head, IReadOnlyList<IInlineProjection> projections, CancellationToken ct)
    {
        var audited = new AuditedRows();
        using var statements = new StatementCache(scratch);
        using var read = scratch.CreateCommand();
        read.Transaction = tx;
        read.CommandText = $"SELECT {SqliteEventLog.EventColumns} FROM stored.events WHERE seq <= $head ORDER BY seq;";
        read.Parameters.AddWithValue("$head", head);
        using var reader = read.ExecuteReader();
        var folded = 0L;
        while (reader.Read())
        {
            if (++folded % 4096 == 0) ct.ThrowIfCancellationRequested();
            var row = new StoredEventRow(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8));
            if (audited.Admit(row) is not { } e) continue;
            try
            {
                Insert(statements, tx, row);
                MerkleTreeWriter.Append(statements, tx, [e]);
                var context = new AppendContext(scratch, tx, [e], statements);
                foreach (var projection in projections) projection.Apply(context);
            }
            catch (Exception x) when (x is not OperationCanceledException and not SqliteException { SqliteErrorCode: 11 or 26 })
            {
                // What this event left half-written differs from the stored rows and is put down to its stream.
                audited.MarkBroken(row);
            }
        }
        return audited.Broken;
    }

    private static void Insert(StatementCache statements, SqliteTransaction tx, StoredEventRow row)
    {
        using var insert = statements.Rent(SqliteEventLog.InsertEventSql, tx);
        insert.Parameters.AddWithValue("$seq", row.Seq);
        insert.Parameters.AddWithValue("$stream", row.Stream);
        insert.Parameters.AddWithValue("$streamSeq", row.StreamSeq);
        insert.Parameters.AddWithValue("$type", row.Type);
        insert.Parameters.AddWithValue("$time", row.Time);
        insert.Parameters.AddWithValue("$actor", row.Actor);
        insert.Parameters.AddWithValue("$data", row.Data);
        insert.Parameters.AddWithValue("$prevHash", row.PrevHash);
        insert.Parameters.AddWithValue("$hash", row.Hash);
        insert.ExecuteNonQuery();
    }

    /// <summary>
    /// The rows of <paramref name="table"/> that only the fold has or only the file has. A row with a session column is
    /// put down to that session; a row over events (a seq, a Merkle node's leaves) of a stream that fails its own
    /// checks is left to the replay, which quarantines that stream already; what is left differs for the whole store.
    /// </summary>
    private static void Compare(SqliteConnection connection, SqliteTransaction tx, string table, string? sessionColumn, string? seqColumn,
        Dictionary<string, long> brokenStreams, SortedDictionary<string, SortedSet<string>> sessions, List<string> global)
    {
        var key = sessionColumn ?? seqColumn ?? (table == "merkle_nodes" ? "level, idx" : "*");
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = $"""
            SELECT 'fold', {key} FROM (SELECT * FROM main.{table} EXCEPT SELECT * FROM stored.{table})
            UNION ALL
            SELECT 'file', {key} FROM (SELECT * FROM stored.{table} EXCEPT SELECT * FROM main.{table})
            """;
        using var reader = command.ExecuteReader();
        var described = 0;
        while (reader.Read())
        {
            var side = reader.GetString(0);
            if (sessionColumn is not null)
            {
                Add(sessions, reader.IsDBNull(1) ? "(null)" : Convert.ToString(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture)!, table);
                continue;
            }
            var streams = seqColumn is not null ? StreamsOf(connection, tx, reader.GetValue(1), reader.GetValue(1))
                : table == "merkle_nodes" && reader.GetValue(1) is long level and >= 0 and < 63 && reader.GetValue(2) is long index
                    ? StreamsOf(connection, tx, (index << (int)level) + 1, (index + 1) << (int)level)
                    : [];
            // A row over an event that fails its own checks, or over a missing one (its stream then skips a streamSeq),
            // differs because of it: the replay quarantines that session, or the whole log, already.
            if (streams.Any(brokenStreams.ContainsKey) || (brokenStreams.Count > 0 && seqColumn is null && table == "merkle_nodes" && HasGap(connection, tx, reader))) continue;
            if (described++ < StoreAuditTables.ReportLimit)
                global.Add($"{table}: a row {(side == "fold" ? "the events give is missing or altered in the file" : "in the file is not what the events give")} ({Describe(reader)}).");
        }
    }

    private static void Add(SortedDictionary<string, SortedSet<string>> sessions, string sessionId, string table)
    {
        if (!sessions.TryGetValue(sessionId, out var tables)) sessions[sessionId] = tables = new SortedSet<string>(StringComparer.Ordinal);
        tables.Add(table);
    }

    /// <summary>Whether the leaves under the Merkle node the reader is on include a seq the fold has no event for.</summary>
    private static bool HasGap(SqliteConnection connection, SqliteTransaction tx, SqliteDataReader node)
    {
        if (node.GetValue(1) is not long level || level is < 0 or > 62 || node.GetValue(2) is not long index) return false;
        var (first, last) = ((index << (int)level) + 1, (index + 1) << (int)level);
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "SELECT count(*) FROM main.events WHERE seq BETWEEN $first AND $last;";
        command.Parameters.AddWithValue("$first", first);
        command.Parameters.AddWithValue("$last", last);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) < last - first + 1;
    }

    /// <summary>The streams of the folded events with seq from <paramref name="first"/> to <paramref name="last"/> (a row's seq, or the leaves under a Merkle node).</summary>
    private static List<string> StreamsOf(SqliteConnection connection, SqliteTransaction tx, object first, object last)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "SELECT DISTINCT stream FROM main.events WHERE seq BETWEEN $first AND $last;";
        command.Parameters.AddWithValue("$first", first);
        command.Parameters.AddWithValue("$last", last);
        using var reader = command.ExecuteReader();
        var streams = new List<string>();
        while (reader.Read()) streams.Add(reader.GetString(0));
        return streams;
    }

    private static string Describe(SqliteDataReader reader)
    {
        var parts = new List<string>();
        for (var i = 1; i < reader.FieldCount; i++)
            parts.Add($"{reader.GetName(i)} {(reader.IsDBNull(i) ? "null" : reader.GetValue(i) is byte[] b ? Hex.Encode(b) : reader.GetValue(i))}");
        return string.Join(", ", parts);
    }

    /// <summary>The sealed tables whose rows do not carry the seal of what they hold (<see cref="RowSeals"/>).</summary>
    private static List<string> BrokenSeals(SqliteConnection connection, SqliteTransaction tx)
    {
        var failures = new List<string>();
        foreach (var (table, columns) in RowSeals.Tables)
        {
            var broken = SqliteSchema.ScalarLong(connection, tx, $"SELECT count(*) FROM stored.{table} WHERE seal IS NOT {RowSeals.Call(table, columns)};");
            if (broken > 0) failures.Add($"{table}: {broken} row(s) do not carry the seal of what they hold.");
        }
        return failures;
    }

    /// <summary>Each stored log checkpoint's root against the root of the rebuilt tree at its size.</summary>
    private static List<string> CheckpointRoots(SqliteConnection connection, SqliteTransaction tx, long head,
        Dictionary<string, long> brokenStreams)
    {
        var failures = new List<string>();
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "SELECT tree_size, root FROM stored.log_checkpoints WHERE tree_size <= $head ORDER BY tree_size;";
        command.Parameters.AddWithValue("$head", head);
        using var reader = command.ExecuteReader();
        using var source = new SqliteSubtreeSource(new SqliteCommand("SELECT hash FROM main.merkle_nodes WHERE level = $level AND idx = $idx;", connection, tx));
        while (reader.Read() && failures.Count < StoreAuditTables.ReportLimit)
        {
            var size = reader.GetInt64(0);
            var stored = reader.GetValue(1) as byte[];
            byte[]? root;
            try
            {
                root = MerkleProofs.Root(source, size);
            }
            catch (TranscriptIntegrityException)
            {
                root = null; // the events no longer reach this size: a row is missing
            }
            if (root is not null && stored is not null && root.AsSpan().SequenceEqual(stored)) continue;
            // A root over an event that fails its own checks differs because of it: the replay quarantines that session already.
            if (!brokenStreams.Values.Any(seq => seq <= size)) failures.Add($"log_checkpoints: the checkpoint of tree size {size} records root {(stored is null ? "null" : Hex.Encode(stored))}, but the events give {(root is null ? "fewer leaves" : Hex.Encode(root))}.");
        }
        return failures;
    }
}
