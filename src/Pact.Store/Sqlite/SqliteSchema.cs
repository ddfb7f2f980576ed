using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Pact.Core.Encoding;

namespace Pact.Store.Sqlite;

/// <summary>The store's own schema and the migration runner shared with the daemon's read-model scripts.</summary>
internal static class SqliteSchema
{
    /// <summary>
    /// The store's migrations. user_version counts these and the daemon's together, so this list is frozen:
    /// a later store change must be appended here only together with a plan for the daemon's numbering.
    /// </summary>
    public static readonly IReadOnlyList<string> StoreMigrations =
    [
        """
        CREATE TABLE events (
            seq        INTEGER PRIMARY KEY,
            stream     TEXT    NOT NULL,
            stream_seq INTEGER NOT NULL CHECK (stream_seq >= 1),
            type       TEXT    NOT NULL,
            time       TEXT    NOT NULL,
            actor      TEXT    NOT NULL,
            data       TEXT    NOT NULL,
            prev_hash  TEXT    NOT NULL CHECK (length(prev_hash) = 64),
            hash       TEXT    NOT NULL CHECK (length(hash) = 64),
            UNIQUE (stream, stream_seq)
        ) STRICT;
        -- The UNIQUE constraint's index (stream, stream_seq) serves stream reads and head look-ups.
        CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'transcript events are append-only'); END;
        CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'transcript events are append-only'); END;
        CREATE TABLE schema_migrations (
            version INTEGER PRIMARY KEY,
            sha256  TEXT    NOT NULL
        ) STRICT;
        -- The log's Merkle tree (§9): every perfect subtree, (level, idx) = 2^level leaves from leaf idx·2^level,
        -- written in the same transaction as the events it covers.
        CREATE TABLE merkle_nodes (
            level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 62),
            idx   INTEGER NOT NULL CHECK (idx >= 0),
            hash  BLOB    NOT NULL CHECK (length(hash) = 32),
            PRIMARY KEY (level, idx)
        ) STRICT, WITHOUT ROWID;
        CREATE TRIGGER merkle_nodes_append_only_update BEFORE UPDATE ON merkle_nodes
        BEGIN SELECT RAISE(ABORT, 'Merkle nodes are append-only'); END;
        CREATE TRIGGER merkle_nodes_append_only_delete BEFORE DELETE ON merkle_nodes
        BEGIN SELECT RAISE(ABORT, 'Merkle nodes are append-only'); END;
        -- Every signed checkpoint of the log, kept so proofs can be served for any checkpointed size.
        CREATE TABLE log_checkpoints (
            tree_size INTEGER PRIMARY KEY CHECK (tree_size >= 1),
            root      BLOB    NOT NULL CHECK (length(root) = 32),
            note      TEXT    NOT NULL,
            signed_at TEXT    NOT NULL
        ) STRICT;
        CREATE TRIGGER log_checkpoints_append_only_update BEFORE UPDATE ON log_checkpoints
        BEGIN SELECT RAISE(ABORT, 'log checkpoints are append-only'); END;
        CREATE TRIGGER log_checkpoints_append_only_delete BEFORE DELETE ON log_checkpoints
        BEGIN SELECT RAISE(ABORT, 'log checkpoints are append-only'); END;
        """,
    ];

    /// <summary>Brings the database to <c>store + daemon</c> migrations; refuses a newer or an altered history.</summary>
    public static long Migrate(SqliteConnection connection, IReadOnlyList<string> daemonMigrations)
    {
        var all = StoreMigrations.Concat(daemonMigrations).ToList();
        var current = ScalarLong(connection, null, "PRAGMA user_version;");
        if (current > all.Count)
            throw new InvalidOperationException(
                $"The transcript database is at schema version {current}, but this build knows only {all.Count} migrations; refusing to open a newer database.");

        if (current > 0)
        {
            // An applied migration that has since been edited or reordered means the schema is not what the code expects.
            using var read = connection.CreateCommand();
            read.CommandText = "SELECT version, sha256 FROM schema_migrations ORDER BY version;";
            var applied = new Dictionary<long, string>();
            using (var reader = read.ExecuteReader())
                while (reader.Read()) applied[reader.GetInt64(0)] = reader.GetString(1);
            for (var v = 1; v <= current; v++)
            {
                if (!applied.TryGetValue(v, out var sha))
                    throw new InvalidOperationException($"Schema migration {v} is counted in user_version but not recorded in schema_migrations.");
                if (sha != Checksum(all[v - 1]))
                    throw new InvalidOperationException(
                        $"Schema migration {v} differs from the one applied to this database; migrations may only be appended, never edited or reordered.");
            }
        }

        for (var v = (int)current + 1; v <= all.Count; v++)
        {
            using var tx = connection.BeginTransaction(deferred: false);
            Execute(connection, tx, all[v - 1]);
            using (var record = connection.CreateCommand())
            {
                record.Transaction = tx;
                record.CommandText = "INSERT INTO schema_migrations (version, sha256) VALUES ($v, $sha);";
                record.Parameters.AddWithValue("$v", v);
                record.Parameters.AddWithValue("$sha", Checksum(all[v - 1]));
                record.ExecuteNonQuery();
            }
            // user_version lives in the file header and changes with the transaction.
            Execute(connection, tx, "PRAGMA user_version = " + v.ToString(CultureInfo.InvariantCulture) + ";");
            tx.Commit();
        }
        return all.Count;
    }

    // Line endings normalized so a checkout on another platform does not look like an edited migration.
    private static string Checksum(string script) =>
        Hex.Encode(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(script.ReplaceLineEndings("\n"))));

    public static void Execute(SqliteConnection connection, SqliteTransaction? tx, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static long ScalarLong(SqliteConnection connection, SqliteTransaction? tx, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public static string ScalarString(SqliteConnection connection, SqliteTransaction? tx, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "";
    }
}
