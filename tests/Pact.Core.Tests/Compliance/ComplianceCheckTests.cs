using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Compliance;
using Pact.Core.Json;
using Pact.Core.Terms;
using Pact.Core.Tests.Negotiation;
using Pact.Core.Time;
using static Pact.Core.Compliance.ComplianceCodes;

namespace Pact.Core.Tests.Compliance;

public class ComplianceCheckTests
{
    private const string Id = CompliancePhases.Id;

    private static ComplianceDecision Ask(string phase, ComplianceRequest request)
    {
        var (w, _, _) = CompliancePhases.Build(phase);
        var (decision, error) = ComplianceCheck.Evaluate(w.State, Id, request, w.Now);
        error.Should().BeNull();
        return decision!;
    }

    [Fact]
    public void The_answer_has_the_shape_of_section_6_3()
    {
        var decision = Ask("in force", new ComplianceRequest(PartyRole.A, ComplianceAction.Propagate, "work-record", Recipient: "tax-authority",
            RecipientCompactTier: Tier.Standard));

        var json = decision.Wire();

        json.Keys().Should().Equal("allowed", "code", "dimension", "explanation", "trace", "compactHash", "version", "at");
        json["allowed"]!.GetValue<bool>().Should().BeFalse();
        json["code"]!.GetValue<string>().Should().Be(RecipientNotAllowed);
        json["dimension"]!.GetValue<string>().Should().Be("propagation");
        json["explanation"]!.GetValue<string>().Should().Be("Party a may not propagate work-record to tax-authority: no such edge in its slice.");
        json["at"]!.GetValue<string>().Should().Be("2027-01-15T00:00:00.000Z");
        json["version"]!.GetValue<long>().Should().Be(1);
        var trace = json["trace"]!.AsArray();
        trace.Select(t => t!["step"]!.GetValue<string>()).Should().Equal(
            "compact-status", "effective", "lifecycle-gap", "retention", "retention-period", "derivation", "propagation");
        trace.Select(t => t!["result"]!.GetValue<string>()).Should().Equal("pass", "pass", "pass", "pass", "pass", "skip", "fail");
        trace[0]!.AsObject().Keys().Should().Equal("step", "result", "detail");
        trace[0]!["detail"]!.GetValue<string>().Should().Be("in-force");
        trace[4]!["detail"]!.GetValue<string>().Should().Be("retained until 2028-12-01T00:00:00.000Z");
    }

    [Fact]
    public void An_allowed_derive_passes_six_steps_and_skips_the_propagation_steps()
    {
        var decision = Ask("in force", new ComplianceRequest(PartyRole.A, ComplianceAction.Derive, "work-record", "work-history-summary"));

        decision.Allowed.Should().BeTrue();
        decision.Code.Should().Be(Allowed);
        decision.Dimension.Should().BeNull();
        decision.Trace.Select(t => t.Result).Should().Equal("pass", "pass", "pass", "pass", "pass", "pass", "skip", "skip");
        decision.Explanation.Should().Be("Party a may derive work-history-summary from work-record at 2027-01-15T00:00:00.000Z.");
    }

    [Fact]
    public void Explanations_name_the_reason_in_one_sentence()
    {
        Ask("revocation pending", new ComplianceRequest(PartyRole.B, ComplianceAction.Retain, "work-scope")).Explanation
            .Should().MatchRegex("^Party b may not retain work-scope: revocation rev_[0-9A-Z]{26} by party a is pending, which suspends party b's slice until it is active or lapses\\.$");
        Ask("revoked", new ComplianceRequest(PartyRole.A, ComplianceAction.Derive, "work-scope", "work-history-summary")).Explanation
            .Should().Be("Party a may not derive work-history-summary from work-scope: compact cmp_lab-check-01 version 1 was revoked at 2027-02-14T00:00:00.000Z, and its revocation disposition (retain-indefinitely) allows no derivation.");
        Ask("marker acknowledged", new ComplianceRequest(PartyRole.A, ComplianceAction.Retain, "property-access-details")).Explanation
            .Should().Be("Party a may not retain property-access-details: property-access-details is kept only until the marker work-complete, in effect since 2027-01-16T00:00:00.000Z.");
        Ask("in force, P90D over", new ComplianceRequest(PartyRole.A, ComplianceAction.Retain, "billing-payment-record")).Explanation
            .Should().Be("Party a may not retain billing-payment-record: its retention period for billing-payment-record ended at 2027-02-19T12:00:00.000Z.");
    }

