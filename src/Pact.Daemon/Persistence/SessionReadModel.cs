using System.Text.Json.Nodes;
using Pact.Core.Json;
using Pact.Transcript;

namespace Pact.Daemon.Persistence;

/// <summary>A session row: its folded state (§7) plus what the list and visibility queries need.</summary>
public sealed record SessionRow(string SessionId, string Status, string? Topic, JsonNode? Metadata, string CreatedAt, JsonObject State, IReadOnlyList<string> Participants);

/// <summary>
/// The sessions read model, written in the same transaction as the events that change it, and the
/// visibility rule of §3: a session is visible to its participants and the operator.
/// </summary>
public sealed class SessionReadModel(TranscriptStore store)
{
    public Task<SessionRow?> GetAsync(string sessionId, CancellationToken ct) =>
        store.ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = GetSql;
            return Get(command, sessionId);
        }, ct);

    /// <summary>The row as the writer's open transaction sees it.</summary>
    public static SessionRow? Get(AppendContext context, string sessionId)
    {
        using var command = context.CreateCommand(GetSql);
        return Get(command, sessionId);
    }

    private const string GetSql = "SELECT session_id, status, topic, metadata, created_at, state FROM sessions WHERE session_id = $id";

    private static SessionRow? Get(Microsoft.Data.Sqlite.SqliteCommand command, string sessionId)
    {
        command.Parameters.AddWithValue("$id", sessionId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    /// <summary>Sessions the agent takes part in (all for the operator), in id order, after a cursor.</summary>
    public Task<IReadOnlyList<SessionRow>> ListAsync(string? agent, string? participant, string? status, string? after, int limit, CancellationToken ct) =>
        store.ReadAsync<IReadOnlyList<SessionRow>>(connection =>
        {
            using var command = connection.CreateCommand();
            var sql = "SELECT s.session_id, s.status, s.topic, s.metadata, s.created_at, s.state FROM sessions s WHERE 1 = 1";
            if (agent is not null)
            {
                sql += " AND EXISTS (SELECT 1 FROM session_participants p WHERE p.session_id = s.session_id AND p.agent = $agent)";
                command.Parameters.AddWithValue("$agent", agent);
            }
            if (participant is not null)
            {
                sql += " AND EXISTS (SELECT 1 FROM session_participants q WHERE q.session_id = s.session_id AND q.agent = $participant)";
                command.Parameters.AddWithValue("$participant", participant);
            }
            if (status is not null)
            {
                sql += " AND s.status = $status";
                command.Parameters.AddWithValue("$status", status);
            }
            if (after is not null)
            {
                sql += " AND s.session_id > $after";
                command.Parameters.AddWithValue("$after", after);
            }
            command.CommandText = sql + " ORDER BY s.session_id LIMIT $limit";
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var rows = new List<SessionRow>();
            while (reader.Read()) rows.Add(Read(reader));
            return rows;
        }, ct);

    /// <summary>The ids of every session the agent takes part in.</summary>
    public Task<HashSet<string>> SessionsOfAsync(string agent, CancellationToken ct) =>
        store.ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT session_id FROM session_participants WHERE agent = $agent";
            command.Parameters.AddWithValue("$agent", agent);
            using var reader = command.ExecuteReader();
            var ids = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read()) ids.Add(reader.GetString(0));
            return ids;
        }, ct);

    public static void Insert(AppendContext context, string sessionId, string? topic, JsonNode? metadata, string createdAt, JsonObject state, IEnumerable<string> participants)
    {
        using (var command = context.CreateCommand(
            "INSERT INTO sessions(session_id, status, topic, metadata, created_at, state) VALUES ($id, $status, $topic, $metadata, $created, $state)"))
        {
            command.Parameters.AddWithValue("$id", sessionId);
            command.Parameters.AddWithValue("$status", state["status"]!.GetValue<string>());
            command.Parameters.AddWithValue("$topic", (object?)topic ?? DBNull.Value);
            command.Parameters.AddWithValue("$metadata", metadata is null ? DBNull.Value : Jcs.CanonicalString(metadata));
            command.Parameters.AddWithValue("$created", createdAt);
            command.Parameters.AddWithValue("$state", Jcs.CanonicalString(state));
            command.ExecuteNonQuery();
        }
        foreach (var agent in participants.Distinct(StringComparer.Ordinal))
        {
            using var command = context.CreateCommand("INSERT INTO session_participants(agent, session_id) VALUES ($agent, $id)");
            command.Parameters.AddWithValue("$agent", agent);
            command.Parameters.AddWithValue("$id", sessionId);
            command.ExecuteNonQuery();
        }
    }

    public static void UpdateState(AppendContext context, string sessionId, JsonObject state)
    {
        using var command = context.CreateCommand("UPDATE sessions SET status = $status, state = $state WHERE session_id = $id");
        command.Parameters.AddWithValue("$id", sessionId);
        command.Parameters.AddWithValue("$status", state["status"]!.GetValue<string>());
        command.Parameters.AddWithValue("$state", Jcs.CanonicalString(state));
        command.ExecuteNonQuery();
    }

    private static SessionRow Read(Microsoft.Data.Sqlite.SqliteDataReader reader)
    {
        var state = (JsonObject)StrictJson.Parse(reader.GetString(5))!;
        return new SessionRow(
            reader.GetString(0),
            reader.GetString(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.IsDBNull(3) ? null : StrictJson.Parse(reader.GetString(3)),
            reader.GetString(4),
            state,
            state["participants"]!.AsArray().Select(p => p!.GetValue<string>()).ToList());
    }
}
