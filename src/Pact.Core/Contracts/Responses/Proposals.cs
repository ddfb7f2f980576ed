using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Pact.Core.Contracts.Responses;

/// <summary>201 of <c>proposal.create</c> (§5).</summary>
/// <param name="Status">"open".</param>
/// <param name="ExpiresAt">When it expires unsigned, or null without a negotiation timeout.</param>
/// <param name="Warnings">NEGOTIATION_TIMEOUT_OMITTED, STANDING_POLICY_UNVERIFIED, or none.</param>
public sealed record ProposalCreated(
    string ProposalId, string TermsHash, string Status, DateTimeOffset? ExpiresAt, IReadOnlyList<string> Warnings, string SessionId, string CompactId, long Version);

/// <summary>
/// A proposal as <c>GET /v1/proposals/{id}</c> shows it (§5), and as decline and the withdrawal acknowledgment
/// answer. The terms stay JSON: they are hashed as they are.
/// </summary>
/// <param name="Status">One of open, withdrawal-pending, signed, declined, countered, expired, withdrawn, retired, prepared.</param>
/// <param name="Proposer">The proposing party, "a" or "b".</param>
/// <param name="Signatures">The compact signatures so far, in signing order.</param>
/// <param name="ExpiresAt">When it expires unsigned, or null.</param>
/// <param name="History">The events that moved it.</param>
/// <param name="BundleId">The bundle it is a member of (§15), or null.</param>
public sealed record Proposal(
    string ProposalId,
    string SessionId,
    string CompactId,
    long Version,
    string Status,
    string Proposer,
    JsonObject? Terms,
    string TermsHash,
    IReadOnlyList<CompactSignatureInfo>? Signatures,
    DateTimeOffset? ExpiresAt,
    IReadOnlyList<HistoryEntry>? History,
    string? BundleId = null);

/// <summary>200 of <c>proposal.withdraw</c>: the proposal, now withdrawal-pending, and the hash the other party's acknowledgment names.</summary>
public sealed record Withdrawal(Proposal? Proposal, string WithdrawalHash);

/// <summary>
/// One signature of a proposal or signed compact record (§4.3), with its members in the canonical (JCS) order
/// in which the daemon stores and serves them.
/// </summary>
/// <param name="Party">"a" or "b".</param>
/// <param name="SignedAt">The carrying envelope's issuedAt.</param>
/// <param name="Signer">For a signature made under a mandate (§14): the daemon that signed; absent otherwise.</param>
/// <param name="Mandate">For a signature made under a mandate: { mandateId, mandateHash, decisionHash, grant }; absent otherwise.</param>
public sealed record CompactSignatureInfo(
    string Agent, string Party, PrincipalAuthorizationInfo PrincipalAuthorization, string Sig, DateTimeOffset SignedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Signer = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] System.Text.Json.Nodes.JsonObject? Mandate = null);

/// <summary>
/// How the principal stands behind a signature (§4.3): <c>{ method: "principal-signature", principal, sig }</c> or
/// <c>{ method: "standing-policy", policyHash }</c>, or a verified standing policy <c>{ method: "standing-policy", notAfter,
/// policyHash, principal, sig }</c> (§13); members a form does not have are left out.
/// </summary>
public sealed record PrincipalAuthorizationInfo(
    string Method,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NotAfter = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PolicyHash = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Principal = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sig = null);

/// <summary>One event in a proposal's or compact's history, members in canonical (JCS) order as stored.</summary>
public sealed record HistoryEntry(string Actor, string Hash, long Seq, long StreamSeq, DateTimeOffset Time, string Type);