    [Fact]
    public void A_past_instant_is_answered_from_the_history()
    {
        var (w, _, _) = CompliancePhases.Build("revoked"); // initiated 01-15, acknowledged 01-16, active 02-14
        ComplianceDecision At(string at, PartyRole party = PartyRole.B) => ComplianceCheck.Evaluate(w.State, Id,
            new ComplianceRequest(party, ComplianceAction.Retain, "work-scope", At: Timestamp.Parse(at)), w.Now).Decision!;

        At("2026-11-21T11:59:59.999Z").Code.Should().Be(CompactNotInForce);
        At("2026-11-30T00:00:00.000Z").Code.Should().Be(NotYetEffective);
        At("2027-01-14T23:59:59.999Z").Code.Should().Be(Allowed);
        At("2027-01-15T00:00:00.000Z").Code.Should().Be(SuspendedLifecycleGap, "the gap opens with the initiation");
        At("2027-02-13T23:59:59.999Z").Code.Should().Be(SuspendedLifecycleGap, "an acknowledged revocation is still not active");
        At("2027-02-13T23:59:59.999Z", PartyRole.A).Code.Should().Be(Allowed, "the initiator is not suspended");
        var after = At("2027-02-14T00:00:00.000Z");
        after.Code.Should().Be(Allowed);
        after.Trace[0].Detail.Should().Be("revoked at 2027-02-14T00:00:00.000Z; revocation disposition retain-indefinitely governs");
    }

    [Fact]
    public void A_future_instant_is_judged_with_the_deadlines_scheduled_so_far()
    {
        var (w, _, _) = CompliancePhases.Build("in force");
        ComplianceDecision At(ComplianceAction action, string category, string at, string? operation = null) => ComplianceCheck.Evaluate(w.State, Id,
            new ComplianceRequest(PartyRole.A, action, category, operation, At: Timestamp.Parse(at)), w.Now).Decision!;

        At(ComplianceAction.Retain, "billing-payment-record", "2027-12-15T00:00:00.000Z").Code.Should().Be(Allowed, "expiration keeps it P30D");
        At(ComplianceAction.Derive, "billing-payment-record", "2027-12-15T00:00:00.000Z", "aggregate-billing-statistics").Code.Should().Be(CompactNotInForce);
        At(ComplianceAction.Retain, "billing-payment-record", "2027-12-31T00:00:00.000Z").Code.Should().Be(Disposed);
        w.State.Compact(Id, 1)!.Status.Should().Be(Pact.Core.Negotiation.CompactVersionStatus.InForce, "asking records nothing");
    }

    [Fact]
    public void Unknown_compacts_and_versions_are_404()
    {
        var (w, _, _) = CompliancePhases.Build("in force");
        var request = new ComplianceRequest(PartyRole.A, ComplianceAction.Retain, "work-scope");

        ComplianceCheck.Evaluate(w.State, "cmp_nothing-here", request, w.Now).Error!.Code.Should().Be("PACT-404");
        ComplianceCheck.Evaluate(w.State, Id, request with { Version = 7 }, w.Now).Error!.Code.Should().Be("PACT-404");
    }

    [Fact]
    public void Request_is_read_from_the_body()
    {
        var (request, error) = ComplianceRequest.FromJson(StrictJson.Parse("""
            { "party": "b", "action": "propagate", "category": "billing-payment-record", "recipient": "accountant",
              "recipientCompactTier": "advanced", "version": 2, "at": "2027-01-15T00:00:00.000Z", "ignored": true }
            """));

        error.Should().BeNull();
        request.Should().Be(new ComplianceRequest(PartyRole.B, ComplianceAction.Propagate, "billing-payment-record", null, "accountant",
            Tier.Advanced, 2, Timestamp.Parse("2027-01-15T00:00:00.000Z")));
        ComplianceRequest.FromJson(StrictJson.Parse("""{ "party": "a", "action": "retain", "category": "work-scope", "operation": null }"""))
            .Request!.Operation.Should().BeNull();
    }

    [Fact]
    public void A_bad_request_lists_every_wrong_member()
    {
        var (request, error) = ComplianceRequest.FromJson(StrictJson.Parse("""
            { "party": "c", "action": "share", "recipientCompactTier": "gold", "version": 0, "at": "yesterday" }
            """));

        request.Should().BeNull();
        error!.Status.Should().Be(422);
        error.Code.Should().Be("PACT-101");
        error.Errors!.Select(e => e.Pointer).Should().Equal("/action", "/at", "/category", "/party", "/recipientCompactTier", "/version");
        ComplianceRequest.FromJson(new JsonArray()).Error!.Code.Should().Be("PACT-101");
    }
}
