using Pact.Client;
using Pact.Core.Contracts.Responses;
using Pact.Core.Events;
using Pact.Daemon.Tests.Infrastructure;
using static Pact.Daemon.Tests.BundleTests;

namespace Pact.Daemon.Tests.Mandates;

/// <summary>
/// <c>bundle.create</c> against a counterparty's mandate grant or revoke (§14, §15): a mandate answers a member when it is
/// active at the member's commit, so the commit order alone decides — a grant committed before the bundle answers its
/// member in the creation commit, one committed after does not; a revoke the other way round. Each order is run in sequence,
/// then the two requests race and the transcript must follow whichever committed first.
/// </summary>
public class BundleMandateRaceTests
{
    protected virtual DaemonStore Store => DaemonStore.Default;

    private const int Rounds = 3;

    /// <summary>Two members: provider 0 answers for itself (the bundle stays open), provider 1 is the one whose mandate races.</summary>
    private async Task<(Scenario S, List<System.Text.Json.Nodes.JsonObject> Terms, string PolicyHash)> StartAsync()
    {
        var s = await Scenario.StartAsync(Store);
        return (s, await s.TermsAsync(2), await MandateGrantTests.PublishAsync(s.Others[1]));
    }

    private static Task<MandateResource> GrantAsync(Scenario s, string policyHash) =>
        s.Others[1].Client.GrantMandateAsync(policyHash, [], [], s.Clock.GetUtcNow().AddDays(30));

    /// <summary>
    /// The transcript follows the commit order of <paramref name="mandateEventType"/> against bundle.created: the mandate answered
    /// member 1 in the creation commit exactly when it was active then; GET verify and the offline verifier agree.
    /// </summary>
    private static async Task AssertDecidedByCommitOrderAsync(Scenario s, BundleView bundle, string mandateId, string mandateEventType)
    {
        var mandateEvent = (await s.Others[1].Client.GetMandateEventsAsync(mandateId)).Events.Single(e => e.Type == mandateEventType);
        var events = await s.EventsAsync();
        var created = events.Single(e => e.Type == "bundle.created" && e.Data["bundleId"]!.GetValue<string>() == bundle.BundleId);
        var active = mandateEventType == "mandate.granted" ? mandateEvent.Seq < created.Seq : mandateEvent.Seq > created.Seq;
        var member = bundle.Members[1].ProposalId;
        var tail = events.SkipWhile(e => e != created).Skip(3).ToList();
        var after = await s.Coordinator.Client.GetBundleAsync(bundle.BundleId);
        after.Status.Should().Be("open");
        if (active)
        {
            tail.Select(e => e.Type).Should().Equal("policy.decided", "proposal.signed");
            tail[0].Data["mandateId"]!.GetValue<string>().Should().Be(mandateId);
            tail.Should().OnlyContain(e => e.Actor == TranscriptEvent.DaemonActor && e.Data["proposalId"]!.GetValue<string>() == member && e.Time == created.Time);
            after.Members.Select(m => m.Status).Should().Equal("open", "prepared");
            (await s.Others[1].Client.GetMandateAsync(mandateId)).Actions.Should().Be(1);
        }
        else
        {
            tail.Should().BeEmpty("the mandate was not active at the bundle's commit");
            after.Members.Select(m => m.Status).Should().Equal("open", "open");
            var pending = (await s.Others[1].Client.GetPendingAsync()).Items.Should().ContainSingle().Which;
            pending.Id.Should().Be(member);
            pending.Decision.Should().BeNull();
            (await s.Others[1].Client.GetMandateAsync(mandateId)).Actions.Should().Be(0);
        }
        await BundleMandateTests.VerifiedEverywhereAsync(s);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_grant_before_or_after_the_bundle_create_answers_the_member_only_when_it_committed_first(bool grantFirst)
    {
        var (s, terms, policyHash) = await StartAsync();
        await using var _ = s;
        MandateResource mandate;
        BundleView bundle;
        if (grantFirst)
        {
            mandate = await GrantAsync(s, policyHash);
            bundle = await s.CreateAsync(terms, BundleSelection.All());
        }
        else
        {
            bundle = await s.CreateAsync(terms, BundleSelection.All());
            mandate = await GrantAsync(s, policyHash);
        }
        await AssertDecidedByCommitOrderAsync(s, bundle, mandate.MandateId, "mandate.granted");
        (await s.Coordinator.Client.GetBundleAsync(bundle.BundleId)).Members[1].Status.Should().Be(grantFirst ? "prepared" : "open");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_revoke_before_or_after_the_bundle_create_stops_the_member_being_answered_only_when_it_committed_first(bool revokeFirst)
    {
        var (s, terms, policyHash) = await StartAsync();
        await using var _ = s;
        var mandate = await GrantAsync(s, policyHash);
        BundleView bundle;
        if (revokeFirst)
        {
            await s.Others[1].Client.RevokeMandateAsync(mandate.MandateId);
            bundle = await s.CreateAsync(terms, BundleSelection.All());
        }
        else
        {
            bundle = await s.CreateAsync(terms, BundleSelection.All());
            await s.Others[1].Client.RevokeMandateAsync(mandate.MandateId);
        }
        await AssertDecidedByCommitOrderAsync(s, bundle, mandate.MandateId, "mandate.revoked");
        (await s.Coordinator.Client.GetBundleAsync(bundle.BundleId)).Members[1].Status.Should().Be(revokeFirst ? "open" : "prepared");
    }

    [Fact]
    public async Task A_grant_racing_a_bundle_create_is_decided_by_commit_order()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var (s, terms, policyHash) = await StartAsync();
            await using var _ = s;
            var create = s.CreateAsync(terms, BundleSelection.All());
            var grant = GrantAsync(s, policyHash);
            await Task.WhenAll(create, grant);
            await AssertDecidedByCommitOrderAsync(s, await create, (await grant).MandateId, "mandate.granted");
        }
    }

    [Fact]
    public async Task A_revoke_racing_a_bundle_create_is_decided_by_commit_order()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var (s, terms, policyHash) = await StartAsync();
            await using var _ = s;
            var mandate = await GrantAsync(s, policyHash);
            var create = s.CreateAsync(terms, BundleSelection.All());
            var revoke = s.Others[1].Client.RevokeMandateAsync(mandate.MandateId);
            await Task.WhenAll(create, revoke);
            await AssertDecidedByCommitOrderAsync(s, await create, mandate.MandateId, "mandate.revoked");
        }
    }
}
