using System.Net;
using System.Text.Json.Nodes;
using Pact.Core.Envelopes;
using Pact.Core.Json;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests;

public class RestartTests
{
    /// <summary>The store the daemons of these tests run on (Postgres/OnPostgres.cs runs them again on PostgreSQL).</summary>
    protected virtual DaemonStore Store => DaemonStore.Default;

    [Fact]
    public async Task Agents_sessions_compacts_nonces_and_the_daemon_key_survive_a_restart()
    {
        await using var host = await DaemonHost.StartAsync(store: Store);
        var contractor = await Negotiator.RegisterAsync(host, "Acme");
        var homeowner = await Negotiator.RegisterAsync(host, "Dana", "human");
        var session = (await contractor.Client.CreateSessionAsync([contractor.Did, homeowner.Did])).SessionId;
        var terms = await contractor.DraftAsync(homeowner);
        var proposal = await contractor.Client.ProposeAsync(session, terms, contractor.Authority);
        var record = await homeowner.Client.SignProposalAsync(proposal.ProposalId, homeowner.Authority);
        var open = await contractor.Client.ProposeAsync(session, await contractor.DraftAsync(homeowner), contractor.Authority);

        using var http = host.CreateHttpClient();
        var daemonId = await TestAgent.DaemonIdOf(http);
        var raw = new TestAgent(http, daemonId);
        (await raw.RegisterAsync()).Status.Should().Be(HttpStatusCode.Created);
        var other = new TestAgent(http, daemonId);
        await other.RegisterAsync();
        var create = raw.Sign("session.create", new JsonObject { ["participants"] = new JsonArray(raw.Did, other.Did) });
        var created = await raw.PostAsync("/v1/sessions", create);

        await host.RestartAsync();
        using var after = host.CreateHttpClient();
        (await TestAgent.DaemonIdOf(after)).Should().Be(daemonId, "the daemon key is kept in the data directory");
        var rawAfter = new TestAgent(after, daemonId, raw.Key);

        var replay = await rawAfter.PostAsync("/v1/sessions", create);
        replay.Text.Should().Be(created.Text, "a nonce and its response outlive the restart");
        var reused = await rawAfter.PostAsync("/v1/sessions", rawAfter.Sign("session.create",
            new JsonObject { ["participants"] = new JsonArray(raw.Did, other.Did), ["topic"] = "other" }, nonce: create.Nonce));
        reused.Code.Should().Be("PACT-203");

        var copy = await homeowner.Client.GetCompactVersionAsync(terms["compactId"]!.GetValue<string>(), 1);
        Jcs.CanonicalString(copy.ToJson()).Should().Be(Jcs.CanonicalString(record.ToJson()));
        (await homeowner.Client.GetSessionAsync(session)).Status.Should().Be("active");
        (await homeowner.Client.GetProposalAsync(open.ProposalId)).Status.Should().Be("open");
        // The negotiation state was rebuilt: the open proposal can still be signed.
        await homeowner.Client.SignProposalAsync(open.ProposalId, homeowner.Authority);
        var events = await contractor.Client.GetEventsAsync(session);
        events.Events.Select(e => e.StreamSeq).Should().Equal(Enumerable.Range(1, events.Events.Count).Select(i => (long)i));
    }
}
