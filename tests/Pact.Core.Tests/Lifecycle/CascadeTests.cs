using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Compliance;
using Pact.Core.Crypto;
using Pact.Core.Lifecycle;
using Pact.Core.Negotiation;
using Pact.Core.Terms;
using Pact.Core.Tests.Negotiation;
using Pact.Core.Time;
using static Pact.Core.Tests.Lifecycle.Lab;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Lifecycle;

/// <summary>Dependent compacts (§6.4) and the homeowner–contractor–plumber mesh of ACP §11.2.</summary>
public class CascadeTests
{
    private const string Home = "cmp_home-remodel";
    private const string Plumbing = "cmp_plumbing-sub";
    private static readonly KeyPair Contractor = Alice;
    private static readonly KeyPair Homeowner = Bob;
    private static readonly KeyPair Plumber = Carol;

    /// <summary>The plumber's slice: property access until the work is complete (deleted on any event, upstream too), work records.</summary>
    private static JsonArray PlumberSlice() =>
    [
        Entry("property-access-details", new JsonObject { ["mode"] = "until-marker", ["marker"] = "work-complete" }, [], [],
            Disp(Act("delete"), Act("delete"), Act("delete"), Act("delete"))),
        Entry("work-record", new JsonObject { ["mode"] = "period", ["period"] = "P1Y", ["anchor"] = "effective-end" }, ["work-history-summary"], [],
            Disp(Act("retain", "P1Y"), Act("retain", "P1Y"), Act("retain", "P1Y"), Transition("P90D", [], []))),
    ];

    private static UpstreamRef On(string compactId, long version, params UpstreamTrigger[] on) => new(compactId, version, on);

    private static (LifecycleWorld World, string HomeSession, string PlumbingSession) Mesh()
    {
        var w = new LifecycleWorld();
        var homeSession = w.SignCompact(Contractor, Homeowner, Lab.Terms(Home, Contractor, Homeowner));
        var plumbingSession = w.SignCompact(Contractor, Plumber, Lab.Terms(Plumbing, Contractor, Plumber,
            upstream: [On(Home, 1, UpstreamTrigger.Revocation, UpstreamTrigger.Expiration)], sliceB: PlumberSlice()));
        return (w, homeSession, plumbingSession);
    }

    private static ComplianceDecision Check(LifecycleWorld w, string compactId, PartyRole party, ComplianceAction action, string category,
        string? operation = null, DateTimeOffset? at = null)
    {
        var (decision, error) = ComplianceCheck.Evaluate(w.State, compactId, new ComplianceRequest(party, action, category, operation, At: at), w.Now);
        error.Should().BeNull();
        return decision!;
    }

    [Fact]
    public void Mesh_fixture_terms_validate()
    {
        var terms = Lab.Terms(Plumbing, Contractor, Plumber, upstream: [On(Home, 1, UpstreamTrigger.Revocation)], sliceB: PlumberSlice());
        TermsValidator.ReadAndValidate(terms, TermsValidationContext.Offline).Error.Should().BeNull();
    }

