using Pact.Client;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Samples.KitchenRemodel;

namespace Pact.Daemon.Tests.Samples;

public sealed class KitchenRemodelSampleTests : IAsyncLifetime
{
    private DaemonHost _host = null!;

    public async Task InitializeAsync() => _host = await DaemonHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_sample_puts_the_countered_compact_in_force_and_both_copies_match()
    {
        var narration = new StringWriter();
        var outcome = await KitchenRemodelSample.RunAsync(_host.BaseAddress, narration, CancellationToken.None);

        outcome.Succeeded.Should().BeTrue(narration.ToString());
        outcome.CompactHash.Should().MatchRegex("^[0-9a-f]{64}$");
        narration.ToString().Should().Contain("compactHash " + outcome.CompactHash);

        // The daemon, read independently with the admin token, holds the same record in force with the homeowner's narrower scope.
        using var http = _host.CreateHttpClient();
        var admin = new PactClient(http, key: null, new PactClientOptions { AdminToken = DaemonHost.AdminToken });
        (await admin.GetCompactAsync(outcome.CompactId)).Status.Should().Be("in-force");
        var record = await admin.GetCompactVersionAsync(outcome.CompactId, 1);
        record.CompactHash.Should().Be(outcome.CompactHash);
        record.Terms["scope"]!["outOfScope"]!.GetValue<string>().Should().Be(KitchenRemodelSample.OutOfScope);

        var types = new List<string>();
        await foreach (var e in admin.GetAllEventsAsync(outcome.SessionId)) types.Add(e.Type);
        types.Should().Equal("session.created", "proposal.created", "proposal.created", "proposal.countered", "proposal.signed", "compact.in-force");
    }
}
