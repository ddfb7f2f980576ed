using Pact.Core.Terms;
using FluentAssertions;
using Pact.Core.Errors;
using Pact.Core.Negotiation;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Negotiation;

public class SuspendedSessionTests
{
    private const string CompactId = "cmp_kitchen-2026-0042";

    [Fact]
    public void Suspended_session_refuses_create_sign_decline_and_counter_with_305()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var id = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        Accept(w.SessionAction(session, Bob, "suspend"));

        w.Negotiate(w.Propose(session, Alice, PartyRole.A, TermsFor("cmp_other-compact", 1, Alice, Bob))).ShouldBeRefusedWith(PactCodes.SessionNotActive);
        w.Negotiate(w.Sign(Bob, id)).ShouldBeRefusedWith(PactCodes.SessionNotActive);
        w.Negotiate(w.Decline(Bob, id)).ShouldBeRefusedWith(PactCodes.SessionNotActive);
        var counter = w.Negotiate(w.Propose(session, Bob, PartyRole.B, TermsFor(CompactId, 1, Alice, Bob, interaction: "c"), replaces: id));
        counter.ShouldBeRefusedWith(PactCodes.SessionNotActive);
        counter.Error!.Status.Should().Be(409);
        w.StatusOf(id).Should().Be(ProposalStatus.Open);
    }

    [Fact]
    public void Suspended_session_allows_withdraw_and_acknowledgment()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var id = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        Accept(w.SessionAction(session, Alice, "suspend"));

        Accept(w.Negotiate(w.Withdraw(Alice, id)));
        Accept(w.Negotiate(w.Ack(Bob, id)));

        w.StatusOf(id).Should().Be(ProposalStatus.Withdrawn);
    }

    [Fact]
    public void Timers_keep_running_in_a_suspended_session()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var id = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        Accept(w.SessionAction(session, Alice, "suspend"));
        w.Advance("P14D");

        w.Tick().Types().Should().Equal("proposal.expired", "failure");
        w.StatusOf(id).Should().Be(ProposalStatus.Expired);
    }

    [Fact]
    public void Terminated_session_refuses_withdraw_and_acknowledgment_with_305()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var open = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        var pending = w.Create(session, Alice, PartyRole.A, TermsFor("cmp_second-compact", 1, Alice, Bob));
        Accept(w.Negotiate(w.Withdraw(Alice, pending)));
        var withdrawalHash = w.WithdrawalHashOf(pending);
        Accept(w.SessionAction(session, Bob, "terminate"));

        w.StatusOf(open).Should().Be(ProposalStatus.Retired);
        w.StatusOf(pending).Should().Be(ProposalStatus.Retired);
        w.Negotiate(w.Withdraw(Alice, open)).ShouldBeRefusedWith(PactCodes.SessionNotActive);
        w.Negotiate(w.Ack(Bob, pending, withdrawalHash)).ShouldBeRefusedWith(PactCodes.SessionNotActive);
    }

    [Fact]
    public void Terminated_session_refuses_new_proposals_with_305()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        Accept(w.SessionAction(session, Bob, "terminate"));

        w.Negotiate(w.Propose(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob))).ShouldBeRefusedWith(PactCodes.SessionNotActive);
        // Visibility still answers first.
        w.Negotiate(w.Propose(session, Mallory, PartyRole.A, TermsFor(CompactId, 1, Mallory, Bob))).ShouldBeRefusedWith(PactCodes.NotFound);
    }
}