    [Fact]
    public void Homeowner_revocation_cascades_to_the_plumbing_compact_and_the_plumbers_property_access_is_disposed()
    {
        var (w, homeSession, plumbingSession) = Mesh();
        w.At("2027-01-15T00:00:00.000Z");
        var revocation = w.Revoked(Homeowner, Home);

        // The gap: the contractor's slice of the home compact is suspended; the plumber is not touched yet.
        w.At("2027-01-15T12:00:00.000Z");
        Check(w, Home, PartyRole.A, ComplianceAction.Retain, "work-record").Code.Should().Be(ComplianceCodes.SuspendedLifecycleGap);
        Check(w, Plumbing, PartyRole.B, ComplianceAction.Retain, "property-access-details").Code.Should().Be(ComplianceCodes.Allowed);

        w.At("2027-01-16T00:00:00.000Z");
        w.Must(w.AckRevocation(Contractor, Home, revocation)).Types().Should().Equal("compact.revocation.acknowledged");
        var effectiveAt = Timestamp.Parse("2027-02-14T00:00:00.000Z");
        w.Now = effectiveAt;

        var events = w.Tick();

        events.Select(e => (e.Stream, e.Type)).Should().Equal(
            (homeSession, "compact.revoked"),
            (plumbingSession, "compact.upstream-triggered"),
            (plumbingSession, "compact.revoked"));
        events.Should().OnlyContain(e => e.Actor == "daemon");
        var triggered = events[1].Data;
        triggered.Keys().Should().Equal("compactId", "version", "upstream");
        triggered["compactId"]!.GetValue<string>().Should().Be(Plumbing);
        triggered["upstream"]!.AsObject().Keys().Should().Equal("compactId", "version", "event");
        triggered["upstream"]!["compactId"]!.GetValue<string>().Should().Be(Home);
        triggered["upstream"]!["version"]!.GetValue<long>().Should().Be(1);
        triggered["upstream"]!["event"]!.GetValue<string>().Should().Be("revocation");
        var revoked = events[2].Data;
        revoked.Keys().Should().Equal("compactId", "version", "revocationId", "cause");
        revoked["revocationId"].Should().BeNull();
        revoked["cause"]!.GetValue<string>().Should().Be("upstream");

        w.State.Compact(Plumbing, 1)!.Status.Should().Be(CompactVersionStatus.Revoked);
        var lifecycle = w.State.Lifecycle(Plumbing, 1)!;
        lifecycle.End.Should().Be(new CompactEnd(LifecycleEvent.Upstream, effectiveAt));
        lifecycle.TriggeredBy.Should().Be(new UpstreamCause(Home, 1, UpstreamTrigger.Revocation, effectiveAt));

        // The plumber's slice now follows the upstream dispositions.
        var access = Check(w, Plumbing, PartyRole.B, ComplianceAction.Retain, "property-access-details");
        access.Code.Should().Be(ComplianceCodes.Disposed);
        access.Trace[0].Detail.Should().Contain("revoked");
        access.Trace[^1].Should().Be(new TraceStep("retention-period", "fail", "upstream disposition delete"));
        Check(w, Plumbing, PartyRole.B, ComplianceAction.Retain, "work-record").Code.Should().Be(ComplianceCodes.Allowed);
        Check(w, Plumbing, PartyRole.B, ComplianceAction.Derive, "work-record", "work-history-summary").Code.Should().Be(ComplianceCodes.OperationNotAllowed);
        Check(w, Plumbing, PartyRole.B, ComplianceAction.Retain, "work-record", at: Timestamp.Parse("2027-05-15T00:00:00.000Z"))
            .Code.Should().Be(ComplianceCodes.Disposed, "the upstream transition kept work records for P90D only");

        var duties = DispositionDuties.Compute(w.State, Plumbing, w.Now)!;
        duties.GovernedBy.Should().Be("upstream");
        duties.B.Should().Equal(
            new CategoryDuty("property-access-details", DutyKinds.Delete, null, effectiveAt, null, null, "upstream", false),
            duties.B[1]);
        duties.B[1].Duty.Should().Be(DutyKinds.Transition);
        duties.B[1].Until.Should().Be(Timestamp.Parse("2027-05-15T00:00:00.000Z"));
    }

    [Fact]
    public void Expiry_cascades_breadth_first_each_level_in_compactId_order_and_only_along_matching_triggers()
    {
        var w = new LifecycleWorld();
        var d = Timestamp.Parse("2027-06-01T00:00:00.000Z");
        w.SignCompact(Alice, Bob, Lab.Terms("cmp_root-0001", Alice, Bob, until: Timestamp.ToText(d)));
        // Signed out of id order on purpose.
        var depB = w.SignCompact(Alice, Carol, Lab.Terms("cmp_dep-b-0001", Alice, Carol, upstream: [On("cmp_root-0001", 1, UpstreamTrigger.Expiration)]));
        var depA = w.SignCompact(Alice, Carol, Lab.Terms("cmp_dep-a-0001", Alice, Carol, upstream: [On("cmp_root-0001", 1, UpstreamTrigger.Expiration, UpstreamTrigger.Revocation)]));
        w.SignCompact(Alice, Carol, Lab.Terms("cmp_dep-c-0001", Alice, Carol, upstream: [On("cmp_root-0001", 1, UpstreamTrigger.Revocation)]));
        var leaf = w.SignCompact(Bob, Carol, Lab.Terms("cmp_aaa-leaf-01", Bob, Carol, upstream: [On("cmp_dep-b-0001", 1, UpstreamTrigger.Revocation)]));
        w.SignCompact(Bob, Carol, Lab.Terms("cmp_aaa-leaf-02", Bob, Carol, upstream: [On("cmp_dep-a-0001", 1, UpstreamTrigger.Expiration)]));
        w.Now = d;

        var events = w.Tick();

        events.Select(e => (e.Type, e.Data["compactId"]!.GetValue<string>())).Should().Equal(
            ("compact.expired", "cmp_root-0001"),
            ("compact.upstream-triggered", "cmp_dep-a-0001"), ("compact.revoked", "cmp_dep-a-0001"),
            ("compact.upstream-triggered", "cmp_dep-b-0001"), ("compact.revoked", "cmp_dep-b-0001"),
            ("compact.upstream-triggered", "cmp_aaa-leaf-01"), ("compact.revoked", "cmp_aaa-leaf-01"));
        events[1].Stream.Should().Be(depA);
        events[3].Stream.Should().Be(depB);
        events[5].Stream.Should().Be(leaf);
        events[1].Data["upstream"]!["event"]!.GetValue<string>().Should().Be("expiration");
        events[5].Data["upstream"]!["compactId"]!.GetValue<string>().Should().Be("cmp_dep-b-0001");
        events[5].Data["upstream"]!["event"]!.GetValue<string>().Should().Be("revocation", "a cascaded revocation is a revocation for the next level");
        w.State.InForce("cmp_dep-c-0001").Should().NotBeNull("it only follows its upstream's revocation");
        w.State.InForce("cmp_aaa-leaf-02").Should().NotBeNull("its upstream was revoked, not expired");
        w.State.Lifecycle("cmp_dep-b-0001", 1)!.End.Should().Be(new CompactEnd(LifecycleEvent.Upstream, d));
    }

