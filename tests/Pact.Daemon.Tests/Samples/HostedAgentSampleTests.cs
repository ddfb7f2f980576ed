using Pact.Client;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Samples.HostedAgent;

namespace Pact.Daemon.Tests.Samples;

public sealed class HostedAgentSampleTests : IAsyncLifetime
{
    private DaemonHost _host = null!;

    public async Task InitializeAsync() => _host = await DaemonHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_daemon_signs_within_policy_counters_a_long_notice_and_the_homeowner_verifies_it_offline()
    {
        var narration = new StringWriter();
        var outcome = await HostedAgentSample.RunAsync(_host.BaseAddress, narration, CancellationToken.None);

        outcome.Succeeded.Should().BeTrue(narration.ToString());
        outcome.Pending.Should().Be(0, "nothing was escalated to the homeowner");
        outcome.Decisions.Select(d => (d.RuleId, d.Effect)).Should().Equal(("short-notice", "sign"), ("long-notice", "counter"), ("short-notice", "sign"));
        outcome.Decisions[2].Judged.Should().Be(outcome.Decisions[1].ProposalId, "a counter's second decision judges the countered proposal");
        narration.ToString().Should().Contain("every decision recomputes from the policy");

        // Read independently with the admin token: both compacts in force, and §14's events in commit order.
        using var http = _host.CreateHttpClient();
        var admin = new PactClient(http, key: null, new PactClientOptions { AdminToken = DaemonHost.AdminToken });
        (await admin.GetMandateAsync(outcome.MandateId)).Actions.Should().Be(3, "one sign and a counter's two decisions");
        var events = new List<Pact.Core.Events.TranscriptEvent>();
        await foreach (var e in admin.GetAllEventsAsync(outcome.SessionId)) events.Add(e);
        events.Select(e => e.Type).Should().Equal(
            "session.created",
            "proposal.created", "policy.decided", "proposal.signed", "compact.in-force",
            "proposal.created", "policy.decided", "policy.decided", "proposal.created", "proposal.countered",
            "proposal.signed", "compact.in-force");
        events.Where(e => e.Type is "policy.decided" or "proposal.countered").Should().OnlyContain(e => e.Actor == "daemon");
        events[3].Actor.Should().Be("daemon", "the daemon signed the first proposal for the homeowner");
        events[8].Actor.Should().Be("daemon", "the daemon made the counter for the homeowner");
        events[10].Actor.Should().NotBe("daemon", "the contractor countersigned the counter itself");
        events[8].Data["terms"]!["revocation"]!["noticePeriod"]!.GetValue<string>().Should().Be(HostedAgentSample.CounterNotice);
    }
}
