using System.Text.Json.Nodes;
using Pact.Core.Policies;

namespace Pact.Core.Contracts.Responses;

/// <summary>POST /v1/policies (§13): the published policy's hash, name and effective rule count (after composition).</summary>
public sealed record PolicyPublished(string PolicyHash, string Name, int Rules);

/// <summary>
/// POST /v1/policies/evaluate (§13): the decision, its hash, and the input it was taken on (the CEL variables as JSON:
/// terms, me, them, proposal, counterparty, session, now). A counter that was taken also carries the patched terms and
/// the sign decision of the re-evaluation (members beyond the contract's, for testing a policy before granting it).
/// </summary>
public sealed record PolicyEvaluation(
    PolicyDecision Decision,
    string DecisionHash,
    JsonObject Input,
    JsonObject? CounterTerms = null,
    PolicyDecision? CounterDecision = null)
{
    public static PolicyEvaluation From(PolicyOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return new(outcome.Decision, outcome.DecisionHash, outcome.Input.ToJson(), outcome.CounterTerms, outcome.CounterDecision);
    }
}
