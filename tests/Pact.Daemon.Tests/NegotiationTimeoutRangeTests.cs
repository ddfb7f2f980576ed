using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Daemon.Tests.Infrastructure;
using static Pact.Daemon.Tests.BundleTests;

namespace Pact.Daemon.Tests;

/// <summary>
/// A negotiationTimeout that is a valid duration but ends after year 9999 names no real instant: a proposal or bundle
/// member carrying it is refused with 422 PACT-101 at its pointer and nothing is recorded; a mandate's counter setting it
/// is not carried out. Before, the calendar arithmetic threw and the daemon answered 500.
/// </summary>
public class NegotiationTimeoutRangeTests
{
    protected virtual DaemonStore Store => DaemonStore.Default;

    private const string PastYear9999 = "P8000Y";

    [Fact]
    public async Task A_proposal_whose_timeout_ends_after_year_9999_is_refused_at_its_pointer_and_nothing_is_recorded()
    {
        await using var s = await Scenario.StartAsync(Store);
        var terms = await s.Coordinator.DraftAsync(s.Others[0]);
        terms["negotiationTimeout"] = PastYear9999;
        var before = (await s.EventsAsync()).Count;

        var propose = () => s.Coordinator.Client.ProposeAsync(s.SessionId, terms, s.Coordinator.Authority);

        var error = (await propose.Should().ThrowAsync<PactApiException>()).Which;
        error.Status.Should().Be(422);
        error.Code.Should().Be("PACT-101");
        error.Errors!.Select(e => e.Pointer).Should().Equal("/payload/terms/negotiationTimeout");
        (await s.EventsAsync()).Count.Should().Be(before);
    }

    [Fact]
    public async Task A_bundle_member_whose_timeout_ends_after_year_9999_is_refused_at_its_pointer_and_nothing_is_recorded()
    {
        await using var s = await Scenario.StartAsync(Store);
        var terms = await s.TermsAsync(2, (i, t) => { if (i == 1) t["negotiationTimeout"] = PastYear9999; });
        var before = (await s.EventsAsync()).Count;

        var create = () => s.CreateAsync(terms, BundleSelection.All());

        var error = (await create.Should().ThrowAsync<PactApiException>()).Which;
        error.Status.Should().Be(422);
        error.Code.Should().Be("PACT-101");
        error.Errors!.Select(e => e.Pointer).Should().Equal("/payload/members/1/terms/negotiationTimeout");
        (await s.EventsAsync()).Count.Should().Be(before);
    }

    [Fact]
    public async Task A_mandates_counter_setting_a_timeout_past_year_9999_is_recorded_but_not_carried_out()
    {
        await using var s = await Scenario.StartAsync(Store);
        var owner = s.Others[0];
        var policy = new PolicyBuilder("endless").Sign("endless", $"terms.negotiationTimeout == '{PastYear9999}'")
            .Counter("forever", "true", ("/negotiationTimeout", PastYear9999)).Otherwise("escalate").Build();
        await owner.Client.PublishPolicyAsync(policy);
        await owner.Client.GrantMandateAsync(policy.PolicyHash, [], [], s.Clock.GetUtcNow().AddDays(30));
        var head = (await s.EventsAsync()).Count;

        var created = await s.Coordinator.Client.ProposeAsync(s.SessionId, await s.Coordinator.DraftAsync(owner), s.Coordinator.Authority);

        created.Status.Should().Be("open", "the counter the policy asked for cannot be proposed");
        var events = (await s.EventsAsync()).Skip(head).ToList();
        events.Select(e => e.Type).Should().Equal("proposal.created", "policy.decided");
        events[1].Data["decision"]!["effect"]!.GetValue<string>().Should().Be("counter");
        (await s.Coordinator.Client.VerifyAsync(s.SessionId)).Ok.Should().BeTrue();
    }
}
