using FluentAssertions;
using Pact.Core.Lifecycle;
using Pact.Core.Negotiation;
using Pact.Core.Tests.Negotiation;
using Pact.Core.Time;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Lifecycle;

/// <summary>
/// Races as pure-state questions: the daemon serializes decisions on a compact, so "at the same time" means one
/// of two orders of recording, and each order must give one consistent outcome.
/// </summary>
public class RaceTests
{
    private const string Id = "cmp_lab-0003";
    private static readonly DateTimeOffset Initiation = Timestamp.Parse("2027-01-15T00:00:00.000Z");
    private static readonly DateTimeOffset AckDeadline = Timestamp.Parse("2027-01-22T00:00:00.000Z");

    private static (LifecycleWorld World, string RevocationId) Pending(string notice = "P30D")
    {
        var w = new LifecycleWorld();
        w.SignCompact(Alice, Bob, Lab.Terms(Id, Alice, Bob, new RevocationSpec(NoticePeriod: notice)));
        w.Now = Initiation;
        return (w, w.Revoked(Alice, Id));
    }

    [Fact]
    public void Escalation_recorded_first_makes_an_acknowledgment_at_the_same_instant_a_304()
    {
        var (w, id) = Pending();
        w.Now = AckDeadline;
        var ack = w.AckRevocation(Bob, Id, id);

        // Pure: judged against the state before the timer recorded anything, the deadline counts as fired.
        LifecycleMachine.Decide(w.State, ack, AckDeadline).ShouldBeRefusedWith("PACT-304");

        w.Tick().Types().Should().Equal("compact.revocation.escalated", "failure");
        LifecycleMachine.Decide(w.State, ack, AckDeadline).ShouldBeRefusedWith("PACT-304");
        w.State.Revocation(id)!.Status.Should().Be(RevocationStatus.Escalated);
    }

    [Fact]
    public void Acknowledgment_recorded_first_turns_the_escalation_into_a_no_op()
    {
        var (w, id) = Pending();
        var escalation = new Deadline(AckDeadline, DeadlineKind.RevocationEscalation, id);
        w.Now = AckDeadline.AddMilliseconds(-1);
        w.Must(w.AckRevocation(Bob, Id, id));

        NegotiationMachine.Fire(w.State, escalation, AckDeadline).IsEmpty.Should().BeTrue();
        NegotiationMachine.DueDeadlines(w.State, AckDeadline).Should().BeEmpty();
        w.Now = AckDeadline;
        w.Tick().Should().BeEmpty();
        w.State.Revocation(id)!.Status.Should().Be(RevocationStatus.Acknowledged);
    }

    [Fact]
    public void The_same_escalation_fired_twice_records_once()
    {
        var (w, id) = Pending();
        var escalation = new Deadline(AckDeadline, DeadlineKind.RevocationEscalation, id);
        w.Now = AckDeadline;
        var first = NegotiationMachine.Fire(w.State, escalation, AckDeadline);
        first.IsEmpty.Should().BeFalse();
        w.W.Append(first);

        NegotiationMachine.Fire(w.State, escalation, AckDeadline).IsEmpty.Should().BeTrue();
        NegotiationMachine.FireDue(w.State, AckDeadline).IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void Concurrent_revocations_of_both_sides_let_the_first_recorded_win()
    {
        var w = new LifecycleWorld();
        w.SignCompact(Alice, Bob, Lab.Terms(Id, Alice, Bob));
        w.Now = Initiation;
        var byAlice = w.Revoke(Alice, Id);
        var byBob = w.Revoke(Bob, Id);
        var before = w.State;

        // Each alone would be accepted ...
        LifecycleMachine.Decide(before, byAlice, w.Now).IsAccepted.Should().BeTrue();
        LifecycleMachine.Decide(before, byBob, w.Now).IsAccepted.Should().BeTrue();

        // ... but once one is recorded the other is judged against it.
        w.Must(byAlice);
        var refused = w.Run(byBob);
        refused.ShouldBeRefusedWith("PACT-304");
        refused.Error!.Detail.Should().Contain(byAlice.RevocationId);
        w.State.Compact(Id, 1)!.OpenRevocationId.Should().Be(byAlice.RevocationId);
    }

    [Fact]
    public void Acknowledgment_and_expiry_at_the_same_instant_follow_the_order_of_recording()
    {
        var w = new LifecycleWorld();
        w.SignCompact(Alice, Bob, Lab.Terms(Id, Alice, Bob, new RevocationSpec(NoticePeriod: "PT0S", AckTimeout: "P30D")));
        w.At("2027-11-25T00:00:00.000Z");
        var id = w.Revoked(Alice, Id);
        var ack = w.AckRevocation(Bob, Id, id);

        // At until the expiry has fired (as far as any judgment is concerned): the revocation lapsed.
        LifecycleMachine.Decide(w.State, ack, Lab.Until).ShouldBeRefusedWith("PACT-304");
        // A millisecond earlier the acknowledgment revokes at once, and the expiry never happens.
        w.Now = Lab.Until.AddMilliseconds(-1);
        w.Must(ack).Types().Should().Equal("compact.revocation.acknowledged", "compact.revoked");
        w.Now = Lab.Until;
        w.Tick().Should().BeEmpty();
        w.State.Lifecycle(Id, 1)!.End!.Event.Should().Be(Pact.Core.Terms.LifecycleEvent.Revocation);
    }

    [Fact]
    public void Escalation_that_revokes_cancels_an_expiry_due_at_the_same_instant()
    {
        // ackDeadline = until: kind 3 fires before kind 6 and the compact is revoked, so it never expires.
        var w = new LifecycleWorld();
        w.SignCompact(Alice, Bob, Lab.Terms(Id, Alice, Bob, new RevocationSpec(NoticePeriod: "P1D", AckTimeout: "P7D")));
        w.At("2027-11-24T00:00:00.000Z");
        var id = w.Revoked(Alice, Id);
        w.Now = Lab.Until;

        NegotiationMachine.DueDeadlines(w.State, w.Now).Should().Equal(new Deadline(Lab.Until, DeadlineKind.RevocationEscalation, id));
        w.Tick().Types().Should().Equal("compact.revocation.escalated", "failure", "compact.revoked");
        w.State.Compact(Id, 1)!.Status.Should().Be(CompactVersionStatus.Revoked);
    }
}
