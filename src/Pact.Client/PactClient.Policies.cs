using System.Net;
using System.Text.Json.Nodes;
using Pact.Core.Contracts;
using Pact.Core.Contracts.Responses;
using Pact.Core.Policies;

namespace Pact.Client;

/// <summary>What <see cref="PactClient.PublishPolicyAsync(JsonObject, CancellationToken)"/> answers: the daemon's record and whether this call published it.</summary>
/// <param name="Policy">The hash, name and effective rule count.</param>
/// <param name="Created">True when this call published it (201); false when it was already published (200).</param>
public sealed record PolicyPublication(PolicyPublished Policy, bool Created);

public sealed partial class PactClient
{
    // ---------------------------------------------------------------- policies (§13)

    /// <summary><c>POST /v1/policies</c>: publishes a policy document (idempotent: the same document answers 200).</summary>
    /// <param name="policy">The document as JSON; it is hashed as sent.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<PolicyPublication> PublishPolicyAsync(JsonObject policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var response = await SendSignedAsync("v1/policies", new PolicyPublishPayload(policy), cancellationToken).ConfigureAwait(false);
        return new PolicyPublication(Read<PolicyPublished>(response), response.Status == HttpStatusCode.Created);
    }

    /// <summary><c>POST /v1/policies</c> with a typed document (see <see cref="PolicyBuilder"/>).</summary>
    /// <param name="policy">The document.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<PolicyPublication> PublishPolicyAsync(PolicyDocument policy, CancellationToken cancellationToken = default) =>
        PublishPolicyAsync((policy ?? throw new ArgumentNullException(nameof(policy))).ToJson(), cancellationToken);

    /// <summary><c>GET /v1/policies/{policyHash}</c>: a published policy document.</summary>
    /// <param name="policyHash">64 lowercase hex characters.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<JsonObject> GetPolicyAsync(string policyHash, CancellationToken cancellationToken = default) =>
        ReadObject(await GetAsync($"v1/policies/{Segment(policyHash)}", Access.Reader, cancellationToken).ConfigureAwait(false));

    /// <summary><c>POST /v1/policies/evaluate</c> on a recorded proposal: the decision the policy takes for this agent's side. Records nothing.</summary>
    /// <param name="policy">A policy document, or null to name a published one by <paramref name="policyHash"/>.</param>
    /// <param name="policyHash">A published policy's hash, when <paramref name="policy"/> is null.</param>
    /// <param name="proposalId">A proposal this agent is a party of.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<PolicyEvaluation> EvaluatePolicyOnProposalAsync(JsonObject? policy, string? policyHash, string proposalId, CancellationToken cancellationToken = default) =>
        EvaluatePolicyAsync(PolicySource(policy, policyHash, new JsonObject { ["proposalId"] = proposalId }), cancellationToken);

    /// <summary><c>POST /v1/policies/evaluate</c> on bare terms: how the policy would answer them as party <paramref name="me"/>. Records nothing.</summary>
    /// <param name="policy">A policy document, or null to name a published one by <paramref name="policyHash"/>.</param>
    /// <param name="policyHash">A published policy's hash, when <paramref name="policy"/> is null.</param>
    /// <param name="terms">Complete terms (validated first).</param>
    /// <param name="me">"a" or "b": the deciding party.</param>
    /// <param name="passport">The counterparty's passport figures, or null for its current passport.</param>
    /// <param name="at">The proposal's creation time (<c>now</c>), or null for the daemon's time.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<PolicyEvaluation> EvaluatePolicyOnTermsAsync(JsonObject? policy, string? policyHash, JsonObject terms, string me,
        PolicyPassportFacts? passport = null, DateTimeOffset? at = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var body = new JsonObject { ["terms"] = terms.DeepClone(), ["me"] = me };
        if (passport is not null)
        {
            body["counterparty"] = new JsonObject
            {
                ["passport"] = new JsonObject
                {
                    ["score"] = passport.Score, ["confidence"] = passport.Confidence, ["compacts"] = passport.Compacts,
                    ["failures"] = passport.Failures, ["asOfSeq"] = passport.AsOfSeq,
                },
            };
        }
        if (at is { } instant) body["at"] = Core.Time.Timestamp.ToText(instant);
        return EvaluatePolicyAsync(PolicySource(policy, policyHash, body), cancellationToken);
    }

    /// <summary><c>POST /v1/policies/evaluate</c> with a body built by the caller.</summary>
    /// <param name="body">The request as §13 describes it.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<PolicyEvaluation> EvaluatePolicyAsync(JsonObject body, CancellationToken cancellationToken = default) =>
        Read<PolicyEvaluation>(await PostJsonAsync("v1/policies/evaluate", body, Access.Reader, cancellationToken).ConfigureAwait(false));

    private static JsonObject PolicySource(JsonObject? policy, string? policyHash, JsonObject body)
    {
        if ((policy is null) == (policyHash is null)) throw new ArgumentException("Give a policy document or a policy hash, not both.");
        if (policy is not null) body["policy"] = policy.DeepClone();
        else body["policyHash"] = policyHash;
        return body;
    }
}
