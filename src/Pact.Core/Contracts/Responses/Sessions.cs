using System.Text.Json.Nodes;

namespace Pact.Core.Contracts.Responses;

/// <summary>201 of <c>session.create</c> (§7).</summary>
public sealed record SessionCreated(string SessionId);

/// <summary>
/// A session as <c>GET /v1/sessions/{id}</c> shows it (§7), and as suspend, resume and terminate answer: the state's
/// members plus the metadata given at creation, the stream head and the session checkpoints.
/// </summary>
/// <param name="Status">"active", "suspended" or "terminated".</param>
/// <param name="Participants">The participants' did:keys, in creation order.</param>
/// <param name="Metadata">The metadata given at creation (any JSON), or null.</param>
/// <param name="Proposals">The session's proposals, by id.</param>
/// <param name="Compacts">The compact versions negotiated in it, by (compactId, version).</param>
/// <param name="Head">The newest event of its stream.</param>
public sealed record SessionView(
    string SessionId,
    string Status,
    IReadOnlyList<string> Participants,
    string? Topic,
    JsonNode? Metadata,
    IReadOnlyList<SessionProposalInfo> Proposals,
    IReadOnlyList<SessionCompactInfo> Compacts,
    StreamHead? Head,
    IReadOnlyList<SessionCheckpointInfo> Checkpoints)
{
    /// <summary>The view of a session whose state is <paramref name="state"/>.</summary>
    public static SessionView Of(SessionSnapshot state, JsonNode? metadata, StreamHead? head, IReadOnlyList<SessionCheckpointInfo> checkpoints) =>
        new(state.SessionId, state.Status, state.Participants, state.Topic, metadata, state.Proposals, state.Compacts, head, checkpoints);
}

/// <summary>
/// The session state exactly as §7 writes it, the object <c>stateHash</c> covers:
/// hex SHA-256("pact-state-v1\n" ‖ JCS(state)). Participants in creation order, proposals by id, compacts by (compactId, version).
/// </summary>
public sealed record SessionSnapshot(
    string SessionId,
    string Status,
    string? Topic,
    IReadOnlyList<string> Participants,
    IReadOnlyList<SessionProposalInfo> Proposals,
    IReadOnlyList<SessionCompactInfo> Compacts);

/// <summary>One proposal as the session state shows it.</summary>
/// <param name="Proposer">The proposing party, "a" or "b".</param>
public sealed record SessionProposalInfo(string ProposalId, string CompactId, long Version, string TermsHash, string Proposer, string Status);

/// <summary>One compact version negotiated in the session, as the session state shows it.</summary>
public sealed record SessionCompactInfo(string CompactId, long Version, string CompactHash, string Status);

/// <summary>The newest event of a stream.</summary>
public sealed record StreamHead(long StreamSeq, string Hash);

/// <summary>A session checkpoint (§7): the state's hash after its <c>session.checkpointed</c> event.</summary>
/// <param name="StreamSeq">The streamSeq of its event.</param>
/// <param name="TreeSize">The size of the daemon's log when it was taken.</param>
public sealed record SessionCheckpointInfo(string CheckpointId, long StreamSeq, string StateHash, long TreeSize, string? Label, DateTimeOffset CreatedAt);

/// <summary>A page of <c>GET /v1/sessions</c>; <paramref name="Next"/> is the <c>after</c> of the next page, null at the end.</summary>
public sealed record SessionPage(IReadOnlyList<SessionView> Sessions, string? Next);

/// <summary>201 of <c>session.checkpoint</c>.</summary>
/// <param name="StreamSeq">The streamSeq of its <c>session.checkpointed</c> event.</param>
/// <param name="StateHash">The hash of the session state after that event.</param>
/// <param name="TreeSize">The size of the daemon's log with that event.</param>
public sealed record CheckpointCreated(string CheckpointId, long StreamSeq, string StateHash, long TreeSize);

/// <summary><c>GET /v1/sessions/{id}/state</c>: the state after event <paramref name="At"/> and how it was rebuilt.</summary>
public sealed record SessionStateView(SessionSnapshot State, long At, string StateHash, ReplayInfo Replay);

/// <summary>Where replay started (a checkpoint id, or null from the first event) and how many events it applied.</summary>
public sealed record ReplayInfo(string? FromCheckpoint, long EventsApplied);
