using FluentAssertions;
using Pact.Core.Compliance;
using Pact.Core.Terms;
using static Pact.Core.Compliance.ComplianceCodes;

namespace Pact.Core.Tests.Compliance;

/// <summary>
/// Each check code in each lifecycle phase (see <see cref="CompliancePhases"/> and the Lab slices in
/// LifecycleWorld.cs). A row: phase, party, action, category, operation, recipient, recipient tier → code.
/// </summary>
public class ComplianceMatrixTests
{
    public static TheoryData<string, string, string, string, string?, string?, string?, string> Rows => new()
    {
        // not in force at `at`, not yet effective
        { "not yet in force", "a", "retain", "work-scope", null, null, null, CompactNotInForce },
        { "before effective", "a", "retain", "work-scope", null, null, null, NotYetEffective },
        { "before effective", "b", "derive", "x-unknown", "op", null, null, NotYetEffective },

        // in force: every step can answer
        { "in force", "a", "retain", "work-scope", null, null, null, Allowed },
        { "in force", "a", "retain", "property-access-details", null, null, null, Allowed },
        { "in force", "a", "retain", "warranty-information", null, null, null, Allowed },
        { "in force", "b", "retain", "dispute-records", null, null, null, Allowed },
        { "in force", "b", "retain", "property-access-details", null, null, null, NotInRetention },
        { "in force", "a", "retain", "x-unknown", null, null, null, NotInRetention },
        { "in force", "a", "derive", "work-record", "work-history-summary", null, null, Allowed },
        { "in force", "a", "derive", "work-record", "aggregate-billing-statistics", null, null, OperationNotAllowed },
        { "in force", "a", "derive", "work-record", null, null, null, OperationNotAllowed },
        { "in force", "a", "propagate", "work-record", null, "licensing-board", "standard", Allowed },
        { "in force", "a", "propagate", "work-record", null, "licensing-board", "advanced", Allowed },
        { "in force", "a", "propagate", "work-record", null, "licensing-board", "minimal", RecipientCompactRequired },
        { "in force", "a", "propagate", "work-record", null, "licensing-board", null, RecipientCompactRequired },
        { "in force", "a", "propagate", "work-record", null, "tax-authority", "advanced", RecipientNotAllowed },
        { "in force", "a", "propagate", "work-record", null, null, "advanced", RecipientNotAllowed },
        { "in force, P90D over", "a", "retain", "billing-payment-record", null, null, null, RetentionElapsed },
        { "in force, P90D over", "a", "derive", "billing-payment-record", "aggregate-billing-statistics", null, null, RetentionElapsed },
        { "in force, P90D over", "a", "retain", "work-record", null, null, null, Allowed },
        { "in force, P6M over", "b", "retain", "dispute-records", null, null, null, RetentionElapsed },

        // revocation pending: the non-initiator (b) is suspended on every category, even unknown ones (step 3 before 4)
        { "revocation pending", "b", "retain", "work-scope", null, null, null, SuspendedLifecycleGap },
        { "revocation pending", "b", "retain", "x-unknown", null, null, null, SuspendedLifecycleGap },
        { "revocation pending", "a", "retain", "work-scope", null, null, null, Allowed },
        { "revocation pending", "a", "derive", "work-record", "work-history-summary", null, null, Allowed },

        // revoked: each revocation disposition action
        { "revoked", "a", "retain", "work-scope", null, null, null, Allowed },                                        // retain-indefinitely
        { "revoked", "a", "derive", "work-scope", "work-history-summary", null, null, CompactNotInForce },
        { "revoked", "a", "retain", "work-record", null, null, null, Allowed },                                       // retain P7Y
        { "revoked", "a", "propagate", "work-record", null, "licensing-board", "standard", CompactNotInForce },
        { "revoked", "a", "retain", "warranty-information", null, null, null, Disposed },                             // delete
        { "revoked", "a", "derive", "warranty-information", "warranty-status-check", null, null, CompactNotInForce },
        { "revoked", "a", "retain", "billing-payment-record", null, null, null, Allowed },                             // transition, no period
        { "revoked", "a", "derive", "billing-payment-record", "aggregate-billing-statistics", null, null, Allowed },
        { "revoked", "a", "derive", "billing-payment-record", "work-history-summary", null, null, OperationNotAllowed },
        { "revoked", "a", "propagate", "billing-payment-record", null, "tax-authority", "standard", Allowed },
        { "revoked", "a", "propagate", "billing-payment-record", null, "licensing-board", "standard", RecipientNotAllowed },
        { "revoked", "a", "propagate", "billing-payment-record", null, "tax-authority", "minimal", RecipientCompactRequired },
        { "revoked", "a", "retain", "property-access-details", null, null, null, Disposed },
        { "revoked", "a", "retain", "x-unknown", null, null, null, NotInRetention },
        { "revoked", "a", "derive", "x-unknown", "op", null, null, CompactNotInForce },
        { "revoked", "b", "retain", "dispute-records", null, null, null, Allowed },                                    // retain P1M to 03-14
        { "revoked, P1M over", "b", "retain", "dispute-records", null, null, null, Disposed },
        { "revoked, P7Y over", "a", "retain", "work-record", null, null, null, Disposed },
        { "revoked, P7Y over", "a", "retain", "work-scope", null, null, null, Allowed },
        { "revoked, P7Y over", "a", "derive", "billing-payment-record", "aggregate-billing-statistics", null, null, Allowed },

        // expired: expiration dispositions
        { "expired", "a", "retain", "warranty-information", null, null, null, Allowed },                               // retain-indefinitely
        { "expired", "a", "retain", "billing-payment-record", null, null, null, Allowed },                             // retain P30D
        { "expired", "a", "derive", "billing-payment-record", "aggregate-billing-statistics", null, null, CompactNotInForce },
        { "expired", "a", "propagate", "billing-payment-record", null, "tax-authority", "advanced", CompactNotInForce },
        { "expired", "a", "retain", "property-access-details", null, null, null, Disposed },
        { "expired", "a", "retain", "work-record", null, null, null, Allowed },
        { "expired", "b", "retain", "work-scope", null, null, null, Allowed },
        { "expired, P30D over", "a", "retain", "billing-payment-record", null, null, null, Disposed },
        { "expired, P30D over", "a", "retain", "warranty-information", null, null, null, Allowed },

        // superseded (version 1 after version 2 went in force): supersession dispositions
        { "superseded", "a", "retain", "work-record", null, null, null, Allowed },                                     // transition P1Y
        { "superseded", "a", "derive", "work-record", "work-history-summary", null, null, Allowed },
        { "superseded", "a", "propagate", "work-record", null, "licensing-board", "standard", RecipientNotAllowed },
        { "superseded", "a", "retain", "billing-payment-record", null, null, null, Disposed },                         // delete
        { "superseded", "a", "retain", "warranty-information", null, null, null, Allowed },                            // retain P2Y
        { "superseded", "a", "derive", "warranty-information", "warranty-status-check", null, null, CompactNotInForce },
        { "superseded, P1Y over", "a", "retain", "work-record", null, null, null, Disposed },
        { "superseded, P1Y over", "a", "derive", "work-record", "work-history-summary", null, null, Disposed },

        // markers
        { "marker recorded", "a", "retain", "property-access-details", null, null, null, Allowed },
        { "marker acknowledged", "a", "retain", "property-access-details", null, null, null, Disposed },
        { "marker acknowledged", "a", "retain", "work-scope", null, null, null, Allowed },
        { "marker timed out", "a", "retain", "property-access-details", null, null, null, Disposed },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Check_answers(string phase, string party, string action, string category, string? operation, string? recipient, string? tier, string code)
    {
        var (w, version, at) = CompliancePhases.Build(phase);
        var request = new ComplianceRequest(CompliancePhases.Party(party), Wire.Parse<ComplianceAction>(action), category, operation, recipient,
            tier is null ? null : Wire.Parse<Tier>(tier), version, at);

        var (decision, error) = ComplianceCheck.Evaluate(w.State, CompliancePhases.Id, request, w.Now);

        error.Should().BeNull();
        decision!.Code.Should().Be(code, decision.Explanation);
        decision.Allowed.Should().Be(code == Allowed);
        decision.At.Should().Be(at);
        decision.Version.Should().Be(version ?? w.State.CurrentVersion(CompliancePhases.Id)!.Version);
        decision.CompactHash.Should().Be(w.CompactHash(CompliancePhases.Id, decision.Version));
        if (code == Allowed)
        {
            decision.Dimension.Should().BeNull();
            decision.Trace.Select(t => t.Step).Should().Equal(ComplianceSteps.All);
            decision.Trace.Should().NotContain(t => t.Result == TraceStep.Fail);
        }
        else
        {
            decision.Trace[^1].Result.Should().Be(TraceStep.Fail);
            decision.Dimension.Should().Be(decision.Trace[^1].Step);
            decision.Trace.SkipLast(1).Should().NotContain(t => t.Result == TraceStep.Fail);
            decision.Trace.Select(t => t.Step).Should().Equal(ComplianceSteps.All.Take(decision.Trace.Count), "steps run in order up to the first failure");
        }
        decision.Explanation.Should().StartWith($"Party {party} may").And.EndWith(".");
    }

    [Fact]
    public void Every_code_and_phase_is_covered_by_the_table()
    {
        var rows = Rows.Select(r => (Phase: (string)r[0], Code: (string)r[7])).ToList();
        rows.Select(r => r.Code).Distinct().Should().BeEquivalentTo(
            [Allowed, CompactNotInForce, NotYetEffective, SuspendedLifecycleGap, NotInRetention, RetentionElapsed, Disposed,
             OperationNotAllowed, RecipientNotAllowed, RecipientCompactRequired]);
        rows.Select(r => r.Phase).Distinct().Should().BeEquivalentTo(CompliancePhases.All);
    }
}
