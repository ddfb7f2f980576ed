using FluentAssertions;
using Npgsql;
using Pact.Store.Postgres;
using Pact.Store.Tests.Conformance;
using Pact.Tests.Shared;

namespace Pact.Store.Tests.Postgres;

/// <summary>The PostgreSQL audit finds what was changed behind the writer's back, and puts it down to the right session.</summary>
public sealed class PostgresAuditTests
{
    [PostgresFact]
    public async Task Rows_changed_behind_the_writer_are_found_and_put_down_to_their_session_or_the_store()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        await using var store = await PostgresPactStore.OpenAsync(new PostgresStoreOptions { ConnectionString = connectionString });
        var generator = new PassportLogGenerator(7);
        for (var i = 0; i < 40; i++) await store.AppendAsync(generator.NextRequest());
        await store.SaveLogCheckpointAsync(new SignedLogCheckpoint(store.HeadSeq, await store.RootAsync(store.HeadSeq), "note", "2026-12-06T00:00:00.000Z"));
        (await store.AuditAsync()).IsClean.Should().BeTrue();

        string session;
        await using (var admin = new NpgsqlConnection(connectionString))
        {
            await admin.OpenAsync();
            await using (var pick = new NpgsqlCommand("SELECT session_id FROM compacts ORDER BY compact_id, version LIMIT 1", admin))
                session = (string)(await pick.ExecuteScalarAsync())!;
            // Triggers off for this session only: the writer's guards (append-only tree, seals) are what is being bypassed.
            await using var tamper = new NpgsqlCommand("""
                SET session_replication_role = replica;
                UPDATE compacts SET status = 'tampered' WHERE (compact_id, version) = (SELECT compact_id, version FROM compacts ORDER BY compact_id, version LIMIT 1);
                UPDATE passport_counts SET honored = honored + 1 WHERE seq = (SELECT max(seq) FROM passport_counts);
                UPDATE merkle_nodes SET hash = sha256(hash) WHERE level = 0 AND idx = 3;
                UPDATE log_checkpoints SET root = sha256(root);
                INSERT INTO agents (did, public_key, principal, registered_at) VALUES ('did:key:z6MkForged', 'pk', '{}', 'x');
                ALTER TABLE compacts RENAME COLUMN record TO record_json;
                """, admin);
            await tamper.ExecuteNonQueryAsync();
        }

        var audit = await store.AuditAsync();

        audit.ThroughSeq.Should().Be(store.HeadSeq);
        audit.Sessions.Should().ContainKey(session).WhoseValue.Should().Contain("compacts");
        audit.Global.Should().Contain(g => g.StartsWith("passport_counts:", StringComparison.Ordinal))
            .And.Contain(g => g.StartsWith("merkle_nodes:", StringComparison.Ordinal))
            .And.Contain(g => g.StartsWith("log_checkpoints:", StringComparison.Ordinal))
            .And.Contain("agents: 1 row(s) do not carry the seal of what they hold.");
        audit.FileDamage.Should().Contain(d => d.Contains("compacts.record", StringComparison.Ordinal));
    }
}
