using FluentAssertions;
using Pact.Core.Lifecycle;
using Pact.Core.Negotiation;
using Pact.Core.Terms;
using Pact.Core.Tests.Negotiation;
using Pact.Core.Time;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Lifecycle;

public class RevocationFlowTests
{
    private const string Id = "cmp_lab-0001";

    private static (LifecycleWorld World, string Session) Signed(RevocationSpec? revocation = null)
    {
        var w = new LifecycleWorld();
        var session = w.SignCompact(Alice, Bob, Lab.Terms(Id, Alice, Bob, revocation));
        return (w, session);
    }

    [Fact]
    public void Lab_terms_pass_reading_and_validation()
    {
        var (terms, error) = TermsValidator.ReadAndValidate(Lab.Terms(Id, Alice, Bob), TermsValidationContext.Offline);
        error.Should().BeNull(error?.Detail);
        terms!.Retention.A.Should().HaveCount(5);
    }

    [Fact]
    public void Compact_in_force_caches_its_terms_and_inForceAt_and_schedules_expiry_at_until()
    {
        var (w, _) = Signed();

        var lifecycle = w.State.Lifecycle(Id, 1)!;
        lifecycle.Terms!.CompactId.Should().Be(Id);
        lifecycle.InForceAt.Should().Be(Lab.Signed);
        lifecycle.End.Should().BeNull();
        NegotiationMachine.NextDeadline(w.State).Should().Be(new Deadline(Lab.Until, DeadlineKind.CompactExpiry, Id));
    }

    [Fact]
    public void Revoke_records_initiated_with_effectiveAt_after_the_notice_and_ackDeadline_after_the_ack_timeout()
    {
        var (w, session) = Signed();
        w.At("2027-01-15T08:30:00.000Z");
        var command = w.Revoke(Alice, Id, reason: "Homeowner moved out");

        var events = w.Must(command);

        events.Should().ContainSingle();
        var e = events[0];
        (e.Stream, e.Type, e.Actor).Should().Be((session, "compact.revocation.initiated", Alice.Did));
        e.Data.Keys().Should().Equal("envelope", "compactId", "version", "revocationId", "effectiveAt", "ackDeadline");
        e.Data["version"]!.GetValue<long>().Should().Be(1);
        e.Data["revocationId"]!.GetValue<string>().Should().Be(command.RevocationId);
        e.Data["effectiveAt"]!.GetValue<string>().Should().Be("2027-02-14T08:30:00.000Z");
        e.Data["ackDeadline"]!.GetValue<string>().Should().Be("2027-01-22T08:30:00.000Z");

        var r = w.State.Revocation(command.RevocationId)!;
        r.Status.Should().Be(RevocationStatus.Initiated);
        r.InitiationHash.Should().Be(e.Hash);
        r.InitiatorRole.Should().Be(PartyRole.A);
        r.Reason.Should().Be("Homeowner moved out");
        w.State.Compact(Id, 1)!.Status.Should().Be(CompactVersionStatus.InForce, "a revocation is not active until acknowledged or escalated");
        NegotiationMachine.NextDeadline(w.State).Should().Be(new Deadline(r.AckDeadline, DeadlineKind.RevocationEscalation, r.RevocationId));
    }

