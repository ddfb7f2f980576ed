using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.Negotiation;
using Pact.Core.Sessions;
using Pact.Store.ReadModels;
using Pact.Store.Relational;

namespace Pact.Store.Projections;

/// <summary>
/// The sessions read model: a row per session with its own status (written as <see cref="SessionChange"/> says),
/// its participants, and its session checkpoints. The session's proposals and compacts are the rows
/// <see cref="ProposalProjection"/> and <see cref="CompactProjection"/> keep, so no event rewrites a whole state.
/// </summary>
internal sealed class SessionProjection : IRelationalProjection
{
    public void Apply(IWriteContext context)
    {
        foreach (var e in context.Events)
        {
            switch (e.Type)
            {
                case EventTypes.SessionCreated:
                    var created = SessionState.Created(e);
                    SessionReadModel.Insert(context, e.Stream, created.Topic, e.Data["metadata"], e.Time, created.Participants);
                    break;
                case EventTypes.SessionCheckpointed:
                    InsertSessionCheckpoint(context, e);
                    break;
                // Only session.* events can change the session's own status; the others are left to their projections.
                case not null when e.Type.StartsWith("session.", StringComparison.Ordinal):
                    if (SessionChange.Of(e) is SessionChange.StatusChanged changed) SessionReadModel.UpdateStatus(context, e.Stream, changed.Status);
                    break;
            }
        }
    }

    /// <summary>
    /// The snapshot replay starts from (§7 state?at=k); its hash is the one the event recorded. The state is read
    /// inside this transaction, so it includes every event projected before this one.
    /// </summary>
    private static void InsertSessionCheckpoint(IWriteContext context, TranscriptEvent e)
    {
        var state = SessionReadModel.GetState(context, SessionReadModel.Get(context, e.Stream)
            ?? throw new InvalidOperationException($"Session checkpoint of unknown session {e.Stream}."));
        using var command = context.CreateCommand(
            "INSERT INTO checkpoints(checkpoint_id, session_id, stream_seq, state_hash, tree_size, label, created_at, state) VALUES (@id, @session, @seq, @hash, @tree, @label, @at, @state)");
        command.Bind("@state", Jcs.CanonicalString(state.ToJson()));
        command.Bind("@id", e.Data["checkpointId"]!.GetValue<string>());
        command.Bind("@session", e.Stream);
        command.Bind("@seq", e.StreamSeq);
        command.Bind("@hash", e.Data["stateHash"]!.GetValue<string>());
        command.Bind("@tree", e.Seq);
        command.Bind("@label", (object?)e.Data["label"]?.GetValue<string>() ?? DBNull.Value);
        command.Bind("@at", e.Time);
        command.ExecuteNonQuery();
    }
}
