using FluentAssertions;
using Pact.Core.Lifecycle;
using Pact.Core.Negotiation;
using Pact.Core.Terms;
using Pact.Core.Tests.Negotiation;
using Pact.Core.Time;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Lifecycle;

public class MarkerTests
{
    private const string Id = "cmp_lab-0004";

    private static (LifecycleWorld World, string Session) Signed()
    {
        var w = new LifecycleWorld();
        var session = w.SignCompact(Alice, Bob, Lab.Terms(Id, Alice, Bob));
        w.At("2027-03-01T09:00:00.000Z");
        return (w, session);
    }

    [Fact]
    public void A_marker_is_recorded_by_a_party_and_takes_effect_with_the_acknowledgment()
    {
        var (w, session) = Signed();
        var command = w.Marker(Alice, Id);

        var recorded = w.Must(command);

        recorded.Types().Should().Equal("compact.marker");
        (recorded[0].Stream, recorded[0].Actor).Should().Be((session, Alice.Did));
        recorded[0].Data.Keys().Should().Equal("envelope", "compactId", "markerId", "marker");
        recorded[0].Data["marker"]!.GetValue<string>().Should().Be("work-complete");
        var m = w.State.Marker(command.MarkerId)!;
        (m.Status, m.InitiationHash, m.AckDeadline).Should().Be((MarkerStatus.Recorded, recorded[0].Hash, Timestamp.Parse("2027-03-08T09:00:00.000Z")));
        LifecycleResources.Marker(m).Wire().Keys().Take(7).Should().Equal("markerId", "compactId", "marker", "recordedBy", "status", "initiationHash", "effectiveAt");

        w.At("2027-03-02T10:00:00.000Z");
        var acked = w.Must(w.AckMarker(Bob, Id, command.MarkerId));

        acked.Types().Should().Equal("compact.marker.acknowledged");
        (acked[0].Stream, acked[0].Actor).Should().Be((session, Bob.Did));
        acked[0].Data.Keys().Should().Equal("envelope", "markerId", "initiationHash");
        m = w.State.Marker(command.MarkerId)!;
        (m.Status, m.EffectiveAt).Should().Be((MarkerStatus.Effective, Timestamp.Parse("2027-03-02T10:00:00.000Z")));
        var json = LifecycleResources.Marker(m).Wire();
        json["status"]!.GetValue<string>().Should().Be("effective");
        json["effectiveAt"]!.GetValue<string>().Should().Be("2027-03-02T10:00:00.000Z");
        json["recordedBy"]!.GetValue<string>().Should().Be(Alice.Did);
        NegotiationMachine.NextDeadline(w.State)!.Kind.Should().Be(DeadlineKind.CompactExpiry);
    }

    [Fact]
    public void Without_acknowledgment_a_marker_takes_effect_at_initiation_plus_ackTimeout()
    {
        var (w, session) = Signed();
        var id = w.Marked(Bob, Id);
        var due = Timestamp.Parse("2027-03-08T09:00:00.000Z");
        NegotiationMachine.NextDeadline(w.State).Should().Be(new Deadline(due, DeadlineKind.MarkerEffective, id));
        LifecycleResources.Marker(w.State.Marker(id)!).Wire()["effectiveAt"]!.GetValue<string>().Should().Be("2027-03-08T09:00:00.000Z",
            "while recorded, effectiveAt says when it will take effect unless acknowledged sooner");

        w.Now = due.AddMinutes(1);
        var fired = w.Tick();

        fired.Types().Should().Equal("compact.marker.effective");
        (fired[0].Stream, fired[0].Actor).Should().Be((session, "daemon"));
        fired[0].Data.Keys().Should().Equal("markerId", "dueAt");
        w.State.Marker(id)!.EffectiveAt.Should().Be(due);
    }

    [Fact]
    public void A_marker_applies_to_later_versions_and_keeps_its_stream()
    {
        var (w, session) = Signed();
        var id = w.Marked(Alice, Id);
        var v2Session = w.W.OpenSession(Alice, Alice, Bob);
        w.SignCompact(Alice, Bob, Lab.Terms(Id, Alice, Bob, version: 2, predecessor: new PredecessorRef(1, w.CompactHash(Id))), v2Session);
        w.Advance("P8D");

        w.Tick().Should().ContainSingle(e => e.Type == "compact.marker.effective" && e.Stream == session);
        Pact.Core.Compliance.CompactTimeline.From(w.State, Id, 2)!.MarkerEffectiveAt("work-complete").Should().NotBeNull();
        w.State.Marker(id)!.Version.Should().Be(1);
    }

    [Fact]
    public void Pending_lists_what_an_agent_may_acknowledge()
    {
        var (w, _) = Signed();
        var marker = w.Marked(Alice, Id);
        var revocation = w.Revoked(Bob, Id);

        var forAlice = LifecycleMachine.AwaitingAcknowledgment(w.State, Alice.Did, w.Now);
        var forBob = LifecycleMachine.AwaitingAcknowledgment(w.State, Bob.Did, w.Now);
        var forCarol = LifecycleMachine.AwaitingAcknowledgment(w.State, Carol.Did, w.Now);

        forAlice.Revocations.Select(r => r.RevocationId).Should().Equal(revocation);
        forAlice.Markers.Should().BeEmpty();
        forBob.Markers.Select(m => m.MarkerId).Should().Equal(marker);
        forBob.Revocations.Should().BeEmpty();
        (forCarol.Revocations.Count + forCarol.Markers.Count).Should().Be(0);
        LifecycleMachine.AwaitingAcknowledgment(w.State, Bob.Did, w.Now.AddDays(8)).Markers.Should().BeEmpty("the marker took effect by then");
    }
}
