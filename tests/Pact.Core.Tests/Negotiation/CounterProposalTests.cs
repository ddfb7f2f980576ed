using Pact.Core.Terms;
using FluentAssertions;
using Pact.Core.Errors;
using Pact.Core.Negotiation;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Negotiation;

public class CounterProposalTests
{
    private const string CompactId = "cmp_kitchen-2026-0042";

    [Fact]
    public void Counter_records_created_then_countered_by_the_daemon()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var original = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        var counter = w.Propose(session, Bob, PartyRole.B, TermsFor(CompactId, 1, Alice, Bob, interaction: "counter"), replaces: original);

        Accept(w.Negotiate(counter));

        var events = w.Stream(session).Skip(2).ToList();
        events.Types().Should().Equal("proposal.created", "proposal.countered");
        events[0].Actor.Should().Be(Bob.Did);
        events[0].Data["proposalId"]!.GetValue<string>().Should().Be(counter.ProposalId);
        events[1].Actor.Should().Be("daemon");
        events[1].Data.Keys().Should().Equal("proposalId", "by");
        events[1].Data["proposalId"]!.GetValue<string>().Should().Be(original);
        events[1].Data["by"]!.GetValue<string>().Should().Be(counter.ProposalId);
        w.StatusOf(original).Should().Be(ProposalStatus.Countered);
        w.StatusOf(counter.ProposalId).Should().Be(ProposalStatus.Open);
        w.Sessions[session].Proposals[original].Status.Should().Be(ProposalStatus.Countered);
    }

    [Fact]
    public void Countered_burns_nothing_the_counter_can_be_signed_and_countered_back()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var first = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        var second = w.Create(session, Bob, PartyRole.B, TermsFor(CompactId, 1, Alice, Bob, interaction: "2"), replaces: first);
        var third = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob, interaction: "3"), replaces: second);

        Accept(w.Negotiate(w.Sign(Bob, third)));

        w.StatusOf(first).Should().Be(ProposalStatus.Countered);
        w.StatusOf(second).Should().Be(ProposalStatus.Countered);
        w.StatusOf(third).Should().Be(ProposalStatus.Signed);
        w.Negotiation.InForce(CompactId)!.Version.Should().Be(1);
    }

    [Fact]
    public void Replaces_naming_no_proposal_is_301()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        w.Negotiate(w.Propose(session, Bob, PartyRole.B, TermsFor(CompactId, 1, Alice, Bob, interaction: "c"), replaces: "prp_01JD0000000000000000000009"))
            .ShouldBeRefusedWith(PactCodes.ProposalStatus);
    }

    [Fact]
    public void Replaces_on_an_empty_slot_is_301()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var other = w.Create(session, Alice, PartyRole.A, TermsFor("cmp_another-compact", 1, Alice, Bob));
        w.Negotiate(w.Propose(session, Bob, PartyRole.B, TermsFor(CompactId, 1, Alice, Bob), replaces: other))
            .ShouldBeRefusedWith(PactCodes.ProposalStatus);
    }

    [Fact]
    public void Replaces_naming_the_open_proposal_of_another_session_is_301()
    {
        var w = new World();
        var one = w.OpenSession(Alice, Alice, Bob);
        var two = w.OpenSession(Alice, Alice, Bob);
        var original = w.Create(one, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        w.Negotiate(w.Propose(two, Bob, PartyRole.B, TermsFor(CompactId, 1, Alice, Bob, interaction: "c"), replaces: original))
            .ShouldBeRefusedWith(PactCodes.ProposalStatus);
    }

    [Fact]
    public void A_withdrawal_pending_proposal_cannot_be_countered()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var original = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        Accept(w.Negotiate(w.Withdraw(Alice, original)));

        w.Negotiate(w.Propose(session, Bob, PartyRole.B, TermsFor(CompactId, 1, Alice, Bob, interaction: "c"), replaces: original))
            .ShouldBeRefusedWith(PactCodes.ProposalStatus);
    }

    [Fact]
    public void A_countered_proposal_cannot_be_countered_again()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var first = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        w.Create(session, Bob, PartyRole.B, TermsFor(CompactId, 1, Alice, Bob, interaction: "2"), replaces: first);

        w.Negotiate(w.Propose(session, Bob, PartyRole.B, TermsFor(CompactId, 1, Alice, Bob, interaction: "3"), replaces: first))
            .ShouldBeRefusedWith(PactCodes.ProposalStatus);
    }

    [Fact]
    public void The_proposer_cannot_counter_its_own_proposal()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var original = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        w.Negotiate(w.Propose(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob, interaction: "mine"), replaces: original))
            .ShouldBeRefusedWith(PactCodes.Forbidden);
    }

    [Fact]
    public void Counter_against_a_burned_slot_is_303()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var original = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        Accept(w.Negotiate(w.Decline(Bob, original)));
        w.Negotiate(w.Propose(session, Bob, PartyRole.B, TermsFor(CompactId, 1, Alice, Bob, interaction: "c"), replaces: original))
            .ShouldBeRefusedWith(PactCodes.SlotBurned);
    }

    [Fact]
    public void Counter_after_the_replaced_proposal_expired_is_303_even_before_the_timer_fired()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var original = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        w.Advance("P14D");
        var counter = w.Propose(session, Bob, PartyRole.B, TermsFor(CompactId, 1, Alice, Bob, interaction: "late"), replaces: original);

        // Judged on a state whose expiry has not been recorded: still as if the timer had fired at D.
        NegotiationMachine.Check(w.Negotiation, counter, w.Now)!.Code.Should().Be(PactCodes.SlotBurned);
    }
}