    [Fact]
    public void An_upstream_reference_follows_supersession_to_the_current_version()
    {
        var w = new LifecycleWorld();
        var homeSession = w.SignCompact(Alice, Bob, Lab.Terms(Home, Alice, Bob, new RevocationSpec(NoticePeriod: "PT0S")));
        w.SignCompact(Alice, Carol, Lab.Terms(Plumbing, Alice, Carol, upstream: [On(Home, 1, UpstreamTrigger.Revocation)]));
        w.At("2027-01-10T00:00:00.000Z");
        w.SignCompact(Alice, Bob, Lab.Terms(Home, Alice, Bob, new RevocationSpec(NoticePeriod: "PT0S"), version: 2,
            predecessor: new PredecessorRef(1, w.CompactHash(Home))), homeSession);
        w.State.InForce(Plumbing).Should().NotBeNull("supersession is no revocation");

        w.At("2027-01-15T00:00:00.000Z");
        var id = w.Revoked(Bob, Home, version: 2);
        var events = w.Must(w.AckRevocation(Alice, Home, id));

        events.Types().Should().Equal("compact.revocation.acknowledged", "compact.revoked", "compact.upstream-triggered", "compact.revoked");
        events[2].Data["upstream"]!["version"]!.GetValue<long>().Should().Be(2);
        w.State.Compact(Plumbing, 1)!.Status.Should().Be(CompactVersionStatus.Revoked);
    }

    [Fact]
    public void A_cascade_closes_the_dependents_own_open_revocation_and_stops_at_compacts_already_ended()
    {
        var (w, _, _) = Mesh();
        w.SignCompact(Contractor, Plumber, Lab.Terms("cmp_early-ending", Contractor, Plumber, until: "2027-01-01T00:00:00.000Z",
            upstream: [On(Home, 1, UpstreamTrigger.Revocation)]));
        w.At("2027-01-10T00:00:00.000Z");
        var home = w.Revoked(Homeowner, Home); // escalates 01-17, active 02-09
        w.At("2027-01-20T00:00:00.000Z");
        var own = w.Revoked(Plumber, Plumbing); // would be active only 02-19
        w.At("2027-03-01T00:00:00.000Z");

        var events = w.Tick();

        events.Select(e => e.Data["compactId"]?.GetValue<string>()).Should().NotContain("cmp_early-ending");
        w.State.Revocation(home)!.Status.Should().Be(RevocationStatus.Active);
        w.State.Compact(Plumbing, 1)!.Status.Should().Be(CompactVersionStatus.Revoked);
        w.State.Lifecycle(Plumbing, 1)!.End!.Event.Should().Be(LifecycleEvent.Upstream);
        var r = w.State.Revocation(own)!;
        (r.Status, r.LapseReason).Should().Be((RevocationStatus.Lapsed, "upstream"));
        w.Run(w.AckRevocation(Contractor, Plumbing, own)).ShouldBeRefusedWith("PACT-304");
    }

    [Fact]
    public void A_dependency_cycle_through_a_successor_ends()
    {
        var w = new LifecycleWorld();
        var s = w.SignCompact(Alice, Bob, Lab.Terms("cmp_cycle-aaaa", Alice, Bob, new RevocationSpec(NoticePeriod: "PT0S")));
        w.SignCompact(Alice, Bob, Lab.Terms("cmp_cycle-bbbb", Alice, Bob, upstream: [On("cmp_cycle-aaaa", 1, UpstreamTrigger.Revocation)]));
        w.SignCompact(Alice, Bob, Lab.Terms("cmp_cycle-aaaa", Alice, Bob, new RevocationSpec(NoticePeriod: "PT0S"), version: 2,
            predecessor: new PredecessorRef(1, w.CompactHash("cmp_cycle-aaaa")), upstream: [On("cmp_cycle-bbbb", 1, UpstreamTrigger.Revocation)]), s);
        w.At("2027-01-15T00:00:00.000Z");
        var id = w.Revoked(Alice, "cmp_cycle-aaaa", version: 2);

        var events = w.Must(w.AckRevocation(Bob, "cmp_cycle-aaaa", id));

        events.Types().Should().Equal("compact.revocation.acknowledged", "compact.revoked", "compact.upstream-triggered", "compact.revoked");
        events[3].Data["compactId"]!.GetValue<string>().Should().Be("cmp_cycle-bbbb");
    }
}
