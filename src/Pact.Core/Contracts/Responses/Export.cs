using Pact.Core.Events;

namespace Pact.Core.Contracts.Responses;

/// <summary>
/// <c>GET /v1/sessions/{id}/export</c> (§8.4, docs/export-format.md): a session's events, the state they fold to, the
/// signed compact records and session checkpoints among them, a signed checkpoint of the log covering them and an
/// inclusion proof per event — verifiable offline with only the daemon's public key.
/// </summary>
/// <param name="Format">"pact-export/1".</param>
/// <param name="Session">The state the events fold to.</param>
/// <param name="Compacts">The records of the session's compact.in-force events, in event order.</param>
/// <param name="Checkpoints">The session checkpoints up to the last exported event.</param>
/// <param name="Proofs">One inclusion proof per event, in event order.</param>
public sealed record ExportBundle(
    string Format,
    ExportDaemon Daemon,
    SessionSnapshot Session,
    IReadOnlyList<TranscriptEvent> Events,
    IReadOnlyList<CompactRecordInfo> Compacts,
    IReadOnlyList<SessionCheckpointInfo> Checkpoints,
    ExportLog Log,
    IReadOnlyList<EventProof> Proofs,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<System.Text.Json.Nodes.JsonObject>? Policies = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<ExportMandate>? Mandates = null)
{
    public const string FormatName = "pact-export/1";
}

/// <summary>The daemon the bundle claims to come from; the verifier trusts only the key it was given out of band.</summary>
public sealed record ExportDaemon(string DaemonId, string PublicKey, string Origin);

/// <summary>The signed log checkpoint the proofs are against; size and root are only claims until the note opens.</summary>
public sealed record ExportLog(string Note, long TreeSize, string RootHash);

/// <summary>The inclusion proof of the event with global <paramref name="Seq"/> in the bundle's log checkpoint (hex hashes).</summary>
public sealed record EventProof(long Seq, IReadOnlyList<string> Hashes);

/// <summary>
/// A mandate that acted in the exported session (§14): every event of its stream (granted, revoked, expired), whose
/// inclusion proofs join the bundle's <c>proofs</c>, so a verifier can tell whether it was still active at each action.
/// </summary>
public sealed record ExportMandate(string MandateId, IReadOnlyList<Pact.Core.Events.TranscriptEvent> Events);
