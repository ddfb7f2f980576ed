using System.Text.Json.Nodes;
using Pact.Core.Json;

namespace Pact.Store;

/// <summary>A registered agent (§3).</summary>
public sealed record AgentRecord(string AgentId, string PublicKey, JsonObject Principal, string? DisplayName, string RegisteredAt);

/// <summary>A session row: what the list and visibility queries need, without the session's proposals and compacts.</summary>
public sealed record SessionRow(string SessionId, string Status, string? Topic, JsonNode? Metadata, string CreatedAt, IReadOnlyList<string> Participants);

/// <summary>A proposal as GET /v1/proposals/{id} shows it (§5), plus its compact id and version.</summary>
public sealed record ProposalRow(
    string ProposalId, string SessionId, string CompactId, long Version, string Status, string Proposer, JsonNode? Terms, string TermsHash,
    JsonNode? Signatures, string? ExpiresAt, JsonNode? History, string? BundleId = null);

/// <summary>One compact version row.</summary>
public sealed record CompactVersionRow(string CompactId, long Version, string SessionId, string Status, string AgentA, string AgentB,
    string CompactHash, string InForceAt, JsonArray History);

/// <summary>A session checkpoint: the state snapshot after a session.checkpointed event.</summary>
/// <param name="StateText">The snapshot as stored (JCS); parsed only by <see cref="State"/>, since listings never need it.</param>
public sealed record SessionCheckpointRow(string CheckpointId, string SessionId, long StreamSeq, string StateHash, long TreeSize, string? Label, string CreatedAt, string StateText)
{
    public JsonObject State => (JsonObject)StrictJson.Parse(StateText)!;
}

/// <summary>A response remembered with the nonce of the envelope that caused it (§2).</summary>
public sealed record StoredResponse(string PayloadHash, int Status, string Body);

/// <summary>An accepted envelope's nonce and the response it got, to remember until <c>issuedAt</c> + the freshness window.</summary>
public sealed record NonceRecord(string Signer, string Nonce, DateTimeOffset IssuedAt, string PayloadHash, int Status, string Body);

/// <summary>The same (signer, nonce) was remembered by a request that committed first: an identical twin, or a reuse.</summary>
public sealed class DuplicateNonceException : Exception
{
    public DuplicateNonceException() { }

    public DuplicateNonceException(string message) : base(message) { }

    public DuplicateNonceException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The database's settings as read back from it: what it is, its schema version, and engine-specific settings by name.</summary>
public sealed record StoreDiagnostics(string Engine, long SchemaVersion, IReadOnlyDictionary<string, string> Settings);

/// <summary>A published policy (§13): its canonical document (what <see cref="PolicyHash"/> covers), who published it and when.</summary>
public sealed record PolicyRecord(string PolicyHash, string Name, JsonObject Document, int EffectiveRules, string PublishedBy, string PublishedAt);

/// <summary>
/// A state snapshot as stored: <paramref name="Body"/> in the daemon's format <paramref name="Format"/>, its hex
/// SHA-256 <paramref name="BodyHash"/>, and the seq and hash of the last event it covers.
/// </summary>
public sealed record StoredStateSnapshot(long ThroughSeq, string EventHash, int Format, byte[] Body, string BodyHash, string WrittenAt);