    [Fact]
    public void Acknowledgment_before_effectiveAt_makes_the_revocation_active_at_effectiveAt()
    {
        var (w, session) = Signed();
        w.At("2027-01-15T00:00:00.000Z");
        var id = w.Revoked(Alice, Id);
        w.At("2027-01-16T00:00:00.000Z");

        var acked = w.Must(w.AckRevocation(Bob, Id, id));

        acked.Types().Should().Equal("compact.revocation.acknowledged");
        acked[0].Actor.Should().Be(Bob.Did);
        acked[0].Data.Keys().Should().Equal("envelope", "revocationId", "initiationHash");
        acked[0].Data["initiationHash"]!.GetValue<string>().Should().Be(w.State.Revocation(id)!.InitiationHash);
        w.State.Revocation(id)!.Status.Should().Be(RevocationStatus.Acknowledged);
        w.State.Compact(Id, 1)!.Status.Should().Be(CompactVersionStatus.InForce);

        var effectiveAt = Timestamp.Parse("2027-02-14T00:00:00.000Z");
        NegotiationMachine.DueDeadlines(w.State, effectiveAt.AddMilliseconds(-1)).Should().BeEmpty();
        NegotiationMachine.NextDeadline(w.State).Should().Be(new Deadline(effectiveAt, DeadlineKind.RevocationEffective, id));

        w.Now = effectiveAt.AddHours(3); // the timer ran late
        var fired = w.Tick();

        fired.Types().Should().Equal("compact.revoked");
        fired[0].Stream.Should().Be(session);
        fired[0].Actor.Should().Be("daemon");
        fired[0].Data.Keys().Should().Equal("compactId", "version", "revocationId", "cause", "dueAt");
        fired[0].Data["cause"]!.GetValue<string>().Should().Be("revocation");
        fired[0].Data["dueAt"]!.GetValue<string>().Should().Be("2027-02-14T00:00:00.000Z");
        w.State.Compact(Id, 1)!.Status.Should().Be(CompactVersionStatus.Revoked);
        w.State.Revocation(id)!.Status.Should().Be(RevocationStatus.Active);
        w.State.Revocation(id)!.ActiveAt.Should().Be(effectiveAt);
        w.State.Lifecycle(Id, 1)!.End.Should().Be(new CompactEnd(LifecycleEvent.Revocation, effectiveAt));
    }

    [Fact]
    public void Acknowledgment_after_effectiveAt_revokes_at_once()
    {
        var (w, session) = Signed(new RevocationSpec(NoticePeriod: "P1D"));
        w.At("2027-01-15T00:00:00.000Z");
        var id = w.Revoked(Alice, Id);
        w.At("2027-01-18T10:00:00.000Z");

        var events = w.Must(w.AckRevocation(Bob, Id, id));

        events.Types().Should().Equal("compact.revocation.acknowledged", "compact.revoked");
        events.Should().OnlyContain(e => e.Stream == session);
        events[1].Actor.Should().Be("daemon");
        events[1].Data.Keys().Should().Equal("compactId", "version", "revocationId", "cause");
        events[1].Data["revocationId"]!.GetValue<string>().Should().Be(id);
        w.State.Lifecycle(Id, 1)!.End!.At.Should().Be(Timestamp.Parse("2027-01-18T10:00:00.000Z"));
        NegotiationMachine.NextDeadline(w.State).Should().BeNull("nothing is left to happen to a revoked compact");
    }

    [Fact]
    public void Escalation_after_the_notice_period_records_the_silence_and_revokes_at_the_ack_deadline()
    {
        var (w, session) = Signed(new RevocationSpec(NoticePeriod: "P1D"));
        w.At("2027-01-15T00:00:00.000Z");
        var id = w.Revoked(Alice, Id);
        var initiated = w.Log[^1];
        var ackDeadline = Timestamp.Parse("2027-01-22T00:00:00.000Z");
        w.Now = ackDeadline.AddDays(1); // a day late: the events still say when they happened

        var events = w.Tick();

        events.Types().Should().Equal("compact.revocation.escalated", "failure", "compact.revoked");
        events.Should().OnlyContain(e => e.Stream == session && e.Actor == "daemon");
        events[0].Data.Keys().Should().Equal("revocationId", "dueAt");
        events[0].Data["dueAt"]!.GetValue<string>().Should().Be("2027-01-22T00:00:00.000Z");
        var failure = events[1].Data;
        failure["code"]!.GetValue<string>().Should().Be("PACT-502");
        failure["stage"]!.GetValue<string>().Should().Be("lifecycle");
        failure["faultDomain"]!.GetValue<string>().Should().Be("counterparty");
        failure["terminality"]!.GetValue<string>().Should().Be("non_terminal");
        failure["evidenceRefs"]!.AsArray().Select(n => n!.GetValue<string>())
            .Should().Equal("event:" + initiated.Hash, "compact:" + w.CompactHash(Id));
        failure["transcriptHash"]!.GetValue<string>().Should().Be(events[1].PrevHash);
        failure["agent"]!.GetValue<string>().Should().Be(Bob.Did, "the party that had to acknowledge Alice's revocation (§16)");
        events[2].Data.Keys().Should().Equal("compactId", "version", "revocationId", "cause");

        var r = w.State.Revocation(id)!;
        r.Status.Should().Be(RevocationStatus.Active);
        r.EscalatedAt.Should().Be(ackDeadline);
        r.ActiveAt.Should().Be(ackDeadline, "an event following a deadline event happened at its dueAt, not when it was recorded");
        w.State.Lifecycle(Id, 1)!.End.Should().Be(new CompactEnd(LifecycleEvent.Revocation, ackDeadline));
    }

