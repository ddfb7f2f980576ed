using System.Data.Common;
using System.Text.Json.Nodes;
using Pact.Core.Json;
using Pact.Store.Relational;

namespace Pact.Store.ReadModels;

/// <summary>Session checkpoints, for listing and for replay from the nearest snapshot.</summary>
internal sealed class SessionCheckpointReadModel(IRelationalEngine store) : ISessionCheckpointReadModel
{
    private const string Columns = "checkpoint_id, session_id, stream_seq, state_hash, tree_size, label, created_at, state";

    public Task<IReadOnlyList<SessionCheckpointRow>> ListAsync(string sessionId, CancellationToken ct) =>
        store.ReadModelAsync<IReadOnlyList<SessionCheckpointRow>>($"checkpoints of session {sessionId}", sessionId, connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = ListSql;
            return List(command, sessionId);
        }, ct);

    /// <summary>The session's checkpoints as the writer's open transaction sees them.</summary>
    public static IReadOnlyList<SessionCheckpointRow> List(IWriteContext context, string sessionId)
    {
        using var command = context.CreateCommand(ListSql);
        return List(command, sessionId);
    }

    private const string ListSql = $"SELECT {Columns} FROM checkpoints WHERE session_id = @id ORDER BY stream_seq";

    private static List<SessionCheckpointRow> List(DbCommand command, string sessionId)
    {
        command.Bind("@id", sessionId);
        using var reader = command.ExecuteReader();
        var rows = new List<SessionCheckpointRow>();
        while (reader.Read()) rows.Add(Read(reader));
        return rows;
    }

    /// <summary>The latest checkpoint at or before streamSeq k.</summary>
    public Task<SessionCheckpointRow?> NearestAsync(string sessionId, long atOrBefore, CancellationToken ct) =>
        store.ReadModelAsync($"checkpoints of session {sessionId}", sessionId, connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {Columns} FROM checkpoints WHERE session_id = @id AND stream_seq <= @k ORDER BY stream_seq DESC LIMIT 1";
            command.Bind("@id", sessionId);
            command.Bind("@k", atOrBefore);
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }, ct);

    public Task<SessionCheckpointRow?> GetAsync(string checkpointId, CancellationToken ct) =>
        store.ReadModelAsync($"checkpoint {checkpointId}", null, connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {Columns} FROM checkpoints WHERE checkpoint_id = @id";
            command.Bind("@id", checkpointId);
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }, ct);

    private static SessionCheckpointRow Read(DbDataReader reader) => new(
        reader.Text(0), reader.Text(1), reader.GetInt64(2), reader.Text(3), reader.GetInt64(4),
        reader.IsDBNull(5) ? null : reader.Text(5), reader.Text(6), reader.Text(7));
}
