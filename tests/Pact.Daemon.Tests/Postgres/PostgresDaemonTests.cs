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

/// <summary>Moving a deployment: <c>--copy-store-to</c> copies a stopped daemon's SQLite transcript into PostgreSQL.</summary>
public sealed class StoreCopyCommandTests
{
    [PostgresFact]
    public async Task A_daemon_moved_to_PostgreSQL_keeps_its_identity_compacts_and_open_proposals()
    {
        string directory, session, compactId, openProposal, daemonId, record;
        Negotiator contractor, homeowner;
        var sqlite = await DaemonHost.StartAsync(store: DaemonStore.Sqlite);
        {
            directory = sqlite.DataDirectory;
            contractor = await Negotiator.RegisterAsync(sqlite, "Acme");
            homeowner = await Negotiator.RegisterAsync(sqlite, "Dana", "human");
            session = (await contractor.Client.CreateSessionAsync([contractor.Did, homeowner.Did])).SessionId;
            var terms = await contractor.DraftAsync(homeowner);
            compactId = terms["compactId"]!.GetValue<string>();
            var signed = await homeowner.Client.SignProposalAsync((await contractor.Client.ProposeAsync(session, terms, contractor.Authority)).ProposalId, homeowner.Authority);
            record = Jcs.CanonicalString(signed.ToJson());
            openProposal = (await contractor.Client.ProposeAsync(session, await contractor.DraftAsync(homeowner), contractor.Authority)).ProposalId;
            using var http = sqlite.CreateHttpClient();
            daemonId = await TestAgent.DaemonIdOf(http);
            await sqlite.StopAsync(); // the data directory stays, for the copy
        }
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await Pact.Daemon.Hosting.StoreCopyCommand.RunAsync(["--data-dir", directory, "--copy-store-to", connectionString], _ => null, output, error);

        exit.Should().Be(0, error.ToString());
        output.ToString().Should().Contain("Copied and verified").And.Contain("The audit of the copy is clean");
        await using var postgres = await DaemonHost.StartAsync(dataDirectory: directory, settings: new Dictionary<string, string>
        {
            ["Pact:Store:Provider"] = "postgres",
            ["Pact:Store:ConnectionString"] = connectionString,
        });
        using var after = postgres.CreateHttpClient();
        (await TestAgent.DaemonIdOf(after)).Should().Be(daemonId);
        var dana = new Pact.Client.PactClient(new HttpClient { BaseAddress = postgres.BaseAddress }, homeowner.Key,
            new Pact.Client.PactClientOptions { AdminToken = DaemonHost.AdminToken });
        Jcs.CanonicalString((await dana.GetCompactVersionAsync(compactId, 1)).ToJson()).Should().Be(record);
        await dana.SignProposalAsync(openProposal, homeowner.Authority);
        (await dana.VerifyAsync(session)).Ok.Should().BeTrue();
    }

    [Fact]
    public async Task Copying_a_directory_without_a_transcript_says_so()
    {
        var error = new StringWriter();
        var exit = await Pact.Daemon.Hosting.StoreCopyCommand.RunAsync(
            ["--data-dir", Path.Combine(Path.GetTempPath(), "pact-none-" + Guid.NewGuid().ToString("N")), "--copy-store-to", "Host=127.0.0.1"], _ => null, TextWriter.Null, error);
        exit.Should().Be(1);
        error.ToString().Should().Contain("holds no transcript to copy");
    }
}
