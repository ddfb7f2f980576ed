using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Bundles;
using Pact.Core.Events;
using Pact.Core.Negotiation;
using Pact.Core.Passport;
using Pact.Core.Tests.Negotiation;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Bundles;

/// <summary>
/// A best ranking records each counterparty's passport as of bundle.committed's seq − 1 (§15): it must be exactly what
/// a full fold of the log up to there gives, even when events in the same commit, or deadlines at the same instant,
/// change that passport just before.
/// </summary>
public class BundlePassportTests
{
    private static JsonObject ByCompacts => BundleWorld.Best(1, 1, ("counterparty.passport.compacts", "int", "desc"));

    [Fact]
    public void A_ranking_settled_by_a_decline_counts_that_decline_in_the_deciders_passport()
    {
        var b = new BundleWorld();
        var session = b.W.OpenSession(Alice, Alice, Bob, Carol);
        var create = b.Bundle(session, Alice, [("cmp_offering-1", Bob), ("cmp_offering-2", Bob), ("cmp_offering-3", Carol)], ByCompacts, b.W.Now.AddDays(7));
        b.Accepted(create);
        b.Accepted(b.Sign(Bob, create.Members[0].ProposalId));
        b.Accepted(b.Sign(Carol, create.Members[2].ProposalId));

        // Bob's decline of his second offer settles the bundle: the ranking that follows sees Bob with one decline.
        var events = b.Accepted(b.Decline(Bob, create.Members[1].ProposalId));

        events.Types().Should().Equal("proposal.declined", "bundle.committed", "compact.in-force", "proposal.retired");
        var bobs = RankedPassport(events[1], Bob.Did);
        bobs["counts"]!["declined"]!.GetValue<long>().Should().Be(1);
        RankingPassportsShouldBeTheLogs(b.W.Log);
    }

    [Fact]
    public void A_close_at_the_instant_another_ranking_commits_reads_the_compacts_that_commit_put_in_force()
    {
        var b = new BundleWorld();
        var session = b.W.OpenSession(Alice, Alice, Bob, Carol, Mallory);
        var closesAt = b.W.Now.AddDays(7);
        // Both bundles stay open until their common closesAt: each has a member nobody answers.
        var first = b.Bundle(session, Alice, [("cmp_firstbundle-1", Bob), ("cmp_firstbundle-2", Mallory)], ByCompacts, closesAt);
        b.Accepted(first);
        var second = b.Bundle(session, Alice, [("cmp_secondbundle-1", Bob), ("cmp_secondbundle-2", Carol), ("cmp_secondbundle-3", Mallory)], ByCompacts, closesAt);
        b.Accepted(second);
        b.Accepted(b.Sign(Bob, first.Members[0].ProposalId));
        b.Accepted(b.Sign(Bob, second.Members[0].ProposalId));
        b.Accepted(b.Sign(Carol, second.Members[1].ProposalId));
        b.W.Now = closesAt;

        // One firing stops before the second ranking: it needs the first commit's compact.in-force on the log.
        var firstFiring = NegotiationMachine.FireDue(b.State, b.W.Now, b.Services);
        firstFiring.Events.Should().NotContain(e => e.Draft.Type == EventTypes.BundleCommitted && e.Draft.Data["bundleId"]!.GetValue<string>() == second.BundleId);
        var events = b.Tick();

        var commits = events.Where(e => e.Type == EventTypes.BundleCommitted).ToList();
        commits.Select(e => e.Data["bundleId"]!.GetValue<string>()).Should().Equal(first.BundleId, second.BundleId);
        RankedPassport(commits[1], Bob.Did)["counts"]!["compacts"]!.GetValue<long>().Should().Be(1, "Bob entered the first bundle's compact at this instant");
        commits[1].Data["selected"]!.ToJsonString().Should().Be($"""["{second.Members[0].ProposalId}"]""", "Bob has the most compacts now");
        RankingPassportsShouldBeTheLogs(b.W.Log);
    }

    [Fact]
    public void A_projection_without_passports_leaves_a_best_bundle_open_past_its_close()
    {
        var b = new BundleWorld();
        var session = b.W.OpenSession(Alice, Alice, Bob, Carol);
        var create = b.Bundle(session, Alice, [("cmp_offering-1", Bob), ("cmp_offering-2", Carol)], ByCompacts, b.W.Now.AddDays(7));
        b.Accepted(create);
        b.Accepted(b.Sign(Bob, create.Members[0].ProposalId));

        var projected = Pact.Core.Lifecycle.LifecycleMachine.AsOf(b.State, create.ClosesAt.AddDays(1));

        projected.Bundle(create.BundleId)!.Status.Should().Be(BundleStatus.Open);
    }

    [Fact]
    public void Every_event_a_passport_counts_is_of_a_type_MayCount_names()
    {
        var b = new BundleWorld();
        var session = b.W.OpenSession(Alice, Alice, Bob, Carol);
        var create = b.Bundle(session, Alice, [("cmp_offering-1", Bob), ("cmp_offering-2", Carol)], BundleWorld.All, b.W.Now.AddDays(7));
        b.Accepted(create);
        b.Accepted(b.Sign(Bob, create.Members[0].ProposalId));
        b.Accepted(b.Decline(Carol, create.Members[1].ProposalId));
        var other = b.Bundle(session, Alice, [("cmp_otherbundle-1", Bob), ("cmp_otherbundle-2", Carol)], BundleWorld.All, b.W.Now.AddDays(7));
        b.Accepted(other);
        b.Accepted(b.Sign(Bob, other.Members[0].ProposalId));
        b.Accepted(b.Sign(Carol, other.Members[1].ProposalId));

        var ledger = new PassportLedger();
        foreach (var e in b.W.Log)
        {
            if (PassportEvents.Of(e, ledger).Count > 0) PassportEvents.MayCount(e.Type).Should().BeTrue(e.Type);
            ledger.Apply(e);
        }
        b.W.Log.Select(e => e.Type).Should().Contain([EventTypes.ProposalDeclined, EventTypes.CompactInForce]);
    }

    private static JsonObject RankedPassport(TranscriptEvent committed, string agent) =>
        committed.Data["ranking"]!.AsArray().Select(r => r!["passport"]!.AsObject()).First(p => p["agent"]!.GetValue<string>() == agent);

    /// <summary>Every ranking entry's passport is the full fold of the log up to its commit's seq − 1, hash included.</summary>
    private static void RankingPassportsShouldBeTheLogs(IReadOnlyList<TranscriptEvent> log)
    {
        var checkedAny = false;
        foreach (var committed in log.Where(e => e.Type == EventTypes.BundleCommitted && e.Data["ranking"] is JsonArray))
        {
            var ledger = new PassportLedger().ApplyAll(log.Where(e => e.Seq < committed.Seq));
            foreach (var entry in committed.Data["ranking"]!.AsArray())
            {
                var recorded = entry!["passport"]!.AsObject();
                var expected = ledger.PassportOf(recorded["agent"]!.GetValue<string>()).ToJson();
                JsonNode.DeepEquals(recorded, expected).Should().BeTrue($"{recorded.ToJsonString()} should be {expected.ToJsonString()}");
                checkedAny = true;
            }
        }
        checkedAny.Should().BeTrue();
    }
}