    [Fact]
    public void A_revocation_by_party_b_that_goes_unacknowledged_names_party_a()
    {
        var (w, _) = Signed(new RevocationSpec(NoticePeriod: "P1D"));
        w.At("2027-01-15T00:00:00.000Z");
        w.Revoked(Bob, Id);
        w.At("2027-01-22T00:00:00.000Z");

        var events = w.Tick();

        events.Types().Should().Equal("compact.revocation.escalated", "failure", "compact.revoked");
        events[1].Data["agent"]!.GetValue<string>().Should().Be(Alice.Did);
    }

    [Fact]
    public void Escalation_before_the_notice_period_ends_schedules_the_revocation_for_effectiveAt()
    {
        var (w, _) = Signed();
        w.At("2027-01-15T00:00:00.000Z");
        var id = w.Revoked(Alice, Id);
        w.At("2027-01-22T00:00:00.000Z");

        w.Tick().Types().Should().Equal("compact.revocation.escalated", "failure");

        w.State.Revocation(id)!.Status.Should().Be(RevocationStatus.Escalated);
        w.State.Compact(Id, 1)!.Status.Should().Be(CompactVersionStatus.InForce);
        var effectiveAt = Timestamp.Parse("2027-02-14T00:00:00.000Z");
        NegotiationMachine.NextDeadline(w.State).Should().Be(new Deadline(effectiveAt, DeadlineKind.RevocationEffective, id));

        w.Now = effectiveAt;
        var fired = w.Tick();
        fired.Types().Should().Equal("compact.revoked");
        fired[0].Data["dueAt"]!.GetValue<string>().Should().Be("2027-02-14T00:00:00.000Z");
        w.State.Revocation(id)!.Status.Should().Be(RevocationStatus.Active);
    }

    [Fact]
    public void A_late_timer_fires_escalation_and_the_activation_it_schedules_in_one_pass()
    {
        var (w, _) = Signed(new RevocationSpec(NoticePeriod: "P10D"));
        w.At("2027-01-15T00:00:00.000Z");
        var id = w.Revoked(Alice, Id);
        w.At("2027-03-01T00:00:00.000Z");

        NegotiationMachine.DueDeadlines(w.State, w.Now).Should().Equal(
            new Deadline(Timestamp.Parse("2027-01-22T00:00:00.000Z"), DeadlineKind.RevocationEscalation, id),
            new Deadline(Timestamp.Parse("2027-01-25T00:00:00.000Z"), DeadlineKind.RevocationEffective, id));
        var events = w.Tick();

        events.Types().Should().Equal("compact.revocation.escalated", "failure", "compact.revoked");
        events[2].Data["dueAt"]!.GetValue<string>().Should().Be("2027-01-25T00:00:00.000Z");
        w.State.Lifecycle(Id, 1)!.End!.At.Should().Be(Timestamp.Parse("2027-01-25T00:00:00.000Z"));
    }

