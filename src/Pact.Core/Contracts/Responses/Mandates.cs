using System.Text.Json.Nodes;

namespace Pact.Core.Contracts.Responses;

/// <summary>
/// A mandate (§14): its grant (the agent's signed envelope) and hash, the policy it acts on, its scope and the initiation
/// kinds it acknowledges, until when, its status, and how many decisions and acknowledgments were recorded under it.
/// </summary>
public sealed record MandateResource(
    string MandateId,
    string MandateHash,
    string Agent,
    string PolicyHash,
    JsonObject Scope,
    IReadOnlyList<string> Acknowledge,
    DateTimeOffset ExpiresAt,
    string Status,
    JsonObject Grant,
    long Actions);

/// <summary>GET /v1/mandates?agent=me: a page of the caller's mandates in id (creation) order; <c>next</c> is the <c>after</c> of the next page.</summary>
public sealed record MandatePage(IReadOnlyList<MandateResource> Mandates, string? Next);
