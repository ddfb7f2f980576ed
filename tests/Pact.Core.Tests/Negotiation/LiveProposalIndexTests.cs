using FluentAssertions;
using Pact.Core.Negotiation;
using Pact.Core.Terms;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Negotiation;

/// <summary>
/// What GET /v1/agents/me/pending lists comes from an index of live proposals by counterparty, kept by the state's
/// With methods; each step below is checked against the expected set (Debug builds also compare it with a full scan).
/// </summary>
public class LiveProposalIndexTests
{
    private static List<string> Awaiting(World w, Pact.Core.Crypto.KeyPair agent) =>
        w.Negotiation.LiveProposalsAwaiting(agent.Did).Select(p => p.ProposalId).ToList();

    private static string[] InIdOrder(params string[] ids) => ids.Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void A_proposal_waits_on_its_counterparty_while_open_or_withdrawal_pending()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob, Carol);
        var first = w.Create(session, Alice, PartyRole.A, TermsFor("cmp_one", 1, Alice, Bob));
        // No negotiation timeout, so no deadline: still live, still listed.
        var timeless = w.Create(session, Alice, PartyRole.A, TermsFor("cmp_two", 1, Alice, Bob, negotiationTimeout: null));

        Awaiting(w, Bob).Should().Equal(InIdOrder(first, timeless));
        Awaiting(w, Alice).Should().BeEmpty("the proposer does not answer its own proposal");
        Awaiting(w, Carol).Should().BeEmpty("a participant that is not a party answers nothing");

        Accept(w.Negotiate(w.Withdraw(Alice, first)));
        Awaiting(w, Bob).Should().Equal(InIdOrder(first, timeless), "a withdrawal-pending proposal waits for Bob's acknowledgment");

        Accept(w.Negotiate(w.Ack(Bob, first)));
        Awaiting(w, Bob).Should().Equal(timeless);

        var counter = w.Create(session, Bob, PartyRole.B, TermsFor("cmp_two", 1, Alice, Bob, negotiationTimeout: null, interaction: "kitchen and pantry"), replaces: timeless);
        Awaiting(w, Bob).Should().BeEmpty("the countered proposal ended");
        Awaiting(w, Alice).Should().Equal(counter);

        Accept(w.Negotiate(w.Sign(Alice, counter)));
        Awaiting(w, Alice).Should().BeEmpty();
    }

    [Fact]
    public void Declined_and_expired_proposals_leave_the_list()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var declined = w.Create(session, Alice, PartyRole.A, TermsFor("cmp_one", 1, Alice, Bob));
        var expiring = w.Create(session, Bob, PartyRole.B, TermsFor("cmp_two", 1, Alice, Bob, negotiationTimeout: "P1D"));

        Accept(w.Negotiate(w.Decline(Bob, declined)));
        Awaiting(w, Bob).Should().BeEmpty();
        Awaiting(w, Alice).Should().Equal(expiring);

        w.Advance("P2D");
        w.Tick();
        w.StatusOf(expiring).Should().Be(ProposalStatus.Expired);
        Awaiting(w, Alice).Should().BeEmpty();
    }
}
