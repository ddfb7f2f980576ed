using FluentAssertions;
using Pact.Core.Json;

namespace Pact.Store.Tests;

/// <summary>
/// The fourth read-model migration replaced each session's stored state text with the session's proposal and compact
/// rows: a transcript written by the earlier schema must read back the same §7 state after it.
/// </summary>
public sealed class SessionStateMigrationTests : IDisposable
{
    private const string SessionId = "ses_01JD0000000000000000000000";
    private static readonly string[] Participants = ["did:key:z6MkB", "did:key:z6MkA"];

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pact-migration-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_session_stored_under_the_earlier_schema_reads_back_the_same_state()
    {
        // The state text the earlier schema kept; participants deliberately not in sorted order.
        var stored = (System.Text.Json.Nodes.JsonObject)StrictJson.Parse($$"""
            {"sessionId":"{{SessionId}}","status":"suspended","topic":"kitchen","participants":["did:key:z6MkB","did:key:z6MkA"],
             "proposals":[{"proposalId":"prp_1","compactId":"cmp_1","version":1,"termsHash":"{{new string('a', 64)}}","proposer":"a","status":"signed"},
                          {"proposalId":"prp_2","compactId":"cmp_1","version":2,"termsHash":"{{new string('b', 64)}}","proposer":"b","status":"open"}],
             "compacts":[{"compactId":"cmp_1","version":1,"compactHash":"{{new string('c', 64)}}","status":"in-force"}]}
            """)!;
        await using (var old = await OpenAsync(ReadModelSchema.Migrations.Take(3)))
        {
            await old.WriteAsync(context =>
            {
                Execute(context, "INSERT INTO sessions(session_id, status, topic, metadata, created_at, state) VALUES ($1, 'suspended', 'kitchen', NULL, '2026-11-21T00:00:00.000Z', $2)",
                    SessionId, Jcs.CanonicalString(stored));
                foreach (var (id, version, hash, proposer, status) in new[] { ("prp_1", 1L, 'a', "a", "signed"), ("prp_2", 2L, 'b', "b", "open") })
                {
                    Execute(context, """
                        INSERT INTO proposals(proposal_id, session_id, compact_id, version, status, proposer, terms, terms_hash, signatures, created_at, history)
                        VALUES ($1, $2, 'cmp_1', $3, $4, $5, '{}', $6, '[]', '2026-11-21T00:00:00.000Z', '[]')
                        """, id, SessionId, version, status, proposer, new string(hash, 64));
                }
                Execute(context, """
                    INSERT INTO compacts(compact_id, version, session_id, status, agent_a, agent_b, compact_hash, record, in_force_at, history)
                    VALUES ('cmp_1', 1, $1, 'in-force', 'did:key:z6MkA', 'did:key:z6MkB', $2, '{}', '2026-11-21T00:00:00.000Z', '[]')
                    """, SessionId, new string('c', 64));
                return 0;
            });
        }

        await using var store = await SqlitePactStore.OpenAsync(new PactStoreOptions { DatabasePath = Path.Combine(_dir, "pact.db") });
        var sessions = store.Sessions;
        var row = await sessions.GetAsync(SessionId, CancellationToken.None);
        row!.Participants.Should().Equal(Participants, "the creation order survives the move out of the state text");
        var state = await sessions.GetStateAsync(SessionId, CancellationToken.None);
        Jcs.CanonicalString(state!.ToJson()).Should().Be(Jcs.CanonicalString(stored));
    }

    private Task<SqliteEventLog> OpenAsync(IEnumerable<string> migrations) =>
        SqliteEventLog.OpenAsync(new PactStoreOptions { DatabasePath = Path.Combine(_dir, "pact.db"), Migrations = [.. migrations] });

    private static void Execute(AppendContext context, string sql, params object[] values)
    {
        using var command = context.CreateCommand(sql);
        for (var i = 0; i < values.Length; i++) command.Parameters.AddWithValue("$" + (i + 1), values[i]);
        command.ExecuteNonQuery();
    }
}
