using System.Data.Common;
using System.Text.Json.Nodes;
using Pact.Core.Json;
using Pact.Core.Sessions;
using Pact.Store.Relational;

namespace Pact.Store.ReadModels;

/// <summary>
/// The sessions read model, written in the same transaction as the events that change it, and the
/// visibility rule of §3: a session is visible to its participants and the operator. The §7 state is
/// assembled on read from this row and the session's rows in <c>proposals</c> and <c>compacts</c>, which the
/// projector keeps per entry: an event costs the same in a session with ten compacts as in one with ten thousand.
/// </summary>
internal sealed class SessionReadModel(IRelationalEngine store) : ISessionReadModel
{
    public Task<SessionRow?> GetAsync(string sessionId, CancellationToken ct) =>
        store.ReadModelAsync($"row of session {sessionId}", sessionId, connection => GetRow(Commands(connection), sessionId), ct);

    /// <summary>The session's §7 state as of the last commit; null for an unknown session.</summary>
    public Task<SessionState?> GetStateAsync(string sessionId, CancellationToken ct) =>
        store.ReadModelAsync($"state of session {sessionId}", sessionId, connection =>
        {
            // One read transaction, so the row, the proposals and the compacts are all as of the same commit.
            using var snapshot = store.BeginReadSnapshot(connection);
            var commands = Commands(connection, snapshot);
            return GetRow(commands, sessionId) is { } row ? StateOf(commands, row) : null;
        }, ct);

    /// <summary>The row as the writer's open transaction sees it.</summary>
    public static SessionRow? Get(IWriteContext context, string sessionId) => GetRow(context.CreateCommand, sessionId);

    /// <summary>The §7 state of the session of <paramref name="row"/> as the writer's open transaction sees it (every event projected so far included).</summary>
    public static SessionState GetState(IWriteContext context, SessionRow row) => StateOf(context.CreateCommand, row);

    private const string Columns = "session_id, status, topic, metadata, created_at, participants";

    private static Func<string, DbCommand> Commands(DbConnection connection, DbTransaction? transaction = null) => sql =>
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    };

    private static SessionRow? GetRow(Func<string, DbCommand> commands, string sessionId)
    {
        using var command = commands($"SELECT {Columns} FROM sessions WHERE session_id = @id");
        command.Bind("@id", sessionId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    private static SessionState StateOf(Func<string, DbCommand> commands, SessionRow row)
    {
        var sessionId = row.SessionId;
        var proposals = new List<SessionProposal>();
        using (var command = commands("SELECT proposal_id, compact_id, version, terms_hash, proposer, status FROM proposals WHERE session_id = @id ORDER BY proposal_id"))
        {
            command.Bind("@id", sessionId);
            using var reader = command.ExecuteReader();
            while (reader.Read())
                proposals.Add(SessionState.ParseProposal(reader.Text(0), reader.Text(1), reader.GetInt64(2), reader.Text(3), reader.Text(4), reader.Text(5)));
        }
        var compacts = new List<SessionCompact>();
        using (var command = commands("SELECT compact_id, version, compact_hash, status FROM compacts WHERE session_id = @id ORDER BY compact_id, version"))
        {
            command.Bind("@id", sessionId);
            using var reader = command.ExecuteReader();
            while (reader.Read())
                compacts.Add(SessionState.ParseCompact(reader.Text(0), reader.GetInt64(1), reader.Text(2), reader.Text(3)));
        }
        if (!SessionStatusNames.TryParseSessionStatus(row.Status, out var status))
            throw new FormatException($"Session {sessionId} has the unknown status '{row.Status}'.");
        return SessionState.Of(sessionId, status, row.Topic, row.Participants, proposals, compacts);
    }

    /// <summary>Sessions the agent takes part in (all for the operator), in id order, after a cursor.</summary>
    public Task<IReadOnlyList<SessionRow>> ListAsync(string? agent, string? participant, string? status, string? after, int limit, CancellationToken ct) =>
        store.ReadModelAsync<IReadOnlyList<SessionRow>>("list of sessions", null, connection =>
        {
            using var command = connection.CreateCommand();
            var sql = $"SELECT {Columns} FROM sessions s WHERE 1 = 1";
            if (agent is not null)
            {
                sql += " AND EXISTS (SELECT 1 FROM session_participants p WHERE p.session_id = s.session_id AND p.agent = @agent)";
                command.BindFilter("@agent", agent);
            }
            if (participant is not null)
            {
                sql += " AND EXISTS (SELECT 1 FROM session_participants q WHERE q.session_id = s.session_id AND q.agent = @participant)";
                command.BindFilter("@participant", participant);
            }
            if (status is not null)
            {
                sql += " AND s.status = @status";
                command.BindFilter("@status", status);
            }
            if (after is not null)
            {
                sql += " AND s.session_id > @after";
                command.BindCursor("@after", after);
            }
            command.CommandText = sql + " ORDER BY s.session_id LIMIT @limit";
            command.Bind("@limit", limit);
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
            command.CommandText = "SELECT session_id FROM session_participants WHERE agent = @agent";
            command.Bind("@agent", agent);
            using var reader = command.ExecuteReader();
            var ids = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read()) ids.Add(reader.Text(0));
            return ids;
        }, ct);

    public static void Insert(IWriteContext context, string sessionId, string? topic, JsonNode? metadata, string createdAt, IReadOnlyList<string> participants)
    {
        using (var command = context.CreateCommand(
            "INSERT INTO sessions(session_id, status, topic, metadata, created_at, participants) VALUES (@id, @status, @topic, @metadata, @created, @participants)"))
        {
            command.Bind("@id", sessionId);
            command.Bind("@status", SessionStatus.Active.ToWire());
            command.Bind("@topic", (object?)topic ?? DBNull.Value);
            command.Bind("@metadata", metadata is null ? DBNull.Value : Jcs.CanonicalString(metadata));
            command.Bind("@created", createdAt);
            command.Bind("@participants", Jcs.CanonicalString(new JsonArray(participants.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray())));
            command.ExecuteNonQuery();
        }
        foreach (var agent in participants.Distinct(StringComparer.Ordinal))
        {
            using var command = context.CreateCommand("INSERT INTO session_participants(agent, session_id) VALUES (@agent, @id)");
            command.Bind("@agent", agent);
            command.Bind("@id", sessionId);
            command.ExecuteNonQuery();
        }
    }

    public static void UpdateStatus(IWriteContext context, string sessionId, SessionStatus status)
    {
        using var command = context.CreateCommand("UPDATE sessions SET status = @status WHERE session_id = @id");
        command.Bind("@id", sessionId);
        command.Bind("@status", status.ToWire());
        if (command.ExecuteNonQuery() != 1) throw new InvalidOperationException($"Session {sessionId} has no row to update.");
    }

    private static SessionRow Read(DbDataReader reader) => new(
        reader.Text(0),
        reader.Text(1),
        reader.IsDBNull(2) ? null : reader.Text(2),
        reader.IsDBNull(3) ? null : StrictJson.Parse(reader.Text(3)),
        reader.Text(4),
        StrictJson.Parse(reader.Text(5))!.AsArray().Select(p => p!.GetValue<string>()).ToList());
}
