using System.Text.Json.Nodes;
using Pact.Core.Compliance;
using Pact.Core.Contracts;
using Pact.Core.Contracts.Responses;

namespace Pact.Client;

public sealed partial class PactClient
{
    // ---------------------------------------------------------------- compact lifecycle (§6)

    /// <summary>
    /// <c>POST /v1/compacts/{compactId}/revocations</c>: starts revoking a version in force. The compact stays in
    /// force until the revocation is active; the answer carries <c>initiationHash</c>, which the other party's
    /// acknowledgment must name.
    /// </summary>
    /// <param name="compactId">The compact id.</param>
    /// <param name="version">The version to revoke.</param>
    /// <param name="reason">A reason, or null.</param>
    /// <param name="condition">For conditional revocation: one of the terms' listed conditions.</param>
    /// <param name="emergency">Skip the notice period, where the terms allow it.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<RevocationInitiated> RevokeAsync(string compactId, long version, string? reason = null, string? condition = null, bool emergency = false,
        CancellationToken cancellationToken = default)
    {
        // emergency is sent only when true, as clients always have.
        var payload = new CompactRevokePayload(compactId, version, reason, condition, emergency ? true : null);
        return Read<RevocationInitiated>(await SendSignedAsync($"v1/compacts/{Segment(compactId)}/revocations", payload, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>POST /v1/compacts/{compactId}/revocations/{revocationId}/ack</c> by the party that did not initiate.</summary>
    /// <param name="compactId">The compact id.</param>
    /// <param name="revocationId">The revocation id.</param>
    /// <param name="initiationHash">The hash of the compact.revocation.initiated event.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<RevocationInfo> AcknowledgeRevocationAsync(string compactId, string revocationId, string initiationHash, CancellationToken cancellationToken = default)
    {
        var payload = new CompactRevokeAckPayload(compactId, revocationId, initiationHash);
        return Read<RevocationInfo>(await SendSignedAsync($"v1/compacts/{Segment(compactId)}/revocations/{Segment(revocationId)}/ack", payload, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>GET /v1/compacts/{compactId}/revocations/{revocationId}</c>.</summary>
    /// <param name="compactId">The compact id.</param>
    /// <param name="revocationId">The revocation id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<RevocationInfo> GetRevocationAsync(string compactId, string revocationId, CancellationToken cancellationToken = default) =>
        Read<RevocationInfo>(await GetAsync($"v1/compacts/{Segment(compactId)}/revocations/{Segment(revocationId)}", Access.Reader, cancellationToken).ConfigureAwait(false));

    /// <summary><c>POST /v1/compacts/{compactId}/markers</c>: records a marker such as <c>work-complete</c>.</summary>
    /// <param name="compactId">The compact id.</param>
    /// <param name="marker">The marker, as the terms' until-marker retention names it.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<MarkerRecorded> RecordMarkerAsync(string compactId, string marker, CancellationToken cancellationToken = default)
    {
        var payload = new CompactMarkerPayload(compactId, marker);
        return Read<MarkerRecorded>(await SendSignedAsync($"v1/compacts/{Segment(compactId)}/markers", payload, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>POST /v1/compacts/{compactId}/markers/{markerId}/ack</c> by the other party: the marker takes effect.</summary>
    /// <param name="compactId">The compact id.</param>
    /// <param name="markerId">The marker id.</param>
    /// <param name="initiationHash">The hash of the compact.marker event.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<MarkerInfo> AcknowledgeMarkerAsync(string compactId, string markerId, string initiationHash, CancellationToken cancellationToken = default)
    {
        var payload = new CompactMarkerAckPayload(compactId, markerId, initiationHash);
        return Read<MarkerInfo>(await SendSignedAsync($"v1/compacts/{Segment(compactId)}/markers/{Segment(markerId)}/ack", payload, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>GET /v1/compacts/{compactId}/markers/{markerId}</c>.</summary>
    /// <param name="compactId">The compact id.</param>
    /// <param name="markerId">The marker id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<MarkerInfo> GetMarkerAsync(string compactId, string markerId, CancellationToken cancellationToken = default) =>
        Read<MarkerInfo>(await GetAsync($"v1/compacts/{Segment(compactId)}/markers/{Segment(markerId)}", Access.Reader, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// <c>POST /v1/compacts/{compactId}/check</c>: may <paramref name="party"/> do <paramref name="action"/> with
    /// <paramref name="category"/> now (or at <paramref name="at"/>), and why. The answer carries allowed, code,
    /// dimension, a readable explanation and the trace of the eight steps.
    /// </summary>
    /// <param name="compactId">The compact id.</param>
    /// <param name="party">"a" or "b".</param>
    /// <param name="action">"retain", "derive" or "propagate".</param>
    /// <param name="category">The category id.</param>
    /// <param name="operation">For derive: the operation.</param>
    /// <param name="recipient">For propagate: the recipient.</param>
    /// <param name="recipientCompactTier">For propagate: the tier of the recipient's compact.</param>
    /// <param name="version">A version other than the current one.</param>
    /// <param name="at">An instant other than now (RFC 3339, three fractional digits).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<ComplianceDecision> CheckAsync(string compactId, string party, string action, string category, string? operation = null,
        string? recipient = null, string? recipientCompactTier = null, long? version = null, string? at = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["party"] = party, ["action"] = action, ["category"] = category };
        SetIfNotNull(body, "operation", operation);
        SetIfNotNull(body, "recipient", recipient);
        SetIfNotNull(body, "recipientCompactTier", recipientCompactTier);
        if (version is not null) body["version"] = version;
        SetIfNotNull(body, "at", at);
        return Read<ComplianceDecision>(await PostJsonAsync($"v1/compacts/{Segment(compactId)}/check", body, Access.Reader, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>GET /v1/compacts/{compactId}/dispositions</c>: the duty in force now per party and category.</summary>
    /// <param name="compactId">The compact id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<Dispositions> GetDispositionsAsync(string compactId, CancellationToken cancellationToken = default) =>
        Read<Dispositions>(await GetAsync($"v1/compacts/{Segment(compactId)}/dispositions", Access.Reader, cancellationToken).ConfigureAwait(false));
}
