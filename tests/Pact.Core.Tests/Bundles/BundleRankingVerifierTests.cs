using System.Collections.Immutable;
using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Bundles;
using Pact.Core.Negotiation;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Bundles;

public class BundleRankingVerifierTests
{
    private static (BundleWorld B, CreateBundle Create) PreparedBest()
    {
        var b = new BundleWorld();
        var session = b.W.OpenSession(Alice, Alice, Bob, Carol);
        var create = b.Bundle(session, Alice, [("cmp_provider-1", Bob), ("cmp_provider-2", Carol), ("cmp_provider-3", Bob)],
            BundleWorld.Best(1, 1, ("terms.compactId", "string", "desc")), b.W.Now.AddDays(7));
        b.Accepted(create);
        b.Accepted(b.Sign(Bob, create.Members[0].ProposalId));
        b.Accepted(b.Sign(Carol, create.Members[1].ProposalId));
        return (b, create);
    }

    private static string? Verify(IEnumerable<Pact.Core.Events.TranscriptEvent> events)
    {
        var verifier = new BundleRankingVerifier();
        return events.Select(verifier.Observe).FirstOrDefault(p => p is not null);
    }

    [Fact]
    public void A_ranking_the_daemon_recorded_recomputes_from_the_stream()
    {
        var (b, create) = PreparedBest();
        b.Accepted(b.Decline(Bob, create.Members[2].ProposalId)).Select(e => e.Type).Should().Contain("bundle.committed");
        Verify(b.W.Log).Should().BeNull();
    }

    [Fact]
    public void A_ranking_recorded_in_another_order_or_selecting_another_member_does_not()
    {
        var (b, create) = PreparedBest();
        var honest = BundleMachine.Declined(b.State, b.Decline(Bob, create.Members[2].ProposalId), b.W.Now, b.Services);
        var committed = honest.Events.Single(e => e.Draft.Type == EventTypes.BundleCommitted);
        var forged = (JsonObject)committed.Draft.Data.DeepClone();
        forged["selected"] = new JsonArray(create.Members[0].ProposalId);
        var events = honest.Events.Select(e => e == committed ? e with { Draft = e.Draft with { Data = forged } } : e).ToImmutableArray();
        b.W.Append(new Decision(events));
        Verify(b.W.Log).Should().Contain("selection");

        var (b2, create2) = PreparedBest();
        var honest2 = BundleMachine.Declined(b2.State, b2.Decline(Bob, create2.Members[2].ProposalId), b2.W.Now, b2.Services);
        var committed2 = honest2.Events.Single(e => e.Draft.Type == EventTypes.BundleCommitted);
        var reordered = (JsonObject)committed2.Draft.Data.DeepClone();
        var ranking = reordered["ranking"]!.AsArray();
        var first = ranking[0]!.DeepClone();
        ranking[0] = ranking[1]!.DeepClone();
        ranking[1] = first;
        b2.W.Append(new Decision([.. honest2.Events.Select(e => e == committed2 ? e with { Draft = e.Draft with { Data = reordered } } : e)]));
        Verify(b2.W.Log).Should().Contain("does not recompute");
    }
}
