using FluentAssertions;
using Pact.Core.Compliance;
using Pact.Core.Tests.Lifecycle;
using Pact.Core.Tests.Negotiation;
using Pact.Core.Time;
using static Pact.Core.Compliance.DutyKinds;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Compliance;

public class DispositionDutiesTests
{
    private const string Id = CompliancePhases.Id;

    private static DispositionReport Report(string phase)
    {
        var (w, version, _) = CompliancePhases.Build(phase);
        return DispositionDuties.Compute(w.State, Id, w.Now, version)!;
    }

    private static (string Category, string Duty, string? Until, string? Since, string Basis) Row(CategoryDuty d) =>
        (d.Category, d.Duty, d.Until is { } u ? Timestamp.ToText(u) : null, d.Since is { } s ? Timestamp.ToText(s) : null, d.Basis);

    [Fact]
    public void In_force_the_retain_rules_set_the_duties()
    {
        var report = Report("in force");

        (report.Status, report.GovernedBy, report.EndedAt).Should().Be(("in-force", "retention", (DateTimeOffset?)null));
        report.A.Select(Row).Should().Equal(
            ("work-scope", Indefinite, null, null, "retention"),
            ("work-record", RetainUntil, "2028-12-01T00:00:00.000Z", null, "retention"),
            ("billing-payment-record", RetainUntil, "2027-02-19T12:00:00.000Z", null, "retention"),
            ("property-access-details", None, null, null, "retention"),
            ("warranty-information", None, null, null, "retention"));
        report.B.Select(Row).Should().Equal(
            ("work-scope", Indefinite, null, null, "retention"),
            ("dispute-records", RetainUntil, "2027-06-01T00:00:00.000Z", null, "retention"));
        report.A.Concat(report.B).Should().OnlyContain(d => !d.Suspended);
    }

    [Fact]
    public void A_period_that_ran_out_while_in_force_is_a_delete_since_its_end()
    {
        Report("in force, P90D over").A.Select(Row).Should().Contain(("billing-payment-record", Delete, null, "2027-02-19T12:00:00.000Z", "retention"));
    }

    [Fact]
    public void A_pending_revocation_marks_the_non_initiators_duties_suspended()
    {
        var report = Report("revocation pending");

        report.B.Should().OnlyContain(d => d.Suspended);
        report.A.Should().OnlyContain(d => !d.Suspended);
        report.GovernedBy.Should().Be("retention");
    }

    [Fact]
    public void After_revocation_the_revocation_dispositions_set_the_duties()
    {
        var report = Report("revoked");

        (report.Status, report.GovernedBy).Should().Be(("revoked", "revocation"));
        report.EndedAt.Should().Be(Timestamp.Parse("2027-02-14T00:00:00.000Z"));
        report.A.Select(Row).Should().Equal(
            ("work-scope", Indefinite, null, null, "revocation"),
            ("work-record", RetainUntil, "2034-02-14T00:00:00.000Z", null, "revocation"),
            ("billing-payment-record", Transition, null, null, "revocation"),
            ("property-access-details", Delete, null, "2027-02-14T00:00:00.000Z", "revocation"),
            ("warranty-information", Delete, null, "2027-02-14T00:00:00.000Z", "revocation"));
        var transition = report.A[2];
        transition.Derive.Should().Equal("aggregate-billing-statistics");
        transition.Propagate!.Select(e => e.To).Should().Equal("tax-authority");
        report.B.Select(Row).Should().Contain(("dispute-records", RetainUntil, "2027-03-14T00:00:00.000Z", null, "revocation"));
    }

    [Fact]
    public void Expired_and_superseded_versions_follow_their_own_dispositions()
    {
        Report("expired").A.Select(Row).Should().Equal(
            ("work-scope", Indefinite, null, null, "expiration"),
            ("work-record", RetainUntil, "2034-12-01T00:00:00.000Z", null, "expiration"),
            ("billing-payment-record", RetainUntil, "2027-12-31T00:00:00.000Z", null, "expiration"),
            ("property-access-details", Delete, null, "2027-12-01T00:00:00.000Z", "expiration"),
            ("warranty-information", Indefinite, null, null, "expiration"));

        var superseded = Report("superseded");
        (superseded.Version, superseded.Status, superseded.GovernedBy).Should().Be((1, "superseded", "supersession"));
        superseded.A.Select(Row).Should().Equal(
            ("work-scope", Indefinite, null, null, "supersession"),
            ("work-record", Transition, "2028-01-15T00:00:00.000Z", null, "supersession"),
            ("billing-payment-record", Delete, null, "2027-01-15T00:00:00.000Z", "supersession"),
            ("property-access-details", Delete, null, "2027-01-15T00:00:00.000Z", "supersession"),
            ("warranty-information", RetainUntil, "2029-01-15T00:00:00.000Z", null, "supersession"));
        Report("superseded, P1Y over").A.Select(Row).Should().Contain(("work-record", Delete, null, "2028-01-15T00:00:00.000Z", "supersession"));
    }

    [Fact]
    public void An_effective_marker_makes_its_category_a_delete()
    {
        Report("marker acknowledged").A.Select(Row).Should().Contain(("property-access-details", Delete, null, "2027-01-16T00:00:00.000Z", "marker:work-complete"));
        Report("marker recorded").A.Select(Row).Should().Contain(("property-access-details", None, null, null, "retention"));
    }

    [Fact]
    public void Periods_use_calendar_arithmetic_clamping_to_the_month_end()
    {
        var w = new LifecycleWorld();
        w.SignCompact(Alice, Bob, Lab.Terms(Id, Alice, Bob));
        w.At("2027-01-01T00:00:00.000Z");
        var id = w.Revoked(Bob, Id);
        w.At("2027-01-02T00:00:00.000Z");
        w.Must(w.AckRevocation(Alice, Id, id)); // active 2027-01-31
        w.At("2027-02-01T00:00:00.000Z");

        var report = DispositionDuties.Compute(w.State, Id, w.Now)!;

        report.EndedAt.Should().Be(Timestamp.Parse("2027-01-31T00:00:00.000Z"));
        report.B.Select(Row).Should().Contain(("dispute-records", RetainUntil, "2027-02-28T00:00:00.000Z", null, "revocation"), "Jan 31 + P1M is Feb 28");
    }

    [Fact]
    public void The_report_json_writes_every_member()
    {
        var json = Pact.Core.Contracts.Responses.Dispositions.From(Report("revoked")).Wire();

        json.Keys().Should().Equal("compactId", "version", "compactHash", "status", "at", "governedBy", "endedAt", "parties");
        json["parties"]!.AsObject().Keys().Should().Equal("a", "b");
        var transition = json["parties"]!["a"]![2]!.AsObject();
        transition.Keys().Should().Equal("category", "duty", "until", "since", "derive", "propagate", "basis", "suspended");
        transition["duty"]!.GetValue<string>().Should().Be("transition");
        transition["until"].Should().BeNull();
        transition["propagate"]![0]!["requiresCompact"]!["minTier"]!.GetValue<string>().Should().Be("standard");
        json["parties"]!["a"]![3]!["since"]!.GetValue<string>().Should().Be("2027-02-14T00:00:00.000Z");
        DispositionDuties.Compute(new LifecycleWorld().State, Id, Lab.Signed).Should().BeNull();
    }
}
