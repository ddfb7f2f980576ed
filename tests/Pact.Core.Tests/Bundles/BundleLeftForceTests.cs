using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Bundles;
using Pact.Core.Negotiation;
using Pact.Core.Terms;
using Pact.Core.Tests.Lifecycle;
using Pact.Core.Tests.Negotiation;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Bundles;

/// <summary>
/// §15: a member whose predecessor (version n+1) left force is not refused at its countersignature; its bundle's commit judges
/// it — mode <c>all</c> aborts (cause insufficient, that member, agent null), mode <c>best</c> excludes it (<c>"upstream"</c>).
/// </summary>
public class BundleLeftForceTests
{
    private const string Successor = "cmp_member-00";

    /// <summary>Version 1 of <see cref="Successor"/> in force between Alice and Bob; a bundle whose member 0 is its version 2, member 1 with Carol.</summary>
    private static (LifecycleWorld Lw, BundleWorld B, CreateBundle Create) Open(JsonObject select)
    {
        var lw = new LifecycleWorld();
        var session = lw.SignCompact(Alice, Bob, Lab.Terms(Successor, Alice, Bob, revocation: new RevocationSpec(Emergency: true)), others: [Carol]);
        var predecessor = new PredecessorRef(1, lw.CompactHash(Successor));
        var b = new BundleWorld(lw.W);
        var create = b.Bundle(session, Alice, [(Successor, Bob), ("cmp_member-01", Carol)], select, b.W.Now.AddDays(7), (i, t) =>
        {
            if (i == 0)
            {
                t["version"] = 2;
                t["predecessor"] = predecessor.ToJson();
            }
            return t;
        });
        b.Accepted(create);
        return (lw, b, create);
    }

    private static void RevokePredecessor(LifecycleWorld lw)
    {
        var revocation = lw.Revoked(Alice, Successor, emergency: true);
        lw.Must(lw.AckRevocation(Bob, Successor, revocation));
        lw.State.InForce(Successor).Should().BeNull();
    }

    [Fact]
    public void Mode_all_the_last_prepare_of_a_member_whose_predecessor_left_force_is_recorded_and_aborts_insufficient()
    {
        var (lw, b, create) = Open(BundleWorld.All);
        b.Accepted(b.Sign(Carol, create.Members[1].ProposalId));
        RevokePredecessor(lw);

        var events = b.Accepted(b.Sign(Bob, create.Members[0].ProposalId));
        events.Types().Should().Equal("proposal.signed", "bundle.aborted", "proposal.retired", "proposal.retired");
        events[0].Actor.Should().Be(Bob.Did);
        events[1].Data["cause"]!.ToJsonString().Should().Be($$"""{"kind":"insufficient","proposalId":"{{create.Members[0].ProposalId}}","agent":null}""");
        events[1].Data["dueAt"].Should().BeNull();
        b.State.Bundle(create.BundleId)!.Status.Should().Be(BundleStatus.Aborted);
        b.State.InForce(Successor).Should().BeNull();
        b.State.InForce("cmp_member-01").Should().BeNull();
    }

    [Fact]
    public void Mode_all_a_prepared_member_whose_predecessor_left_force_aborts_the_last_prepare_of_another()
    {
        var (lw, b, create) = Open(BundleWorld.All);
        b.Accepted(b.Sign(Bob, create.Members[0].ProposalId));
        RevokePredecessor(lw);

        var events = b.Accepted(b.Sign(Carol, create.Members[1].ProposalId));
        events.Types().Should().Equal("proposal.signed", "bundle.aborted", "proposal.retired", "proposal.retired");
        events[1].Data["cause"]!.ToJsonString().Should().Be($$"""{"kind":"insufficient","proposalId":"{{create.Members[0].ProposalId}}","agent":null}""");
    }

    [Fact]
    public void Mode_best_the_last_prepare_of_a_member_whose_predecessor_left_force_closes_the_bundle_without_it()
    {
        var (lw, b, create) = Open(BundleWorld.Best(1, 1, ("isoSeconds(terms.revocation.noticePeriod)", "int", "asc")));
        b.Accepted(b.Sign(Carol, create.Members[1].ProposalId));
        RevokePredecessor(lw);

        var events = b.Accepted(b.Sign(Bob, create.Members[0].ProposalId));
        events.Types().Should().Equal("proposal.signed", "bundle.committed", "compact.in-force", "proposal.retired");
        events[1].Data["selected"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal(create.Members[1].ProposalId);
        var ranking = events[1].Data["ranking"]!.AsArray();
        ranking.Select(r => r!["proposalId"]!.GetValue<string>()).Should().Equal(create.Members[1].ProposalId, create.Members[0].ProposalId);
        ranking[1]!["excluded"]!.GetValue<string>().Should().Be("upstream");
        ranking[1]!["keys"].Should().BeNull();
        events[3].Data["proposalId"]!.GetValue<string>().Should().Be(create.Members[0].ProposalId);
        b.State.InForce(Successor).Should().BeNull();
    }
}
