using Pact.Core.Terms;
using FluentAssertions;
using Pact.Core.Errors;
using Pact.Core.Negotiation;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Negotiation;

public class DeclineAndWithdrawalTests
{
    private const string CompactId = "cmp_kitchen-2026-0042";

    private static (World World, string Session, string Proposal) Opened()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob, Carol);
        var id = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        return (w, session, id);
    }

    [Fact]
    public void Decline_records_proposal_declined_with_envelope_and_id()
    {
        var (w, session, id) = Opened();
        var decline = w.Decline(Bob, id);

        Accept(w.Negotiate(decline));

        var e = w.Stream(session)[^1];
        e.Type.Should().Be("proposal.declined");
        e.Actor.Should().Be(Bob.Did);
        e.Data.Keys().Should().Equal("envelope", "proposalId");
        e.Data["envelope"]!.ToJsonString().Should().Be(decline.Envelope.ToJsonString());
        w.StatusOf(id).Should().Be(ProposalStatus.Declined);
    }

    [Fact]
    public void Decline_refusals()
    {
        var (w, _, id) = Opened();
        w.Negotiate(w.Decline(Alice, id)).ShouldBeRefusedWith(PactCodes.Forbidden);
        w.Negotiate(w.Decline(Carol, id)).ShouldBeRefusedWith(PactCodes.Forbidden);
        w.Negotiate(w.Decline(Bob, id, new string('b', 64))).ShouldBeRefusedWith(PactCodes.HashMismatch);
        Accept(w.Negotiate(w.Withdraw(Alice, id)));
        // Withdrawal-pending: can still be signed, but not declined.
        w.Negotiate(w.Decline(Bob, id)).ShouldBeRefusedWith(PactCodes.ProposalStatus);
    }

    [Fact]
    public void Withdraw_records_initiation_and_leaves_the_proposal_withdrawal_pending()
    {
        var (w, session, id) = Opened();

        Accept(w.Negotiate(w.Withdraw(Alice, id)));

        var e = w.Stream(session)[^1];
        e.Type.Should().Be("proposal.withdrawal.initiated");
        e.Actor.Should().Be(Alice.Did);
        e.Data.Keys().Should().Equal("envelope", "proposalId");
        w.StatusOf(id).Should().Be(ProposalStatus.WithdrawalPending);
        w.Sessions[session].Proposals[id].Status.Should().Be(ProposalStatus.WithdrawalPending);
        w.Negotiation.Proposal(id)!.Withdrawal.Should().Be(new WithdrawalInfo(w.Now, e.Hash));
    }

    [Fact]
    public void Withdraw_refusals()
    {
        var (w, _, id) = Opened();
        w.Negotiate(w.Withdraw(Bob, id)).ShouldBeRefusedWith(PactCodes.Forbidden);
        w.Negotiate(w.Withdraw(Mallory, id)).ShouldBeRefusedWith(PactCodes.NotFound);
        w.Negotiate(w.Withdraw(Alice, id, new string('c', 64))).ShouldBeRefusedWith(PactCodes.HashMismatch);
        Accept(w.Negotiate(w.Withdraw(Alice, id)));
        w.Negotiate(w.Withdraw(Alice, id)).ShouldBeRefusedWith(PactCodes.ProposalStatus);
    }

    [Fact]
    public void Acknowledgment_records_acknowledged_then_withdrawn()
    {
        var (w, session, id) = Opened();
        Accept(w.Negotiate(w.Withdraw(Alice, id)));
        var withdrawalHash = w.WithdrawalHashOf(id);

        Accept(w.Negotiate(w.Ack(Bob, id)));

        var tail = w.Stream(session).TakeLast(2).ToList();
        tail.Types().Should().Equal("proposal.withdrawal.acknowledged", "proposal.withdrawn");
        tail[0].Actor.Should().Be(Bob.Did);
        tail[0].Data.Keys().Should().Equal("envelope", "proposalId", "withdrawalHash");
        tail[0].Data["withdrawalHash"]!.GetValue<string>().Should().Be(withdrawalHash);
        tail[1].Actor.Should().Be("daemon");
        tail[1].Data.Keys().Should().Equal("proposalId");
        w.StatusOf(id).Should().Be(ProposalStatus.Withdrawn);
    }

    [Fact]
    public void Acknowledgment_refusals()
    {
        var (w, _, id) = Opened();
        // Nothing to acknowledge while open.
        w.Negotiate(w.Ack(Bob, id, new string('d', 64))).ShouldBeRefusedWith(PactCodes.ProposalStatus);
        Accept(w.Negotiate(w.Withdraw(Alice, id)));
        w.Negotiate(w.Ack(Alice, id)).ShouldBeRefusedWith(PactCodes.Forbidden);
        var wrong = w.Negotiate(w.Ack(Bob, id, w.Log[^2].Hash));
        wrong.ShouldBeRefusedWith(PactCodes.HashMismatch);
        wrong.Error!.Errors!.Single().Pointer.Should().Be("/payload/withdrawalHash");
    }

    [Fact]
    public void Countersignature_before_withdrawal_ack_puts_compact_in_force()
    {
        var (w, session, id) = Opened();
        Accept(w.Negotiate(w.Withdraw(Alice, id)));

        Accept(w.Negotiate(w.Sign(Bob, id)));

        w.StatusOf(id).Should().Be(ProposalStatus.Signed);
        w.Negotiation.InForce(CompactId).Should().NotBeNull();
        w.Stream(session).TakeLast(2).Types().Should().Equal("proposal.signed", "compact.in-force");
        // The escalation timer of the withdrawal is gone with it.
        w.Negotiation.PendingDeadlines().Should().BeEmpty();
    }

    [Fact]
    public void Acknowledgment_after_the_countersignature_is_refused()
    {
        var (w, _, id) = Opened();
        Accept(w.Negotiate(w.Withdraw(Alice, id)));
        var withdrawalHash = w.WithdrawalHashOf(id);
        Accept(w.Negotiate(w.Sign(Bob, id)));

        w.Negotiate(w.Ack(Bob, id, withdrawalHash)).ShouldBeRefusedWith(PactCodes.ProposalStatus);
        w.StatusOf(id).Should().Be(ProposalStatus.Signed);
    }

    [Fact]
    public void A_withdrawn_proposal_cannot_be_signed()
    {
        var (w, _, id) = Opened();
        Accept(w.Negotiate(w.Withdraw(Alice, id)));
        Accept(w.Negotiate(w.Ack(Bob, id)));
        w.Negotiate(w.Sign(Bob, id)).ShouldBeRefusedWith(PactCodes.ProposalStatus);
    }
}
