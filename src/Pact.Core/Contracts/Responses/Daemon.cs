namespace Pact.Core.Contracts.Responses;

/// <summary><c>GET /v1/daemon</c> (§1): the daemon's identity and what it speaks.</summary>
/// <param name="DaemonId">The daemon's did:key; every envelope names it as <c>aud</c>.</param>
/// <param name="PublicKey">The daemon's Ed25519 public key, b64u.</param>
/// <param name="Origin">The log origin used in signed checkpoints, e.g. "localhost/pact".</param>
/// <param name="Protocol">The wire protocol, "pact/1".</param>
/// <param name="Acp">The Agent Compact Protocol version, "0.1".</param>
/// <param name="Version">The daemon's product version.</param>
/// <param name="Stdlib">The standard libraries served, e.g. "contractor-and-service@0.1".</param>
/// <param name="Time">The daemon's clock when it answered.</param>
public sealed record DaemonInfo(
    string DaemonId,
    string PublicKey,
    string Origin,
    string Protocol,
    string Acp,
    string Version,
    IReadOnlyList<string> Stdlib,
    DateTimeOffset Time);

/// <summary><c>GET /v1/agents/me/pending</c> (§3): what waits on the calling agent, each with its deadline.</summary>
/// <param name="Proposals">Open proposals it may countersign.</param>
/// <param name="Withdrawals">Withdrawals of proposals made to it, waiting for its acknowledgment.</param>
/// <param name="Revocations">Revocations by the other party, waiting for its acknowledgment.</param>
/// <param name="Markers">Markers recorded by the other party, waiting for its acknowledgment.</param>
/// <param name="Items">
/// The same, as one list (§14): { kind, id, sessionId, compactId, deadline, bundleId, decision } in (deadline, id) order,
/// null deadlines last; <c>decision</c> is the decision a mandate escalated to the agent, or null.
/// </param>
public sealed record PendingWork(
    IReadOnlyList<PendingProposal> Proposals,
    IReadOnlyList<PendingWithdrawal> Withdrawals,
    IReadOnlyList<RevocationInfo> Revocations,
    IReadOnlyList<MarkerInfo> Markers,
    IReadOnlyList<PendingItem> Items);

/// <summary>One thing waiting on the agent (§14's pending list).</summary>
/// <param name="Kind">proposal, withdrawal, revocation or marker.</param>
/// <param name="Id">The proposal, revocation or marker id.</param>
/// <param name="Deadline">When it expires, escalates or takes effect without the agent, or null.</param>
/// <param name="BundleId">The bundle a proposal belongs to (§15), or null.</param>
/// <param name="Decision">The decision a mandate recorded and left to the agent (escalate), or null.</param>
public sealed record PendingItem(string Kind, string Id, string SessionId, string CompactId, DateTimeOffset? Deadline, string? BundleId,
    System.Text.Json.Nodes.JsonObject? Decision);

/// <summary>A proposal waiting for the caller's countersignature.</summary>
/// <param name="Proposer">The proposing party, "a" or "b".</param>
/// <param name="Deadline">When it expires unsigned, or null without a negotiation timeout.</param>
public sealed record PendingProposal(string ProposalId, string SessionId, string CompactId, long Version, string TermsHash, string Proposer, DateTimeOffset? Deadline);

/// <summary>A withdrawal waiting for the caller's acknowledgment, which names <paramref name="WithdrawalHash"/>.</summary>
/// <param name="Deadline">When the withdrawal escalates without an acknowledgment.</param>
public sealed record PendingWithdrawal(
    string ProposalId, string SessionId, string CompactId, long Version, string TermsHash, string Proposer, DateTimeOffset? Deadline, string? WithdrawalHash);
