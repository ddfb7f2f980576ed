using Pact.Core.Terms;
using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Errors;
using Pact.Core.Events;
using Pact.Core.Negotiation;
using Pact.Core.Time;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Negotiation;

public class DeadlineTests
{
    private const string CompactId = "cmp_kitchen-2026-0042";

    [Fact]
    public void Expiry_fires_exactly_at_expiresAt_not_a_millisecond_before()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var id = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob, negotiationTimeout: "PT1H"));
        var due = w.Now.AddHours(1);

        NegotiationMachine.DueDeadlines(w.Negotiation, due.AddMilliseconds(-1)).Should().BeEmpty();
        NegotiationMachine.NextDeadline(w.Negotiation).Should().Be(new Deadline(due, DeadlineKind.ProposalExpiry, id));
        NegotiationMachine.DueDeadlines(w.Negotiation, due).Should().Equal(new Deadline(due, DeadlineKind.ProposalExpiry, id));
    }

    [Fact]
    public void Expiry_records_proposal_expired_then_a_terminal_negotiation_failure()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var id = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        var created = w.Log.Last();
        var expiresAt = w.Negotiation.Proposal(id)!.ExpiresAt!.Value;
        w.Now = expiresAt.AddMinutes(5); // the timer service ran late

        var events = w.Tick();

        events.Types().Should().Equal("proposal.expired", "failure");
        events.Should().OnlyContain(e => e.Actor == "daemon" && e.Stream == session);
        events[0].Data.Keys().Should().Equal("proposalId", "dueAt");
        events[0].Data["dueAt"]!.GetValue<string>().Should().Be(Timestamp.ToText(expiresAt));
        events[0].Time.Should().Be(Timestamp.ToText(w.Now));
        var failure = events[1].Data;
        failure.Keys().Should().Equal("code", "stage", "faultDomain", "terminality", "evidenceRefs", "transcriptHash", "agent");
        failure["code"]!.GetValue<string>().Should().Be("PACT-501");
        failure["agent"]!.GetValue<string>().Should().Be(Bob.Did, "the party that had to answer Alice's proposal (§16)");
        failure["stage"]!.GetValue<string>().Should().Be("negotiation");
        failure["faultDomain"]!.GetValue<string>().Should().Be("counterparty");
        failure["terminality"]!.GetValue<string>().Should().Be("terminal");
        failure["evidenceRefs"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("event:" + created.Hash, "proposal:" + id);
        failure["transcriptHash"]!.GetValue<string>().Should().Be(events[1].PrevHash).And.Be(events[0].Hash);
        w.StatusOf(id).Should().Be(ProposalStatus.Expired);
        w.Sessions[session].Proposals[id].Status.Should().Be(ProposalStatus.Expired);
    }

    [Fact]
    public void Failure_drafts_leave_transcriptHash_to_the_appender()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        w.Advance("P14D");

        var decision = NegotiationMachine.FireDue(w.Negotiation, w.Now);
        var failure = decision.Events[1].Draft;

        FailureEvents.NeedsPrevHash(failure).Should().BeTrue();
        failure.Data["transcriptHash"].Should().BeNull();
        var sealedDraft = FailureEvents.Seal(failure, new string('e', 64));
        sealedDraft.Data["transcriptHash"]!.GetValue<string>().Should().Be(new string('e', 64));
        FailureEvents.NeedsPrevHash(sealedDraft).Should().BeFalse();
        failure.Data["transcriptHash"].Should().BeNull("sealing copies the draft");
        FailureEvents.Seal(decision.Events[0].Draft, new string('e', 64)).Should().BeSameAs(decision.Events[0].Draft);
    }

    [Fact]
    public void Withdrawal_without_ack_escalates_at_initiation_plus_ackTimeout()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var id = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob, negotiationTimeout: "P14D", ackTimeout: "P7D"));
        w.Advance("P1D");
        Accept(w.Negotiate(w.Withdraw(Alice, id)));
        var initiated = w.Log.Last();
        var escalatesAt = IsoDuration.Parse("P7D").AddTo(w.Now);

        w.Now = escalatesAt.AddMilliseconds(-1);
        w.Tick().Should().BeEmpty();
        w.Now = escalatesAt;
        var events = w.Tick();

        events.Types().Should().Equal("proposal.withdrawal.escalated", "failure", "proposal.withdrawn");
        events.Should().OnlyContain(e => e.Actor == "daemon");
        events[0].Data.Keys().Should().Equal("proposalId", "dueAt");
        events[0].Data["dueAt"]!.GetValue<string>().Should().Be(Timestamp.ToText(escalatesAt));
        var failure = events[1].Data;
        failure["code"]!.GetValue<string>().Should().Be("PACT-502");
        failure["stage"]!.GetValue<string>().Should().Be("negotiation");
        failure["terminality"]!.GetValue<string>().Should().Be("non_terminal");
        failure["evidenceRefs"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("event:" + initiated.Hash, "proposal:" + id);
        failure["transcriptHash"]!.GetValue<string>().Should().Be(events[0].Hash);
        failure["agent"]!.GetValue<string>().Should().Be(Bob.Did, "the party that had to acknowledge Alice's withdrawal (§16)");
        events[2].Data.Keys().Should().Equal("proposalId");
        w.StatusOf(id).Should().Be(ProposalStatus.Withdrawn);
    }

    [Theory]
    [InlineData("P8D")] // initiation + ackTimeout after expiresAt
    [InlineData("P7D")] // exactly at expiresAt: "before" is strict, so the proposal expires
    public void Withdrawal_whose_ack_timeout_does_not_come_before_expiresAt_expires_instead(string ackTimeout)
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var id = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob, negotiationTimeout: "P14D", ackTimeout: ackTimeout));
        w.Advance("P7D");
        Accept(w.Negotiate(w.Withdraw(Alice, id)));

        w.Advance("P30D");
        var events = w.Tick();
        events.Types().Should().Equal("proposal.expired", "failure");
        events[1].Data["agent"]!.GetValue<string>().Should().Be(Bob.Did, "a withdrawal-pending proposal's expiry names the proposer's counterparty (§16)");
        w.StatusOf(id).Should().Be(ProposalStatus.Expired);
    }

    [Fact]
    public void An_expiry_names_the_party_that_had_to_answer_whichever_role_proposed()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var id = w.Create(session, Bob, PartyRole.B, TermsFor(CompactId, 1, Alice, Bob));
        w.Now = w.Negotiation.Proposal(id)!.ExpiresAt!.Value;

        w.Tick()[1].Data["agent"]!.GetValue<string>().Should().Be(Alice.Did);
    }

    [Fact]
    public void Simultaneous_deadlines_fire_by_due_time_then_kind_then_id()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        // p1 and p2 both expire at T0 + 2D; p3's withdrawal escalates at T0 + 2D too; p4 expires earlier.
        var p1 = w.Create(session, Alice, PartyRole.A, TermsFor("cmp_compact-one", 1, Alice, Bob, negotiationTimeout: "P2D"));
        var p2 = w.Create(session, Alice, PartyRole.A, TermsFor("cmp_compact-two", 1, Alice, Bob, negotiationTimeout: "P2D"));
        var p3 = w.Create(session, Alice, PartyRole.A, TermsFor("cmp_compact-three", 1, Alice, Bob, negotiationTimeout: "P30D", ackTimeout: "P1D"));
        w.Advance("P1D");
        var p4 = w.Create(session, Bob, PartyRole.B, TermsFor("cmp_compact-four", 1, Alice, Bob, negotiationTimeout: "PT1H"));
        Accept(w.Negotiate(w.Withdraw(Alice, p3)));
        w.Advance("P5D");

        var due = NegotiationMachine.DueDeadlines(w.Negotiation, w.Now);
        due.Select(d => (d.Kind, d.Id)).Should().Equal(
            (DeadlineKind.ProposalExpiry, p4),
            (DeadlineKind.ProposalExpiry, p1),
            (DeadlineKind.ProposalExpiry, p2),
            (DeadlineKind.WithdrawalEscalation, p3));
        string.CompareOrdinal(p1, p2).Should().BeNegative();

        var events = w.Tick();
        events.Where(e => e.Type != "failure").Select(e => (e.Type, e.Data["proposalId"]!.GetValue<string>())).Should().Equal(
            ("proposal.expired", p4), ("proposal.expired", p1), ("proposal.expired", p2),
            ("proposal.withdrawal.escalated", p3), ("proposal.withdrawn", p3));
        events.Count.Should().Be(9);
    }

    [Fact]
    public void A_request_after_the_deadline_is_judged_as_if_the_timer_had_fired()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var id = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob, negotiationTimeout: "PT10M"));
        w.Now = w.Now.AddMinutes(10);

        // Even on a state where the expiry was not recorded yet, the signature comes too late.
        NegotiationMachine.Check(w.Negotiation, w.Sign(Bob, id), w.Now)!.Code.Should().Be(PactCodes.ProposalStatus);
        // The daemon records the deadline first, then answers.
        var verdict = w.Negotiate(w.Sign(Bob, id));
        verdict.ShouldBeRefusedWith(PactCodes.ProposalStatus);
        w.Stream(session).TakeLast(2).Types().Should().Equal("proposal.expired", "failure");
    }

    [Fact]
    public void A_signature_a_millisecond_before_expiry_wins()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var id = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob, negotiationTimeout: "PT10M"));
        w.Now = w.Now.AddMinutes(10).AddMilliseconds(-1);

        Accept(w.Negotiate(w.Sign(Bob, id)));
        w.Now = w.Now.AddDays(1);
        w.Tick().Should().BeEmpty();
        w.StatusOf(id).Should().Be(ProposalStatus.Signed);
    }

    [Fact]
    public void Firing_a_stale_or_unreached_deadline_records_nothing()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var id = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob, negotiationTimeout: "PT10M"));
        var deadline = NegotiationMachine.NextDeadline(w.Negotiation)!;

        NegotiationMachine.Fire(w.Negotiation, deadline, w.Now).IsEmpty.Should().BeTrue();
        Accept(w.Negotiate(w.Decline(Bob, id)));
        NegotiationMachine.Fire(w.Negotiation, deadline, deadline.DueAt).IsEmpty.Should().BeTrue();
        NegotiationMachine.NextDeadline(w.Negotiation).Should().BeNull();
    }

    [Fact]
    public void Deadlines_order_by_due_time_kind_and_ordinal_id()
    {
        var t = Timestamp.Parse("2026-11-21T12:00:00.000Z");
        var list = new[]
        {
            new Deadline(t, DeadlineKind.CompactExpiry, "a"),
            new Deadline(t, DeadlineKind.ProposalExpiry, "prp_b"),
            new Deadline(t.AddMilliseconds(-1), DeadlineKind.CompactExpiry, "z"),
            new Deadline(t, DeadlineKind.ProposalExpiry, "prp_B"),
            new Deadline(t, DeadlineKind.WithdrawalEscalation, "prp_a"),
        };

        list.Order().Select(d => d.Id).Should().Equal("z", "prp_B", "prp_b", "prp_a", "a");
    }

    [Fact]
    public void Escalation_evidence_survives_replay()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var id = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        Accept(w.Negotiate(w.Withdraw(Alice, id)));
        var replayed = NegotiationState.Empty.ApplyAll(w.Log);
        w.Advance("P7D");

        var live = NegotiationMachine.FireDue(w.Negotiation, w.Now);
        var fromReplay = NegotiationMachine.FireDue(replayed, w.Now);

        fromReplay.Events.Select(e => e.Draft.Data.ToJsonString()).Should().Equal(live.Events.Select(e => e.Draft.Data.ToJsonString()));
        live.Events.Should().HaveCount(3);
    }
}
