using System.Text.Json.Nodes;
using Pact.Core.Contracts;
using Pact.Core.Contracts.Responses;

namespace Pact.Client;

public sealed partial class PactClient
{
    // ---------------------------------------------------------------- mandates (§14)

    /// <summary>
    /// <c>POST /v1/mandates</c>: lets the daemon answer proposals addressed to this agent as the published policy decides,
    /// within <paramref name="scope"/>, until <paramref name="expiresAt"/> (at most a year ahead) or a revocation.
    /// </summary>
    /// <param name="policyHash">A policy published on this daemon.</param>
    /// <param name="scope">{ sessions?, counterparties?, compactIdPrefix? } (an empty object: every proposal addressed to the agent).</param>
    /// <param name="acknowledge">Initiation kinds the daemon acknowledges for the agent: withdrawal, marker, revocation, mutual-revocation.</param>
    /// <param name="expiresAt">When the mandate ends.</param>
    /// <param name="principalAuthorization">A verified standing policy for <paramref name="policyHash"/> (§13), carried by the signatures made under the mandate; null for the unverified short form.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<MandateResource> GrantMandateAsync(string policyHash, JsonObject scope, IReadOnlyList<string> acknowledge, DateTimeOffset expiresAt,
        JsonObject? principalAuthorization = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var payload = new MandateGrantPayload(policyHash, scope, acknowledge, Core.Time.Timestamp.ToText(expiresAt), principalAuthorization);
        return Read<MandateResource>(await SendSignedAsync("v1/mandates", payload, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>POST /v1/mandates/{mandateId}/revoke</c>: ends a mandate this agent granted.</summary>
    /// <param name="mandateId">The mandate.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<MandateResource> RevokeMandateAsync(string mandateId, CancellationToken cancellationToken = default) =>
        Read<MandateResource>(await SendSignedAsync($"v1/mandates/{Segment(mandateId)}/revoke", new MandateRevokePayload(mandateId), cancellationToken)
            .ConfigureAwait(false));

    /// <summary><c>GET /v1/mandates/{mandateId}</c>: one of this agent's mandates (the operator: any).</summary>
    /// <param name="mandateId">The mandate.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<MandateResource> GetMandateAsync(string mandateId, CancellationToken cancellationToken = default) =>
        Read<MandateResource>(await GetAsync($"v1/mandates/{Segment(mandateId)}", Access.Reader, cancellationToken).ConfigureAwait(false));

    /// <summary><c>GET /v1/mandates?agent=me</c>: a page of this agent's mandates in creation order.</summary>
    /// <param name="after">The <c>next</c> of the previous page, or null for the first.</param>
    /// <param name="limit">Page size.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<MandatePage> ListMandatesAsync(string? after = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        var query = $"v1/mandates?agent=me&limit={limit}" + (after is null ? "" : "&after=" + Uri.EscapeDataString(after));
        return Read<MandatePage>(await GetAsync(query, Access.Reader, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>GET /v1/mandates/{mandateId}/events</c>: a page of the mandate stream (granted, revoked, expired).</summary>
    /// <param name="mandateId">The mandate.</param>
    /// <param name="after">The streamSeq to read after.</param>
    /// <param name="limit">Page size.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<EventPage> GetMandateEventsAsync(string mandateId, long after = 0, int limit = 100, CancellationToken cancellationToken = default) =>
        Read<EventPage>(await GetAsync($"v1/mandates/{Segment(mandateId)}/events?after={after}&limit={limit}", Access.Reader, cancellationToken)
            .ConfigureAwait(false));
}
