using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Policies.Cel;

namespace Pact.Core.Policies;

/// <summary>
/// Whether patched terms could be proposed by the policy's owner (§13: "pass §4.2 in full and §5's compact-id rules
/// as the agent's own proposal.create would"); the daemon supplies its registry and state, an offline caller
/// <see cref="PolicyEvaluator.OfflineCounterCheck"/>. An empty list accepts the terms.
/// </summary>
public delegate IReadOnlyList<FieldError> CounterTermsCheck(JsonObject patchedTerms);

/// <summary>
/// The result of evaluating a policy: the decision and, for a counter that was taken, the patched terms with the
/// <c>sign</c> decision of the re-evaluation that justified it (§14 records both).
/// </summary>
public sealed record PolicyOutcome(PolicyDecision Decision, PolicyInput Input, JsonObject? CounterTerms = null, PolicyDecision? CounterDecision = null)
{
    public string DecisionHash => Decision.DecisionHash;
}

/// <summary>
/// §13's evaluation: rules in effective order, the first whose condition yields <c>true</c> decides; an error or a
/// non-bool stops evaluation with <c>escalate</c>; no rule true leaves it to the default. A counter is taken only if
/// its patch applies, the patched terms pass <see cref="CounterTermsCheck"/>, and the same policy signs them.
/// </summary>
public static class PolicyEvaluator
{
    /// <summary>§4.2 without the registry (terms alone): what an SDK can check offline.</summary>
    public static IReadOnlyList<FieldError> OfflineCounterCheck(JsonObject terms)
    {
        var (_, error) = Terms.TermsValidator.ReadAndValidate(terms, Terms.TermsValidationContext.Offline);
        return error?.Errors ?? [];
    }

    public static PolicyOutcome Evaluate(CompiledPolicy policy, PolicyInput input, CounterTermsCheck? counterCheck = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(input);
        var decision = Decide(policy, input);
        if (decision.Effect != PolicyEffects.Counter) return new PolicyOutcome(decision, input);

        var escalated = decision with { Effect = PolicyEffects.Escalate };
        var patched = TermsPatch.Apply(input.Terms, decision.Set ?? [], out _) as JsonObject;
        if (patched is null) return new PolicyOutcome(escalated, input);
        if ((counterCheck ?? OfflineCounterCheck)(patched).Count > 0) return new PolicyOutcome(escalated, input);
        var again = Decide(policy, input.WithTerms(patched));
        return again.Effect == PolicyEffects.Sign
            ? new PolicyOutcome(decision, input, patched, again)
            : new PolicyOutcome(escalated, input);
    }

    /// <summary>The first-true decision alone, without a counter's re-evaluation (what a recorded decision is checked against).</summary>
    public static PolicyDecision Decide(CompiledPolicy policy, PolicyInput input)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(input);
        if (policy.Defect is not null)
            return new PolicyDecision(policy.PolicyHash, PolicyEffects.Escalate, null, CompiledPolicy.UnusableReason, null, []);
        var variables = input.ToCelVariables();
        var trace = new List<PolicyTraceEntry>();
        // One counted budget for the whole decision, so a policy of many costly rules is bounded too.
        var budget = new CelCostBudget(CelCostBudget.StepsPerDecision);
        foreach (var (rule, definedBy, program) in policy.Rules)
        {
            switch (program.Evaluate(variables, budget))
            {
                case true:
                    trace.Add(new PolicyTraceEntry(rule.Id, definedBy, TraceResults.True));
                    return new PolicyDecision(policy.PolicyHash, rule.Effect, rule.Id, rule.Reason, rule.Set, trace);
                case false:
                    trace.Add(new PolicyTraceEntry(rule.Id, definedBy, TraceResults.False));
                    break;
                case var other:
                    var why = other is CelError e ? e.Message : $"the condition yielded {CelValues.TypeName(other)}, not bool";
                    trace.Add(new PolicyTraceEntry(rule.Id, definedBy, TraceResults.Error, why));
                    return new PolicyDecision(policy.PolicyHash, PolicyEffects.Escalate, rule.Id, null, null, trace);
            }
        }
        return new PolicyDecision(policy.PolicyHash, policy.Default, null, null, null, trace);
    }
}
