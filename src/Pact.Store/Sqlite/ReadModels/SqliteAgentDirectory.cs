using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Pact.Core.Json;
using Pact.Core.Time;

namespace Pact.Store.Sqlite.ReadModels;

/// <summary>Registered agents and invites. Registration is permanent, so known agents are cached in memory.</summary>
internal sealed class SqliteAgentDirectory(SqliteEventLog store) : IAgentDirectory
{
    private const string SelectSql = "SELECT did, public_key, principal, display_name, registered_at FROM agents WHERE did = $did";

    private readonly ConcurrentDictionary<string, AgentRecord> _cache = new(StringComparer.Ordinal);

    public async Task<bool> IsRegisteredAsync(string did, CancellationToken ct) => await GetAsync(did, ct) is not null;

    public async Task<AgentRecord?> GetAsync(string did, CancellationToken ct)
    {
        if (_cache.TryGetValue(did, out var cached)) return cached;
        var record = await store.ReadModelAsync($"registration of {did}", null, connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = SelectSql;
            command.Parameters.AddWithValue("$did", did);
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }, ct);
        if (record is not null) _cache[did] = record;
        return record;
    }

    public Task CreateInviteAsync(string code, string expiresAt, CancellationToken ct) =>
        store.WriteAsync(context =>
        {
            using var command = context.CreateCommand("INSERT INTO invites(code, expires_at) VALUES ($code, $expires)");
            command.Parameters.AddWithValue("$code", code);
            command.Parameters.AddWithValue("$expires", expiresAt);
            return command.ExecuteNonQuery();
        }, ct);

    /// <summary>Inserts the agent inside the writer's transaction; returns false when it already exists.</summary>
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
        using var command = context.CreateCommand(SelectSql);
        command.Parameters.AddWithValue("$did", did);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    /// <summary>Marks an unused, unexpired invite used, inside the writer's transaction.</summary>
    public static bool ConsumeInvite(AppendContext context, string code, string agent, DateTimeOffset now)
    {
        using var command = context.CreateCommand(
            "UPDATE invites SET used_by = $agent, used_at = $now WHERE code = $code AND used_by IS NULL AND expires_at > $now");
        command.Parameters.AddWithValue("$agent", agent);
        command.Parameters.AddWithValue("$now", Timestamp.ToText(now));
        command.Parameters.AddWithValue("$code", code);
        return command.ExecuteNonQuery() == 1;
    }

    private static AgentRecord Read(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        (JsonObject)StrictJson.Parse(reader.GetString(2))!,
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.GetString(4));
}
