using System.Text.Json.Nodes;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Tests.Shared;

namespace Pact.Daemon.Tests.Postgres;

/// <summary>
/// U+0000 in a path segment or a query value: PostgreSQL's text cannot hold it, SQLite's can; both stores answer as
/// SQLite does (an id holding NUL is never found, a cursor holding NUL pages as its part before the NUL would).
/// </summary>
public sealed class NulCharacterTests
{
    [PostgresFact]
    public async Task A_NUL_in_an_id_or_a_query_value_is_answered_the_same_on_both_stores_and_never_with_a_5xx()
    {
        var sqlite = await AnswersAsync(DaemonStore.Sqlite);
        var postgres = await AnswersAsync(DaemonStore.Postgres);

        sqlite.Should().NotContain(a => a.Contains(" 5"), "SQLite is the reference and never fails these");
        postgres.Should().Equal(sqlite);
    }

    private static async Task<List<string>> AnswersAsync(DaemonStore store)
    {
        await using var host = await DaemonHost.StartAsync(store: store);
        using var http = host.CreateHttpClient();
        var agent = new TestAgent(http, await TestAgent.DaemonIdOf(http));
        (await agent.RegisterAsync()).Status.Should().Be(System.Net.HttpStatusCode.Created);
        var other = new TestAgent(http, await TestAgent.DaemonIdOf(http));
        await other.RegisterAsync();
        var sessions = new[] { await agent.CreateSessionAsync(other), await agent.CreateSessionAsync(other), await agent.CreateSessionAsync(other) }
            .Order(StringComparer.Ordinal).ToArray();
        var token = await agent.TokenAsync();
        var nul = Uri.EscapeDataString("\0");
        var first = Uri.EscapeDataString(sessions[0]);
        string[] paths =
        [
            $"/v1/sessions/{first}{nul}",
            $"/v1/sessions/{nul}",
            $"/v1/sessions/{first}{nul}/events",
            $"/v1/sessions/{first}{nul}/verify",
            $"/v1/sessions/{first}{nul}/state",
            $"/v1/agents/{Uri.EscapeDataString(agent.Did)}{nul}",
            $"/v1/agents/{Uri.EscapeDataString(agent.Did)}{nul}/passport",
            $"/v1/agents/{Uri.EscapeDataString(agent.Did)}/passport?asOf=2026-01-01T00:00:00Z{nul}",
            $"/v1/proposals/prp_{nul}",
            $"/v1/compacts/cmp_{nul}",
            $"/v1/compacts?status=active{nul}",
            $"/v1/compacts?party={Uri.EscapeDataString(agent.Did)}{nul}",
            $"/v1/compacts?after={nul}",
            $"/v1/sessions?status=active{nul}",
            $"/v1/sessions?participant={Uri.EscapeDataString(agent.Did)}{nul}",
            // Every stored id after the first, whose text is a prefix of the cursor: as if the cursor ended before the NUL.
            $"/v1/sessions?after={first}{nul}x",
            $"/v1/sessions?after={nul}",
            $"/v1/subscriptions?after={nul}",
            $"/v1/subscriptions/sub_{nul}",
            $"/v1/bundles/bnd_{nul}",
            $"/v1/mandates/mdt_{nul}",
            $"/v1/policies/{nul}",
        ];
        var answers = new List<string>();
        foreach (var path in paths)
        {
            var reply = await agent.GetAsync(path, token);
            // The sessions a page names, by their rank among the three (ids differ between the two daemons).
            var page = (reply.Json as JsonObject)?.Select(p => p.Value).OfType<JsonArray>().FirstOrDefault() ?? [];
            var ranks = string.Join(",", page.Select(i => i?["sessionId"]?.GetValue<string>() is { } id ? Array.IndexOf(sessions, id).ToString() : "?"));
            answers.Add($"{path.Replace(first, "{first}").Replace(Uri.EscapeDataString(agent.Did), "{did}")} {(int)reply.Status} {reply.Code} [{ranks}]");
        }
        return answers;
    }
}
