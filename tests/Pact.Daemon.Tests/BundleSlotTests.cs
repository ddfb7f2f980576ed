using Pact.Client;
using Pact.Daemon.Tests.Infrastructure;
using static Pact.Daemon.Tests.BundleTests;

namespace Pact.Daemon.Tests;

/// <summary>
/// Bundle slots over HTTP (§15, §5): two members cannot name one slot; a member that ended declined or retired burns its
/// slot like any proposal; a best bundle aborts insufficient as soon as declines leave too few members to prepare.
/// </summary>
public class BundleSlotTests
{
    protected virtual DaemonStore Store => DaemonStore.Default;

    [Fact]
    public async Task Two_members_naming_one_compact_version_are_PACT_302_and_nothing_is_recorded()
    {
        await using var s = await Scenario.StartAsync(Store);
        var terms = await s.TermsAsync(1);
        var before = (await s.EventsAsync()).Count;

        var create = () => s.CreateAsync([terms[0], (System.Text.Json.Nodes.JsonObject)terms[0].DeepClone()], BundleSelection.All());

        (await create.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-302");
        (await s.EventsAsync()).Count.Should().Be(before);
    }

    [Fact]
    public async Task A_declined_member_and_a_retired_member_burn_their_slots()
    {
        await using var s = await Scenario.StartAsync(Store);
        var terms = await s.TermsAsync(2);
        var bundle = await s.CreateAsync(terms, BundleSelection.All());
        var declined = bundle.Members[1];
        await s.CounterpartyOf(declined).Client.DeclineAsync(declined.ProposalId);
        (await s.Coordinator.Client.GetBundleAsync(bundle.BundleId)).Members.Select(m => m.Status).Should().Equal("retired", "declined");

        foreach (var (slot, status) in new[] { (terms[0], "retired"), (terms[1], "declined") })
        {
            var again = () => s.Coordinator.Client.ProposeAsync(s.SessionId, slot, s.Coordinator.Authority);
            var refused = (await again.Should().ThrowAsync<PactApiException>()).Which;
            refused.Code.Should().Be("PACT-303", $"the {status} member's compact version stays burned");
        }
    }

    [Fact]
    public async Task A_best_bundle_aborts_insufficient_once_declines_leave_fewer_than_minCount_before_closesAt()
    {
        await using var s = await Scenario.StartAsync(Store, 3);
        var bundle = await s.CreateAsync(await s.TermsAsync(3), BundleSelection.Best(2, 2, RankingKeySpec.Ascending("size(categories(terms, them))")));
        var first = bundle.Members[0];
        await s.CounterpartyOf(first).Client.DeclineAsync(first.ProposalId);
        (await s.Coordinator.Client.GetBundleAsync(bundle.BundleId)).Status.Should().Be("open", "two members can still be prepared");

        var second = bundle.Members[1];
        await s.CounterpartyOf(second).Client.DeclineAsync(second.ProposalId);

        var after = await s.Coordinator.Client.GetBundleAsync(bundle.BundleId);
        after.Status.Should().Be("aborted");
        after.AbortCause.Should().Be(new Pact.Core.Contracts.Responses.BundleAbortCause("insufficient", null, null));
        after.Members.Select(m => m.Status).Should().Equal("declined", "declined", "retired");
        var tail = (await s.EventsAsync()).TakeLast(3).ToList();
        tail.Select(e => e.Type).Should().Equal("proposal.declined", "bundle.aborted", "proposal.retired");
        tail[1].Data["dueAt"].Should().BeNull();
        (await s.Coordinator.Client.VerifyAsync(s.SessionId)).Ok.Should().BeTrue();
    }
}
