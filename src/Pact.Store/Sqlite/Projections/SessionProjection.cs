using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.Negotiation;
using Pact.Core.Sessions;
using Pact.Store.Sqlite.ReadModels;

namespace Pact.Store.Sqlite.Projections;

/// <summary>
/// The sessions read model: a row per session with its own status (written as <see cref="SessionChange"/> says),
/// its participants, and its session checkpoints. The session's proposals and compacts are the rows
/// <see cref="ProposalProjection"/> and <see cref="CompactProjection"/> keep, so no event rewrites a whole state.
/// </summary>
internal sealed class SessionProjection : IInlineProjection
{
    public void Apply(AppendContext context)
    {
        foreach (var e in context.Events)
        {
            switch (e.Type)
            {
                case EventTypes.SessionCreated:
                    var created = SessionState.Created(e);
                    SqliteSessionReadModel.Insert(context, e.Stream, created.Topic, e.Data["metadata"], e.Time, created.Participants);
                    break;
                case EventTypes.SessionCheckpointed:
                    InsertSessionCheckpoint(context, e);
                    break;
                // Only session.* events can change the session's own status; the others are left to their projections.
                case not null when e.Type.StartsWith("session.", StringComparison.Ordinal):
                    if (SessionChange.Of(e) is SessionChange.StatusChanged changed) SqliteSessionReadModel.UpdateStatus(context, e.Stream, changed.Status);
                    break;
            }
        }
    }

    /// <summary>
    /// The snapshot replay starts from (§7 state?at=k); its hash is the one the event recorded. The state is read
    /// inside this transaction, so it includes every event projected before this one.
    /// </summary>
    private static void InsertSessionCheckpoint(AppendContext context, TranscriptEvent e)
    {
        var state = SqliteSessionReadModel.GetState(context, SqliteSessionReadModel.Get(context, e.Stream)
            ?? throw new InvalidOperationException($"Session checkpoint of unknown session {e.Stream}."));
        using var command = context.CreateCommand(
            "INSERT INTO checkpoints(checkpoint_id, session_id, stream_seq, state_hash, tree_size, label, created_at, state) VALUES ($id, $session, $seq, $hash, $tree, $label, $at, $state)");
        command.Parameters.AddWithValue("$state", Jcs.CanonicalString(state.ToJson()));
        command.Parameters.AddWithValue("$id", e.Data["checkpointId"]!.GetValue<string>());
        command.Parameters.AddWithValue("$session", e.Stream);
        command.Parameters.AddWithValue("$seq", e.StreamSeq);
        command.Parameters.AddWithValue("$hash", e.Data["stateHash"]!.GetValue<string>());
        command.Parameters.AddWithValue("$tree", e.Seq);
        command.Parameters.AddWithValue("$label", (object?)e.Data["label"]?.GetValue<string>() ?? DBNull.Value);
        command.Parameters.AddWithValue("$at", e.Time);
        command.ExecuteNonQuery();
    }
}
