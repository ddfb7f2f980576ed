using FluentAssertions;
using Pact.Core.Negotiation;
using Pact.Core.Terms;
using Pact.Core.Tests.Negotiation;
using Pact.Core.Time;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Lifecycle;

public class DeadlineOrderTests
{
    private static readonly DateTimeOffset D = Timestamp.Parse("2027-06-01T00:00:00.000Z");

    [Fact]
    public void Deadlines_of_all_six_kinds_due_together_fire_in_kind_order_from_one_call()
    {
        var w = new LifecycleWorld();
        // Kind 6: a compact whose effective interval ends at D.
        w.SignCompact(Alice, Bob, Lab.Terms("cmp_k6-expiry", Alice, Bob, until: Timestamp.ToText(D)));
        // Kinds 3, 4, 5 on three more compacts (notice P30D, ackTimeout P7D).
        w.SignCompact(Alice, Bob, Lab.Terms("cmp_k3-escalation", Alice, Bob));
        w.SignCompact(Alice, Bob, Lab.Terms("cmp_k4-effective", Alice, Bob));
        w.SignCompact(Alice, Bob, Lab.Terms("cmp_k5-marker", Alice, Bob));
        var proposalSession = w.W.OpenSession(Alice, Alice, Bob);

        w.Now = D.AddDays(-30);
        var r4 = w.Revoked(Alice, "cmp_k4-effective");
        w.Now = D.AddDays(-29);
        w.Must(w.AckRevocation(Bob, "cmp_k4-effective", r4));
        // Kind 1: a proposal that expires at D (negotiationTimeout P14D).
        w.Now = D.AddDays(-14);
        var p1 = w.W.Create(proposalSession, Alice, PartyRole.A, World.TermsFor("cmp_k1-expiry", 1, Alice, Bob));
        // Kind 2: a withdrawal that escalates at D (ackTimeout P7D), long before the proposal would expire.
        w.Now = D.AddDays(-10);
        var p2 = w.W.Create(proposalSession, Alice, PartyRole.A, World.TermsFor("cmp_k2-withdrawal", 1, Alice, Bob));
        w.Now = D.AddDays(-7);
        World.Accept(w.W.Negotiate(w.W.Withdraw(Alice, p2)));
        var r3 = w.Revoked(Alice, "cmp_k3-escalation");
        var m5 = w.Marked(Alice, "cmp_k5-marker");

        w.Now = D;
        NegotiationMachine.DueDeadlines(w.State, D).Should().Equal(
            new Deadline(D, DeadlineKind.ProposalExpiry, p1),
            new Deadline(D, DeadlineKind.WithdrawalEscalation, p2),
            new Deadline(D, DeadlineKind.RevocationEscalation, r3),
            new Deadline(D, DeadlineKind.RevocationEffective, r4),
            new Deadline(D, DeadlineKind.MarkerEffective, m5),
            new Deadline(D, DeadlineKind.CompactExpiry, "cmp_k6-expiry"));

        NegotiationMachine.FireDue(w.State, D).Events.Select(e => e.Draft.Type).Should().Equal(
            "proposal.expired", "failure",
            "proposal.withdrawal.escalated", "failure", "proposal.withdrawn",
            "compact.revocation.escalated", "failure",
            "compact.revoked",
            "compact.marker.effective",
            "compact.expired");
    }

    [Fact]
    public void Simultaneous_deadlines_of_one_kind_fire_in_id_order()
    {
        var w = new LifecycleWorld();
        w.SignCompact(Alice, Bob, Lab.Terms("cmp_zeta-0001", Alice, Bob, until: Timestamp.ToText(D)));
        w.SignCompact(Alice, Bob, Lab.Terms("cmp_alpha-0001", Alice, Bob, until: Timestamp.ToText(D)));

        NegotiationMachine.NextDeadline(w.State).Should().Be(new Deadline(D, DeadlineKind.CompactExpiry, "cmp_alpha-0001"));
        w.Now = D;
        w.Tick().Select(e => e.Data["compactId"]!.GetValue<string>()).Should().Equal("cmp_alpha-0001", "cmp_zeta-0001");
    }

    [Fact]
    public void SubjectOf_names_the_session_and_compact_of_each_lifecycle_deadline()
    {
        var w = new LifecycleWorld();
        var session = w.SignCompact(Alice, Bob, Lab.Terms("cmp_subject-01", Alice, Bob));
        w.At("2027-01-15T00:00:00.000Z");
        var r = w.Revoked(Alice, "cmp_subject-01");
        var m = w.Marked(Alice, "cmp_subject-01");

        foreach (var d in w.State.PendingDeadlines())
            w.State.SubjectOf(d).Should().Be((session, "cmp_subject-01"), d.Kind.ToString());
        w.State.PendingDeadlines().Select(d => d.Id).Should().Contain([r, m, "cmp_subject-01"]);
    }

    [Fact]
    public void A_filtered_FireDue_leaves_other_deadlines_for_later()
    {
        var w = new LifecycleWorld();
        w.SignCompact(Alice, Bob, Lab.Terms("cmp_one-00001", Alice, Bob, until: Timestamp.ToText(D)));
        w.SignCompact(Alice, Bob, Lab.Terms("cmp_two-00001", Alice, Bob, until: Timestamp.ToText(D)));

        var only = NegotiationMachine.FireDue(w.State, D, d => d.Id == "cmp_two-00001");

        only.Events.Should().ContainSingle().Which.Draft.Data["compactId"]!.GetValue<string>().Should().Be("cmp_two-00001");
    }
}