    [Fact]
    public void Mutual_revocation_without_acknowledgment_lapses_and_the_compact_stays_in_force()
    {
        var (w, session) = Signed(new RevocationSpec(Mode: "mutual"));
        w.At("2027-01-15T00:00:00.000Z");
        var id = w.Revoked(Alice, Id);
        var initiated = w.Log[^1];
        w.At("2027-01-22T00:00:00.000Z");

        var events = w.Tick();

        events.Types().Should().Equal("compact.revocation.lapsed", "failure");
        events.Should().OnlyContain(e => e.Stream == session && e.Actor == "daemon");
        events[0].Data.Keys().Should().Equal("revocationId", "reason", "dueAt");
        events[0].Data["reason"]!.GetValue<string>().Should().Be("ack-timeout");
        events[1].Data["evidenceRefs"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("event:" + initiated.Hash, "compact:" + w.CompactHash(Id));
        events[1].Data["agent"]!.GetValue<string>().Should().Be(Bob.Did, "the failure names the silent party, though it counts for no figure (§16)");
        w.State.Revocation(id)!.Status.Should().Be(RevocationStatus.Lapsed);
        w.State.Revocation(id)!.LapseReason.Should().Be("ack-timeout");
        w.State.Compact(Id, 1)!.Status.Should().Be(CompactVersionStatus.InForce);
        w.State.Compact(Id, 1)!.OpenRevocationId.Should().BeNull();

        // The slot is free again: a new revocation may be initiated.
        w.Revoked(Bob, Id);
    }

    [Fact]
    public void Mutual_revocation_acknowledged_in_time_takes_effect()
    {
        var (w, _) = Signed(new RevocationSpec(Mode: "mutual", NoticePeriod: "PT0S"));
        w.At("2027-01-15T00:00:00.000Z");
        var id = w.Revoked(Bob, Id);
        w.At("2027-01-20T00:00:00.000Z");

        w.Must(w.AckRevocation(Alice, Id, id)).Types().Should().Equal("compact.revocation.acknowledged", "compact.revoked");
        w.State.Revocation(id)!.Status.Should().Be(RevocationStatus.Active);
    }

    [Fact]
    public void Emergency_revocation_allowed_by_the_terms_skips_the_notice_period()
    {
        var (w, _) = Signed(new RevocationSpec(Emergency: true));
        w.At("2027-01-15T00:00:00.000Z");

        var initiated = w.Must(w.Revoke(Alice, Id, emergency: true));

        initiated[0].Data["effectiveAt"]!.GetValue<string>().Should().Be("2027-01-15T00:00:00.000Z");
        initiated[0].Data["ackDeadline"]!.GetValue<string>().Should().Be("2027-01-22T00:00:00.000Z");
        var id = initiated[0].Data["revocationId"]!.GetValue<string>();
        w.State.Revocation(id)!.Emergency.Should().BeTrue();
        w.State.Compact(Id, 1)!.Status.Should().Be(CompactVersionStatus.InForce, "even an emergency revocation waits for the acknowledgment");

        w.At("2027-01-15T01:00:00.000Z");
        w.Must(w.AckRevocation(Bob, Id, id)).Types().Should().Equal("compact.revocation.acknowledged", "compact.revoked");
    }

    [Fact]
    public void Conditional_revocation_naming_a_listed_condition_is_recorded_with_it()
    {
        var (w, _) = Signed(new RevocationSpec(Mode: "conditional", Conditions: ["non-payment", "safety-hazard"]));
        w.At("2027-01-15T00:00:00.000Z");

        var id = w.Revoked(Bob, Id, condition: "safety-hazard");

        var r = w.State.Revocation(id)!;
        r.Condition.Should().Be("safety-hazard");
        r.Mode.Should().Be(RevocationMode.Conditional);
        r.InitiatorRole.Should().Be(PartyRole.B);
        LifecycleResources.Revocation(r).Wire()["condition"]!.GetValue<string>().Should().Be("safety-hazard");
    }

    [Fact]
    public void Expiry_records_compact_expired_and_lapses_the_open_revocation()
    {
        var (w, session) = Signed();
        w.At("2027-11-20T00:00:00.000Z");
        var id = w.Revoked(Alice, Id);
        w.At("2027-11-21T00:00:00.000Z");
        w.Must(w.AckRevocation(Bob, Id, id)); // active only at 2027-12-20, after until
        w.At("2027-12-01T00:00:00.000Z");

        var events = w.Tick();

        events.Types().Should().Equal("compact.expired", "compact.revocation.lapsed");
        events.Should().OnlyContain(e => e.Stream == session && e.Actor == "daemon");
        events[0].Data.Keys().Should().Equal("compactId", "version", "dueAt");
        events[0].Data["dueAt"]!.GetValue<string>().Should().Be("2027-12-01T00:00:00.000Z");
        events[1].Data.Keys().Should().Equal("revocationId", "reason");
        events[1].Data["reason"]!.GetValue<string>().Should().Be("expired");
        w.State.Compact(Id, 1)!.Status.Should().Be(CompactVersionStatus.Expired);
        w.State.Revocation(id)!.Status.Should().Be(RevocationStatus.Lapsed);
        w.State.Lifecycle(Id, 1)!.End.Should().Be(new CompactEnd(LifecycleEvent.Expiration, Lab.Until));
        NegotiationMachine.NextDeadline(w.State).Should().BeNull("the acknowledged revocation no longer waits for effectiveAt");
    }

    [Fact]
    public void Supersession_lapses_the_open_revocation_and_its_deadlines()
    {
        var (w, session) = Signed();
        w.At("2027-01-15T00:00:00.000Z");
        var id = w.Revoked(Alice, Id);
        var v2 = Lab.Terms(Id, Alice, Bob, version: 2, predecessor: new PredecessorRef(1, w.CompactHash(Id)));
        w.SignCompact(Alice, Bob, v2, session);

        w.Log.TakeLast(2).Types().Should().Equal("compact.superseded", "compact.revocation.lapsed");
        var r = w.State.Revocation(id)!;
        r.Status.Should().Be(RevocationStatus.Lapsed);
        r.LapseReason.Should().Be("superseded");
        w.State.Lifecycle(Id, 1)!.End.Should().Be(new CompactEnd(LifecycleEvent.Supersession, w.Now));
        w.State.PendingDeadlines().Should().Equal(new Deadline(Lab.Until, DeadlineKind.CompactExpiry, Id));
        w.Run(w.AckRevocation(Bob, Id, id)).ShouldBeRefusedWith("PACT-304");
    }

    [Fact]
    public void A_command_recorded_right_after_late_deadline_events_keeps_its_own_time()
    {
        var w = new LifecycleWorld();
        w.SignCompact(Alice, Bob, Lab.Terms(Id, Alice, Bob));
        w.SignCompact(Alice, Bob, Lab.Terms("cmp_lab-other", Alice, Bob, new RevocationSpec(NoticePeriod: "P1D")));
        w.At("2027-01-15T00:00:00.000Z");
        w.Revoked(Alice, Id); // escalates 2027-01-22
        w.At("2027-01-20T00:00:00.000Z");
        var other = w.Revoked(Alice, "cmp_lab-other");
        w.At("2027-01-25T00:00:00.000Z");

        // The daemon records the overdue escalation, then the acknowledgment, both at the same clock reading.
        w.Must(w.AckRevocation(Bob, "cmp_lab-other", other));

        w.Log.TakeLast(4).Types().Should().Equal("compact.revocation.escalated", "failure", "compact.revocation.acknowledged", "compact.revoked");
        w.Log.TakeLast(4).Select(e => e.Time).Distinct().Should().ContainSingle();
        w.State.Revocation(other)!.ActiveAt.Should().Be(Timestamp.Parse("2027-01-25T00:00:00.000Z"), "the escalation's dueAt belongs to the escalation only");
    }

    [Fact]
    public void Revocation_resource_has_the_members_of_section_11_then_additive_ones()
    {
        var (w, _) = Signed();
        w.At("2027-01-15T00:00:00.000Z");
        var id = w.Revoked(Alice, Id);

        var json = LifecycleResources.Revocation(w.State, id, w.Now)!.Wire();

        json.Keys().Take(8).Should().Equal("revocationId", "compactId", "version", "initiatedBy", "status", "effectiveAt", "ackDeadline", "initiationHash");
        json["initiatedBy"]!.GetValue<string>().Should().Be(Alice.Did);
        json["status"]!.GetValue<string>().Should().Be("initiated");
        json["reason"].Should().BeNull();

        // Read after the ack deadline without the timer having run: the resource shows the escalation.
        LifecycleResources.Revocation(w.State, id, Timestamp.Parse("2027-01-22T00:00:00.000Z"))!.Wire()["status"]!.GetValue<string>().Should().Be("escalated");
        LifecycleResources.Revocation(w.State, "rev_01JD0000000000000000000000", w.Now).Should().BeNull();
    }
}
