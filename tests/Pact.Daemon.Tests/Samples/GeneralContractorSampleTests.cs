using Pact.Daemon.Tests.Infrastructure;
using Pact.Samples.GeneralContractor;

namespace Pact.Daemon.Tests.Samples;

public sealed class GeneralContractorSampleTests : IAsyncLifetime
{
    private DaemonHost _host = null!;

    public async Task InitializeAsync() => _host = await DaemonHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_sample_commits_atomically_aborts_on_a_decline_takes_the_best_offer_by_the_recorded_ranking_and_bundles_a_hosted_trade()
    {
        var narration = new StringWriter();
        var outcome = await GeneralContractorSample.RunAsync(_host.BaseAddress, narration, CancellationToken.None);

        outcome.Succeeded.Should().BeTrue(narration.ToString());
        // Beta and Alpha tie on notice (P10D); Beta retains fewer categories. Gamma's notice is longest.
        outcome.Ranking!.Select(r => r!["keys"]!.ToJsonString()).Should().Equal("[864000,2]", "[864000,3]", "[1728000,1]");
        narration.ToString().Should().Contain("Selected    Beta Inspections");
        // Run 4: the hosted plumber's member is prepared under its mandate in the creation commit; the electrician commits both.
        outcome.Hosted.Should().Be(new HostedBundleOutcome(Committed: true, PreparedByMandate: true, Verified: true));
        narration.ToString().Should().MatchRegex(@"member prp_\S+ prepared +prepared by mandate mnd_")
            .And.MatchRegex(@"member prp_\S+ open +prepared by -")
            .And.Contain("verify: ok online, ok offline");
    }
}
