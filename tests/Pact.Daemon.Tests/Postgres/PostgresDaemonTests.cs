using Microsoft.Extensions.DependencyInjection;
using Pact.Core.Json;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;
using Pact.Tests.Shared;

namespace Pact.Daemon.Tests.Postgres;

/// <summary>The daemon on PostgreSQL (Pact:Store:Provider=postgres): the same negotiation, verification and restart as on SQLite.</summary>
public sealed class PostgresDaemonTests
{
    [PostgresFact]
    public async Task A_negotiation_on_PostgreSQL_verifies_and_everything_survives_a_restart()
    {
        var settings = new Dictionary<string, string>
        {
            ["Pact:Store:Provider"] = "postgres",
            ["Pact:Store:ConnectionString"] = await PostgresServer.CreateDatabaseAsync(),
        };
        await using var host = await DaemonHost.StartAsync(settings: settings);
        (await host.Services.GetRequiredService<IPactStore>().GetDiagnosticsAsync()).Engine.Should().Be("postgres");
        var contractor = await Negotiator.RegisterAsync(host, "Acme");
        var homeowner = await Negotiator.RegisterAsync(host, "Dana", "human");
        var session = (await contractor.Client.CreateSessionAsync([contractor.Did, homeowner.Did])).SessionId;
        var terms = await contractor.DraftAsync(homeowner);
        var proposal = await contractor.Client.ProposeAsync(session, terms, contractor.Authority);
        var record = await homeowner.Client.SignProposalAsync(proposal.ProposalId, homeowner.Authority);
        var open = await contractor.Client.ProposeAsync(session, await contractor.DraftAsync(homeowner), contractor.Authority);
        (await contractor.Client.VerifyAsync(session)).Ok.Should().BeTrue();

        await host.RestartAsync();

        var copy = await homeowner.Client.GetCompactVersionAsync(terms["compactId"]!.GetValue<string>(), 1);
        Jcs.CanonicalString(copy.ToJson()).Should().Be(Jcs.CanonicalString(record.ToJson()));
        (await homeowner.Client.GetProposalAsync(open.ProposalId)).Status.Should().Be("open");
        // The decision state was rebuilt from the PostgreSQL log: the open proposal can still be signed.
        await homeowner.Client.SignProposalAsync(open.ProposalId, homeowner.Authority);
        var events = await contractor.Client.GetEventsAsync(session);
        events.Events.Select(e => e.StreamSeq).Should().Equal(Enumerable.Range(1, events.Events.Count).Select(i => (long)i));
        (await contractor.Client.VerifyAsync(session)).Ok.Should().BeTrue();
        var audit = await host.Services.GetRequiredService<IPactStore>().AuditAsync();
        audit.IsClean.Should().BeTrue(string.Join("; ", audit.Global));
    }
}
