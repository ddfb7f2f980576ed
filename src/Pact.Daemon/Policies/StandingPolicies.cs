using System.Text.Json.Nodes;
using Pact.Core.Compacts;
using Pact.Core.Errors;
using Pact.Core.Policies;

namespace Pact.Daemon.Policies;

/// <summary>
/// A verified standing policy on propose and sign (§13, §4.3): once Core has checked the principal's authorization
/// (PACT-109), the policy must be published (PACT-120) and must decide <c>sign</c> on the terms with <c>me</c> = the
/// signing party (otherwise 422 PACT-112, the decision in the problem's <c>decision</c> member).
/// </summary>
public sealed class StandingPolicies(PolicyCatalog catalog, PolicyService policies)
{
    public const string RefusedTitle = "The standing policy does not authorize these terms";

    /// <summary>Null when the authorization is not a verified standing policy, or when its policy signs.</summary>
    public async Task<PactError?> CheckAsync(PrincipalAuthorization authorization, string pointer, JsonObject terms,
        Func<Task<PolicyInput>> input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (authorization is not VerifiedStandingPolicyAuthorization standing) return null;
        if (await catalog.GetAsync(standing.PolicyHash, ct) is not { } policy)
        {
            return PactError.FromFieldErrors("Policy is not published",
                [new FieldError(pointer + "/policyHash", PactCodes.PolicyInvalid, $"The policy {standing.PolicyHash} is not published on this daemon.")]);
        }
        var judged = await input();
        var outcome = PolicyEvaluator.Evaluate(policy, judged, await policies.CounterCheckAsync(terms, judged.Me, ct));
        if (outcome.Decision.Effect == PolicyEffects.Sign) return null;
        var decision = outcome.Decision;
        var detail = decision.RuleId is null
            ? $"No rule of policy {policy.PolicyHash} matched; its default is {decision.Effect}."
            : $"Rule '{decision.RuleId}' of policy {policy.PolicyHash} decided {decision.Effect}{(decision.Reason is null ? "" : ": " + decision.Reason)}.";
        return new PactError(PactCodes.StandingPolicyRefused, 422, RefusedTitle, detail,
            [new FieldError(pointer + "/policyHash", PactCodes.StandingPolicyRefused, detail)])
        {
            JsonMembers = [new("decision", decision.ToJson()), new("decisionHash", JsonValue.Create(outcome.DecisionHash))],
        };
    }
}
