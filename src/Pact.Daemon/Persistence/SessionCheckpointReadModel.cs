using System.Text.Json.Nodes;
using Pact.Core.Json;
using Pact.Store;

namespace Pact.Daemon.Persistence;

/// <summary>A session checkpoint: the state snapshot after a session.checkpointed event.</summary>
/// <param name="StateText">The snapshot as stored (JCS); parsed only by <see cref="State"/>, since listings never need it.</param>
public sealed record CheckpointRow(string CheckpointId, string SessionId, long StreamSeq, string StateHash, long TreeSize, string? Label, string CreatedAt, string StateText)
{
    public JsonObject State => (JsonObject)StrictJson.Parse(StateText)!;

    public JsonObject ToJson() => new()
    {
        ["checkpointId"] = CheckpointId,
        ["streamSeq"] = StreamSeq,
        ["stateHash"] = StateHash,
        ["treeSize"] = TreeSize,
        ["label"] = Label,
        ["createdAt"] = CreatedAt,
    };
}

/// <summary>Session checkpoints, for listing and for replay from the nearest snapshot.</summary>
public sealed class SessionCheckpointReadModel(TranscriptStore store)
{
    private const string Columns = "checkpoint_id, session_id, stream_seq, state_hash, tree_size, label, created_at, state";

    public Task<IReadOnlyList<CheckpointRow>> ListAsync(string sessionId, CancellationToken ct) =>
        store.ReadAsync<IReadOnlyList<CheckpointRow>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = ListSql;
            return List(command, sessionId);
        }, ct);

    /// <summary>The session's checkpoints as the writer's open transaction sees them.</summary>
    public static IReadOnlyList<CheckpointRow> List(AppendContext context, string sessionId)
    {
        using var command = context.CreateCommand(ListSql);
        return List(command, sessionId);
    }

    private const string ListSql = $"SELECT {Columns} FROM checkpoints WHERE session_id = $id ORDER BY stream_seq";

    private static List<CheckpointRow> List(Microsoft.Data.Sqlite.SqliteCommand command, string sessionId)
    {
        command.Parameters.AddWithValue("$id", sessionId);
        using var reader = command.ExecuteReader();
        var rows = new List<CheckpointRow>();
        while (reader.Read()) rows.Add(Read(reader));
        return rows;
    }

    /// <summary>The latest checkpoint at or before streamSeq k.</summary>
    public Task<CheckpointRow?> NearestAsync(string sessionId, long atOrBefore, CancellationToken ct) =>
        store.ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {Columns} FROM checkpoints WHERE session_id = $id AND stream_seq <= $k ORDER BY stream_seq DESC LIMIT 1";
            command.Parameters.AddWithValue("$id", sessionId);
            command.Parameters.AddWithValue("$k", atOrBefore);
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }, ct);

    public Task<CheckpointRow?> GetAsync(string checkpointId, CancellationToken ct) =>
        store.ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {Columns} FROM checkpoints WHERE checkpoint_id = $id";
            command.Parameters.AddWithValue("$id", checkpointId);
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }, ct);

    private static CheckpointRow Read(Microsoft.Data.Sqlite.SqliteDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetInt64(4),
        reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6), reader.GetString(7));
}
