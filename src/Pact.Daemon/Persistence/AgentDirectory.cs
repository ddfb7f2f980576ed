using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Pact.Core.Json;
using Pact.Store;

namespace Pact.Daemon.Persistence;

/// <summary>A registered agent (§3).</summary>
public sealed record AgentRecord(string AgentId, string PublicKey, JsonObject Principal, string? DisplayName, string RegisteredAt)
{
    public JsonObject ToJson() => new()
    {
        ["agentId"] = AgentId,
        ["publicKey"] = PublicKey,
        ["principal"] = Principal.DeepClone(),
        ["displayName"] = DisplayName,
        ["registeredAt"] = RegisteredAt,
    };
}

/// <summary>Registered agents. Registration is permanent, so known agents are cached in memory.</summary>
public sealed class AgentDirectory(TranscriptStore store)
{
    private readonly ConcurrentDictionary<string, AgentRecord> _cache = new(StringComparer.Ordinal);

    public async Task<bool> IsRegisteredAsync(string did, CancellationToken ct) => await GetAsync(did, ct) is not null;

    public async Task<AgentRecord?> GetAsync(string did, CancellationToken ct)
    {
        if (_cache.TryGetValue(did, out var cached)) return cached;
        var record = await store.ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT did, public_key, principal, display_name, registered_at FROM agents WHERE did = $did";
            command.Parameters.AddWithValue("$did", did);
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }, ct);
        if (record is not null) _cache[did] = record;
        return record;
    }

    /// <summary>Inserts the agent inside the caller's transaction; returns false when it already exists.</summary>
    public static bool Insert(AppendContext context, AgentRecord agent)
    {
        using var command = context.CreateCommand(
            "INSERT OR IGNORE INTO agents(did, public_key, principal, display_name, registered_at) VALUES ($did, $pk, $principal, $name, $at)");
        command.Parameters.AddWithValue("$did", agent.AgentId);
        command.Parameters.AddWithValue("$pk", agent.PublicKey);
        command.Parameters.AddWithValue("$principal", Jcs.CanonicalString(agent.Principal));
        command.Parameters.AddWithValue("$name", (object?)agent.DisplayName ?? DBNull.Value);
        command.Parameters.AddWithValue("$at", agent.RegisteredAt);
        return command.ExecuteNonQuery() == 1;
    }

    public static AgentRecord? Find(AppendContext context, string did)
    {
        using var command = context.CreateCommand("SELECT did, public_key, principal, display_name, registered_at FROM agents WHERE did = $did");
        command.Parameters.AddWithValue("$did", did);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    private static AgentRecord Read(Microsoft.Data.Sqlite.SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        (JsonObject)StrictJson.Parse(reader.GetString(2))!,
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.GetString(4));
}
