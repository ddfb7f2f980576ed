using System.Security.Cryptography;
using Npgsql;
using Pact.Core.Encoding;

namespace Pact.Store.Postgres;

/// <summary>
/// The log's schema on PostgreSQL and the migration runner. Text that is ordered or paged on is <c>COLLATE "C"</c>
/// (ordinal, like SQLite's), whatever the database's default collation.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The store's own migrations, frozen once released: later ones are appended.</summary>
    public static readonly IReadOnlyList<string> StoreMigrations =
    [
        """
        CREATE TABLE schema_migrations (
            version integer PRIMARY KEY,
            sha256  text    NOT NULL
        );
        CREATE FUNCTION pact_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
        CREATE TABLE events (
            seq        bigint PRIMARY KEY CHECK (seq >= 1),
            stream     text   COLLATE "C" NOT NULL,
            stream_seq bigint NOT NULL CHECK (stream_seq >= 1),
            type       text   NOT NULL,
            time       text   NOT NULL,
            actor      text   NOT NULL,
            data       text   NOT NULL, -- the canonical JSON text that was hashed, byte for byte
            prev_hash  text   NOT NULL CHECK (length(prev_hash) = 64),
            hash       text   NOT NULL CHECK (length(hash) = 64),
            UNIQUE (stream, stream_seq)
        );
        CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
            FOR EACH ROW EXECUTE FUNCTION pact_append_only();
        CREATE TRIGGER events_never_truncated BEFORE TRUNCATE ON events
            FOR EACH STATEMENT EXECUTE FUNCTION pact_append_only();
        -- The log's Merkle tree (§9): every perfect subtree, written in the transaction of the events it covers.
        CREATE TABLE merkle_nodes (
            level smallint NOT NULL CHECK (level BETWEEN 0 AND 62),
            idx   bigint   NOT NULL CHECK (idx >= 0),
            hash  bytea    NOT NULL CHECK (length(hash) = 32),
            PRIMARY KEY (level, idx)
        );
        CREATE TRIGGER merkle_nodes_append_only BEFORE UPDATE OR DELETE ON merkle_nodes
            FOR EACH ROW EXECUTE FUNCTION pact_append_only();
        CREATE TRIGGER merkle_nodes_never_truncated BEFORE TRUNCATE ON merkle_nodes
            FOR EACH STATEMENT EXECUTE FUNCTION pact_append_only();
        CREATE TABLE log_checkpoints (
            tree_size bigint PRIMARY KEY CHECK (tree_size >= 1),
            root      bytea  NOT NULL CHECK (length(root) = 32),
            note      text   NOT NULL,
            signed_at text   NOT NULL
        );
        CREATE TRIGGER log_checkpoints_append_only BEFORE UPDATE OR DELETE ON log_checkpoints
            FOR EACH ROW EXECUTE FUNCTION pact_append_only();
        CREATE TRIGGER log_checkpoints_never_truncated BEFORE TRUNCATE ON log_checkpoints
            FOR EACH STATEMENT EXECUTE FUNCTION pact_append_only();
        """,
    ];

    /// <summary>
    /// Brings the database to <c>store + extra</c> migrations, each in its own transaction, under a transaction-level
    /// advisory lock so that two instances starting at once do not both apply one. Refuses a newer or altered history.
    /// </summary>
    public static int Migrate(NpgsqlConnection connection, IReadOnlyList<string> extraMigrations)
    {
        var all = StoreMigrations.Concat(extraMigrations).ToList();
        for (var v = 1; ; v++)
        {
            using var tx = connection.BeginTransaction();
            Execute(connection, tx, $"SELECT pg_advisory_xact_lock({PostgresLocks.Migrations});");
            var applied = ReadApplied(connection, tx);
            if (applied.Count > all.Count)
                throw new InvalidOperationException(
                    $"The transcript database is at schema version {applied.Count}, but this build knows only {all.Count} migrations; refusing to open a newer database.");
            for (var known = 1; known <= applied.Count; known++)
            {
                if (!applied.TryGetValue(known, out var sha))
                    throw new InvalidOperationException($"Schema migration {known} is missing from schema_migrations.");
                if (sha != Checksum(all[known - 1]))
                    throw new InvalidOperationException(
                        $"Schema migration {known} differs from the one applied to this database; migrations may only be appended, never edited or reordered.");
            }
            if (applied.Count == all.Count)
            {
                tx.Commit();
                return all.Count;
            }
            var next = applied.Count + 1;
            Execute(connection, tx, all[next - 1]);
            using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, sha256) VALUES (@v, @sha);", connection, tx))
            {
                record.Parameters.AddWithValue("v", next);
                record.Parameters.AddWithValue("sha", Checksum(all[next - 1]));
                record.ExecuteNonQuery();
            }
            tx.Commit();
        }
    }

    private static Dictionary<int, string> ReadApplied(NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        var applied = new Dictionary<int, string>();
        if (ScalarLong(connection, tx, "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'schema_migrations';") == 0)
            return applied;
        using var read = new NpgsqlCommand("SELECT version, sha256 FROM schema_migrations ORDER BY version;", connection, tx);
        using var reader = read.ExecuteReader();
        while (reader.Read()) applied[reader.GetInt32(0)] = reader.GetString(1);
        return applied;
    }

    // Line endings normalized so a checkout on another platform does not look like an edited migration.
    private static string Checksum(string script) =>
        Hex.Encode(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(script.ReplaceLineEndings("\n"))));

    public static void Execute(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, tx);
        command.ExecuteNonQuery();
    }

    public static long ScalarLong(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, tx);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>The advisory-lock keys Pact takes (one 64-bit key space per database; these spell "pact" and a role).</summary>
internal static class PostgresLocks
{
    /// <summary>Held for as long as an instance is the writer: the one that assigns seq and appends.</summary>
    public const long Writer = 0x7061_6374_0000_0001;

    /// <summary>Held while a migration runs, so that instances starting together apply each migration once.</summary>
    public const long Migrations = 0x7061_6374_0000_0002;
}
