using System.Data;
using System.Globalization;
using System.Text.Json.Nodes;
using Npgsql;
using Pact.Core.Encoding;
using Pact.Core.Errors;
using Pact.Core.Json;
using Pact.Core.TransparencyLog;
using Pact.Store.Relational;

namespace Pact.Store.Postgres;

/// <summary>
/// The audit of a PostgreSQL store (<see cref="IPactStore.AuditAsync"/>), the same checks as SQLite's: in one
/// repeatable-read transaction, the events are folded into a scratch schema by the same projections and Merkle code
/// the writer runs, and every read model, the Merkle tree, each log checkpoint's root, the column definitions and
/// the row seals are compared with what is stored. The transaction is rolled back: nothing of the scratch schema
/// stays. PostgreSQL has no in-database page check like SQLite's integrity_check; its data checksums
/// (<c>initdb --data-checksums</c>, reported by the diagnostics) catch damaged pages as they are read.
/// </summary>
internal static class PostgresStoreAudit
{

    public static async Task<StoreAudit> RunAsync(PostgresEventLog log, byte[] sealKey, IReadOnlyList<string> migrations,
        IReadOnlyList<IRelationalProjection> projections, CancellationToken ct)
    {
        await using var connection = await log.OpenReadConnectionAsync(ct).ConfigureAwait(false);
        return await Task.Run(() => Run(connection, sealKey, migrations, projections, ct), ct).ConfigureAwait(false);
    }

    private static StoreAudit Run(NpgsqlConnection connection, byte[] sealKey, IReadOnlyList<string> migrations,
        IReadOnlyList<IRelationalProjection> projections, CancellationToken ct)
    {
        using var tx = connection.BeginTransaction(IsolationLevel.RepeatableRead);
        var stored = Scalar(connection, tx, "SELECT current_schema()") as string ?? "public";
        var scratch = "pact_audit_" + Guid.NewGuid().ToString("N");
        var sessions = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        var global = new List<string>();
        try
        {
            // The first query fixes the snapshot everything below sees.
            var head = Convert.ToInt64(Scalar(connection, tx, $"SELECT COALESCE(MAX(seq), 0) FROM {stored}.events"), CultureInfo.InvariantCulture);
            Execute(connection, tx, $"SELECT set_config('pact.seal_key', 'k:{Hex.Encode(sealKey)}', true)");
            Execute(connection, tx, $"CREATE SCHEMA {scratch}; SET LOCAL search_path = {scratch}");
            foreach (var migration in migrations) Execute(connection, tx, migration);
            var schema = SchemaDifferences(connection, tx, stored, scratch);
            var broken = Fold(connection, tx, stored, head, projections, ct);
            foreach (var (table, sessionColumn, seqColumn) in StoreAuditTables.Compared)
            {
                ct.ThrowIfCancellationRequested();
                Compare(connection, tx, stored, scratch, table, sessionColumn, seqColumn, broken, sessions, global);
            }
            global.AddRange(CheckpointRoots(connection, tx, stored, head, broken));
            global.AddRange(BrokenSeals(connection, tx, stored));
            return new StoreAudit(head, schema,
                sessions.ToDictionary(s => s.Key, s => (IReadOnlyList<string>)[.. s.Value], StringComparer.Ordinal), global);
        }
        finally
        {
            tx.Rollback();
        }
    }

