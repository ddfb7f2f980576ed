using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Events;
using Pact.Core.Lifecycle;
using Pact.Core.Mandates;
using Pact.Core.Negotiation;

namespace Pact.Core.Tests.Mandates;

/// <summary>
/// An acknowledgment under a mandate names the initiation's hash, which exists only once the initiation is appended: the
/// appender seals it with the stream's prevHash (the initiation is the event just before it in the same commit).
/// </summary>
public class MandateAcknowledgmentSealTests
{
    private static readonly string Prev = new('e', 64);

    [Theory]
    [InlineData("proposal.withdrawal.acknowledged", "withdrawalHash")]
    [InlineData(LifecycleEventTypes.RevocationAcknowledged, "initiationHash")]
    [InlineData(LifecycleEventTypes.MarkerAcknowledged, "initiationHash")]
    public void An_acknowledgment_under_a_mandate_gets_the_initiations_hash(string type, string member)
    {
        var draft = EventDraft.ByDaemon(type, new JsonObject { ["mandate"] = new JsonObject { ["mandateId"] = "mnd_x" }, [member] = null });
        MandateAcknowledgments.NeedsPrevHash(draft).Should().BeTrue();
        var sealedDraft = MandateAcknowledgments.Seal(draft, Prev);
        sealedDraft.Data[member]!.GetValue<string>().Should().Be(Prev);
        draft.Data[member].Should().BeNull("the draft itself is not changed");
        MandateAcknowledgments.NeedsPrevHash(sealedDraft).Should().BeFalse();
    }

    [Fact]
    public void Any_other_draft_is_left_as_it_is()
    {
        var agentsOwn = EventDraft.ByDaemon(EventTypes.WithdrawalAcknowledged, new JsonObject { ["withdrawalHash"] = null });
        MandateAcknowledgments.Seal(agentsOwn, Prev).Should().BeSameAs(agentsOwn, "without a mandate it is not one the daemon made");
        var other = EventDraft.ByDaemon(EventTypes.ProposalWithdrawn, new JsonObject { ["mandate"] = new JsonObject(), ["proposalId"] = "prp_x" });
        MandateAcknowledgments.Seal(other, Prev).Should().BeSameAs(other);
    }
}
