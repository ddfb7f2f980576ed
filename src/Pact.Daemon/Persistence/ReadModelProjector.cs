using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.Negotiation;
using Pact.Core.Sessions;
using Pact.Store;

namespace Pact.Daemon.Persistence;

/// <summary>
/// The one place read models follow the transcript: given the events a request just appended, it updates
/// sessions (their status), proposals, compacts and checkpoints inside the same transaction. The statuses it
/// writes are those <see cref="SessionState.Apply"/> folds, and every event about a proposal or compact version
/// goes to the stream of the session it was negotiated in, so the rows of a session are its §7 state.
/// </summary>
public static class ReadModelProjector
{
    public static void Project(AppendContext context)
    {
        foreach (var e in context.Events)
        {
            ProjectSession(context, e);
            ProjectProposal(context, e);
            ProjectCompact(context, e);
        }
        Webhooks.WebhookOutbox.Project(context);
    }

    /// <summary>
    /// The session row changes only with the session's own status; its proposals and compacts are the rows
    /// <see cref="ProjectProposal"/> and <see cref="ProjectCompact"/> keep, so no event rewrites the whole state.
    /// </summary>
    private static void ProjectSession(AppendContext context, TranscriptEvent e)
    {
        switch (e.Type)
        {
            case EventTypes.SessionCreated:
                var created = SessionState.Created(e);
                SessionReadModel.Insert(context, e.Stream, created.Topic, e.Data["metadata"], e.Time, created.Participants);
                return;
            case EventTypes.SessionSuspended:
                SessionReadModel.UpdateStatus(context, e.Stream, SessionStatus.Suspended);
                return;
            case EventTypes.SessionResumed:
                SessionReadModel.UpdateStatus(context, e.Stream, SessionStatus.Active);
                return;
            case EventTypes.SessionTerminated:
                SessionReadModel.UpdateStatus(context, e.Stream, SessionStatus.Terminated);
                return;
            case EventTypes.SessionCheckpointed:
                // The snapshot replay starts from (§7 state?at=k); its hash is the one the event recorded. The
                // state is read inside this transaction, so it includes every event projected before this one.
                var state = SessionReadModel.GetState(context, SessionReadModel.Get(context, e.Stream)
                    ?? throw new InvalidOperationException($"Checkpoint of unknown session {e.Stream}."));
                using (var command = context.CreateCommand(
                    "INSERT INTO checkpoints(checkpoint_id, session_id, stream_seq, state_hash, tree_size, label, created_at, state) VALUES ($id, $session, $seq, $hash, $tree, $label, $at, $state)"))
                {
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
                return;
        }
    }

    private static void ProjectProposal(AppendContext context, TranscriptEvent e)
    {
        if (!e.Type.StartsWith("proposal.", StringComparison.Ordinal)) return;
        var proposalId = e.Data["proposalId"]!.GetValue<string>();
        if (e.Type == EventTypes.ProposalCreated)
        {
            var payload = e.Data["envelope"]!["payload"]!.AsObject();
            var signature = (JsonObject)payload["signature"]!.DeepClone();
            var terms = payload["terms"]!.AsObject();
            signature["agent"] = e.Actor;
            signature["signedAt"] = payload["issuedAt"]!.GetValue<string>();
            using var command = context.CreateCommand("""
                INSERT INTO proposals(proposal_id, session_id, compact_id, version, status, proposer, terms, terms_hash, signatures, expires_at, created_at, history)
                VALUES ($id, $session, $compact, $version, 'open', $proposer, $terms, $termsHash, $signatures, $expires, $at, $history)
                """);
            command.Parameters.AddWithValue("$id", proposalId);
            command.Parameters.AddWithValue("$session", e.Stream);
            command.Parameters.AddWithValue("$compact", e.Data["compactId"]!.GetValue<string>());
            command.Parameters.AddWithValue("$version", e.Data["version"]!.GetValue<long>());
            command.Parameters.AddWithValue("$proposer", signature["party"]!.GetValue<string>());
            command.Parameters.AddWithValue("$terms", Jcs.CanonicalString(terms));
            command.Parameters.AddWithValue("$termsHash", e.Data["termsHash"]!.GetValue<string>());
            command.Parameters.AddWithValue("$signatures", Jcs.CanonicalString(new JsonArray(signature)));
            command.Parameters.AddWithValue("$expires", (object?)e.Data["expiresAt"]?.GetValue<string>() ?? DBNull.Value);
            command.Parameters.AddWithValue("$at", e.Time);
            command.Parameters.AddWithValue("$history", Jcs.CanonicalString(new JsonArray(HistoryEntry(e))));
            command.ExecuteNonQuery();
            return;
        }
        var status = e.Type switch
        {
            EventTypes.ProposalCountered => "countered",
            EventTypes.ProposalSigned => "signed",
            EventTypes.ProposalDeclined => "declined",
            EventTypes.WithdrawalInitiated => "withdrawal-pending",
            EventTypes.ProposalWithdrawn => "withdrawn",
            EventTypes.ProposalExpired => "expired",
            EventTypes.ProposalRetired => "retired",
            _ => null,
        };
        using var update = context.CreateCommand(status is null
            ? "UPDATE proposals SET history = json_insert(history, '$[#]', json($entry)) WHERE proposal_id = $id"
            : "UPDATE proposals SET status = $status, history = json_insert(history, '$[#]', json($entry)) WHERE proposal_id = $id");
        update.Parameters.AddWithValue("$id", proposalId);
        update.Parameters.AddWithValue("$entry", Jcs.CanonicalString(HistoryEntry(e)));
        if (status is not null) update.Parameters.AddWithValue("$status", status);
        update.ExecuteNonQuery();
        if (e.Type == EventTypes.ProposalSigned)
        {
            var payload = e.Data["envelope"]!["payload"]!.AsObject();
            var signature = (JsonObject)payload["signature"]!.DeepClone();
            signature["agent"] = e.Actor;
            signature["signedAt"] = payload["issuedAt"]!.GetValue<string>();
            using var sign = context.CreateCommand("UPDATE proposals SET signatures = json_insert(signatures, '$[#]', json($sig)) WHERE proposal_id = $id");
            sign.Parameters.AddWithValue("$id", proposalId);
            sign.Parameters.AddWithValue("$sig", Jcs.CanonicalString(signature));
            sign.ExecuteNonQuery();
        }
    }

    private static void ProjectCompact(AppendContext context, TranscriptEvent e)
    {
        if (!e.Type.StartsWith("compact.", StringComparison.Ordinal)) return;
        if (e.Type == EventTypes.CompactInForce)
        {
            var record = e.Data["record"]!.AsObject();
            var parties = record["terms"]!["parties"]!;
            using var command = context.CreateCommand("""
                INSERT INTO compacts(compact_id, version, session_id, status, agent_a, agent_b, compact_hash, record, in_force_at, history)
                VALUES ($id, $version, $session, 'in-force', $a, $b, $hash, $record, $at, $history)
                """);
            command.Parameters.AddWithValue("$id", e.Data["compactId"]!.GetValue<string>());
            command.Parameters.AddWithValue("$version", e.Data["version"]!.GetValue<long>());
            command.Parameters.AddWithValue("$session", e.Stream);
            command.Parameters.AddWithValue("$a", parties["a"]!["agent"]!.GetValue<string>());
            command.Parameters.AddWithValue("$b", parties["b"]!["agent"]!.GetValue<string>());
            command.Parameters.AddWithValue("$hash", e.Data["compactHash"]!.GetValue<string>());
            command.Parameters.AddWithValue("$record", Jcs.CanonicalString(record));
            command.Parameters.AddWithValue("$at", record["inForceAt"]!.GetValue<string>());
            command.Parameters.AddWithValue("$history", Jcs.CanonicalString(new JsonArray(HistoryEntry(e))));
            command.ExecuteNonQuery();
            return;
        }
        if (e.Data["compactId"] is null || e.Data["version"] is null) return;
        var status = e.Type switch
        {
            EventTypes.CompactSuperseded => "superseded",
            EventTypes.CompactRevoked => "revoked",
            EventTypes.CompactExpired => "expired",
            _ => null,
        };
        using var update = context.CreateCommand(status is null
            ? "UPDATE compacts SET history = json_insert(history, '$[#]', json($entry)) WHERE compact_id = $id AND version = $version"
            : "UPDATE compacts SET status = $status, history = json_insert(history, '$[#]', json($entry)) WHERE compact_id = $id AND version = $version");
        update.Parameters.AddWithValue("$id", e.Data["compactId"]!.GetValue<string>());
        update.Parameters.AddWithValue("$version", e.Data["version"]!.GetValue<long>());
        update.Parameters.AddWithValue("$entry", Jcs.CanonicalString(HistoryEntry(e)));
        if (status is not null) update.Parameters.AddWithValue("$status", status);
        update.ExecuteNonQuery();
    }

    /// <summary>One line of a resource's history: what happened, when, by whom, and where in the log.</summary>
    private static JsonObject HistoryEntry(TranscriptEvent e) => new()
    {
        ["type"] = e.Type,
        ["time"] = e.Time,
        ["actor"] = e.Actor,
        ["seq"] = e.Seq,
        ["streamSeq"] = e.StreamSeq,
        ["hash"] = e.Hash,
    };
}