    /// <summary>Columns whose definition in the stored schema is not the one the migrations give (a renamed or retyped column reads rows differently).</summary>
    private static List<string> SchemaDifferences(NpgsqlConnection connection, NpgsqlTransaction tx, string stored, string scratch)
    {
        using var command = new NpgsqlCommand("""
            SELECT 'stored', table_name, column_name FROM (
                SELECT table_name, column_name, data_type, collation_name, is_nullable FROM information_schema.columns WHERE table_schema = $1
                EXCEPT SELECT table_name, column_name, data_type, collation_name, is_nullable FROM information_schema.columns WHERE table_schema = $2) AS s
            UNION ALL
            SELECT 'migrations', table_name, column_name FROM (
                SELECT table_name, column_name, data_type, collation_name, is_nullable FROM information_schema.columns WHERE table_schema = $2
                EXCEPT SELECT table_name, column_name, data_type, collation_name, is_nullable FROM information_schema.columns WHERE table_schema = $1) AS m
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stored });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = scratch });
        using var reader = command.ExecuteReader();
        var differences = new List<string>();
        while (reader.Read() && differences.Count < StoreAuditTables.ReportLimit)
        {
            differences.Add($"schema: the column {reader.GetString(1)}.{reader.GetString(2)} " +
                (reader.GetString(0) == "stored" ? "in the database is not one the migrations give." : "that the migrations give is not in the database."));
        }
        return differences;
    }

    /// <summary>Folds every stored event into the scratch schema as the writer did; returns each stream with a row that fails its checks, with that row's seq.</summary>
    private static Dictionary<string, long> Fold(NpgsqlConnection connection, NpgsqlTransaction tx, string stored, long head,
        IReadOnlyList<IRelationalProjection> projections, CancellationToken ct)
    {
        var audited = new AuditedRows();
        var rows = new List<StoredEventRow>();
        using (var read = new NpgsqlCommand($"SELECT seq, stream, stream_seq, type, time, actor, data, prev_hash, hash FROM {stored}.events WHERE seq <= $1 ORDER BY seq", connection, tx))
        {
            read.Parameters.Add(new NpgsqlParameter<long> { TypedValue = head });
            using var reader = read.ExecuteReader();
            while (reader.Read())
            {
                rows.Add(new StoredEventRow(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
                    reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8)));
            }
        }
        var frontier = MerkleFrontier.Load(connection, tx, 0);
        foreach (var row in rows)
        {
            ct.ThrowIfCancellationRequested();
            if (audited.Admit(row) is not { } e) continue;
            Execute(connection, tx, "SAVEPOINT pact_audit_event");
            try
            {
                Insert(connection, tx, row, frontier);
                var context = new PostgresAppendContext(connection, tx, [e]);
                foreach (var projection in projections) projection.Apply(context);
                Execute(connection, tx, "RELEASE SAVEPOINT pact_audit_event");
            }
            catch (Exception x) when (x is not OperationCanceledException and not NpgsqlException || x is PostgresException)
            {
                // What this event left half-written is undone and put down to its stream.
                Execute(connection, tx, "ROLLBACK TO SAVEPOINT pact_audit_event; RELEASE SAVEPOINT pact_audit_event");
                audited.MarkBroken(row);
            }
        }
        return audited.Broken;
    }

    private static void Insert(NpgsqlConnection connection, NpgsqlTransaction tx, StoredEventRow row, MerkleFrontier frontier)
    {
        using var insert = new NpgsqlCommand("INSERT INTO events (seq, stream, stream_seq, type, time, actor, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", connection, tx);
        foreach (var value in new object[] { row.Seq, row.Stream, row.StreamSeq, row.Type, row.Time, row.Actor, row.Data, row.PrevHash, row.Hash })
            insert.Parameters.Add(new NpgsqlParameter { Value = value });
        insert.ExecuteNonQuery();
        // A hash that is not hex leaves no leaf; the tree then differs, and is put down to this row's stream.
        if (row.Hash.Length != 64 || !row.Hash.All(Uri.IsHexDigit)) return;
        foreach (var node in MerkleProofs.SubtreesCompletedBy(frontier, row.Seq - 1, MerkleHash.LeafHash(Hex.Decode(row.Hash))))
        {
            using var write = new NpgsqlCommand("INSERT INTO merkle_nodes (level, idx, hash) VALUES ($1, $2, $3)", connection, tx);
            write.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)node.Level });
            write.Parameters.Add(new NpgsqlParameter<long> { TypedValue = node.Index });
            write.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = node.Hash });
            write.ExecuteNonQuery();
            frontier.Add(node);
        }
    }

    private static void Compare(NpgsqlConnection connection, NpgsqlTransaction tx, string stored, string scratch, string table, string? sessionColumn,
        string? seqColumn, Dictionary<string, long> brokenStreams, SortedDictionary<string, SortedSet<string>> sessions, List<string> global)
    {
        var key = sessionColumn ?? seqColumn ?? (table == "merkle_nodes" ? "level, idx" : "*");
        using var command = new NpgsqlCommand($"""
            SELECT 'fold', {key} FROM (SELECT * FROM {scratch}.{table} EXCEPT ALL SELECT * FROM {stored}.{table}) AS f
            UNION ALL
            SELECT 'stored', {key} FROM (SELECT * FROM {stored}.{table} EXCEPT ALL SELECT * FROM {scratch}.{table}) AS s
            """, connection, tx);
        var differences = new List<(string Side, object?[] Key, string Described)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var values = new object?[reader.FieldCount - 1];
                for (var i = 1; i < reader.FieldCount; i++) values[i - 1] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                differences.Add((reader.GetString(0), values, Describe(reader)));
            }
        }
        var described = 0;
        foreach (var (side, values, description) in differences)
        {
            if (sessionColumn is not null)
            {
                Add(sessions, Convert.ToString(values[0], CultureInfo.InvariantCulture) ?? "(null)", table);
                continue;
            }
            var (first, last) = seqColumn is not null && values[0] is long seq ? (seq, seq)
                : table == "merkle_nodes" && values[0] is short level and >= 0 and < 63 && values[1] is long index
                    ? ((index << level) + 1, (index + 1) << level) : (0L, -1L);
            // A row over an event that fails its own checks differs because of it: the replay quarantines that session already.
            if (StreamsOf(connection, tx, scratch, first, last).Any(brokenStreams.ContainsKey)) continue;
            if (brokenStreams.Count > 0 && table == "merkle_nodes" && Count(connection, tx, scratch, first, last) < last - first + 1) continue;
            if (described++ < StoreAuditTables.ReportLimit)
                global.Add($"{table}: a row {(side == "fold" ? "the events give is missing or altered in the database" : "in the database is not what the events give")} ({description}).");
        }
    }

    private static void Add(SortedDictionary<string, SortedSet<string>> sessions, string sessionId, string table)
    {
        if (!sessions.TryGetValue(sessionId, out var tables)) sessions[sessionId] = tables = new SortedSet<string>(StringComparer.Ordinal);
        tables.Add(table);
    }

    private static List<string> StreamsOf(NpgsqlConnection connection, NpgsqlTransaction tx, string scratch, long first, long last)
    {
        using var command = new NpgsqlCommand($"SELECT DISTINCT stream FROM {scratch}.events WHERE seq BETWEEN $1 AND $2", connection, tx);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = first });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = last });
        using var reader = command.ExecuteReader();
        var streams = new List<string>();
        while (reader.Read()) streams.Add(reader.GetString(0));
        return streams;
    }

    private static long Count(NpgsqlConnection connection, NpgsqlTransaction tx, string scratch, long first, long last)
    {
        using var command = new NpgsqlCommand($"SELECT count(*) FROM {scratch}.events WHERE seq BETWEEN $1 AND $2", connection, tx);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = first });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = last });
        return (long)command.ExecuteScalar()!;
    }

    private static string Describe(NpgsqlDataReader reader)
    {
        var parts = new List<string>();
        for (var i = 1; i < reader.FieldCount; i++)
            parts.Add($"{reader.GetName(i)} {(reader.IsDBNull(i) ? "null" : reader.GetValue(i) is byte[] b ? Hex.Encode(b) : reader.GetValue(i))}");
        return string.Join(", ", parts);
    }

    /// <summary>The sealed tables whose rows do not carry the seal of what they hold (the audit's session holds the key).</summary>
    private static List<string> BrokenSeals(NpgsqlConnection connection, NpgsqlTransaction tx, string stored)
    {
        var failures = new List<string>();
        foreach (var (table, columns) in Sqlite.RowSeals.Tables)
        {
            var values = string.Join(", ", columns.Split(", ").Select(c => c + "::text"));
            var broken = (long)Scalar(connection, tx, $"SELECT count(*) FROM {stored}.{table} WHERE seal IS DISTINCT FROM {stored}.pact_seal('{table}', {values})")!;
            if (broken > 0) failures.Add($"{table}: {broken} row(s) do not carry the seal of what they hold.");
        }
        return failures;
    }

    /// <summary>Each stored log checkpoint's root against the root of the rebuilt tree at its size.</summary>
    private static List<string> CheckpointRoots(NpgsqlConnection connection, NpgsqlTransaction tx, string stored, long head, Dictionary<string, long> brokenStreams)
    {
        var checkpoints = new List<(long Size, byte[]? Root)>();
        using (var command = new NpgsqlCommand($"SELECT tree_size, root FROM {stored}.log_checkpoints WHERE tree_size <= $1 ORDER BY tree_size", connection, tx))
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = head });
            using var reader = command.ExecuteReader();
            while (reader.Read()) checkpoints.Add((reader.GetInt64(0), reader.IsDBNull(1) ? null : (byte[])reader.GetValue(1)));
        }
        var failures = new List<string>();
        using var source = new PostgresSubtreeSource(connection, tx); // the scratch tree: search_path names it first
        foreach (var (size, storedRoot) in checkpoints)
        {
            if (failures.Count >= StoreAuditTables.ReportLimit) break;
            byte[]? root;
            try
            {
                root = MerkleProofs.Root(source, size);
            }
            catch (TranscriptIntegrityException)
            {
                root = null;
            }
            if (root is not null && storedRoot is not null && root.AsSpan().SequenceEqual(storedRoot)) continue;
            if (!brokenStreams.Values.Any(seq => seq <= size))
                failures.Add($"log_checkpoints: the checkpoint of tree size {size} records root {(storedRoot is null ? "null" : Hex.Encode(storedRoot))}, but the events give {(root is null ? "fewer leaves" : Hex.Encode(root))}.");
        }
        return failures;
    }

    private static object? Scalar(NpgsqlConnection connection, NpgsqlTransaction tx, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, tx);
        return command.ExecuteScalar();
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, tx);
        command.ExecuteNonQuery();
    }
}
