using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.Json.Nodes;
using Pact.Core.Json;
using Pact.Core.Time;
using Pact.Store.Relational;

namespace Pact.Store.ReadModels;

/// <summary>Registered agents and invites. Registration is permanent, so known agents are cached in memory.</summary>
internal sealed class AgentDirectory(IRelationalEngine store) : IAgentDirectory
{
    private const string SelectSql = "SELECT did, public_key, principal, display_name, registered_at FROM agents WHERE did = @did";

    private readonly ConcurrentDictionary<string, AgentRecord> _cache = new(StringComparer.Ordinal);

    public async Task<bool> IsRegisteredAsync(string did, CancellationToken ct) => await GetAsync(did, ct) is not null;

    public async Task<AgentRecord?> GetAsync(string did, CancellationToken ct)
    {
        if (_cache.TryGetValue(did, out var cached)) return cached;
        var record = await store.ReadModelAsync($"registration of {did}", null, connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = SelectSql;
            command.Bind("@did", did);
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }, ct);
        if (record is not null) _cache[did] = record;
        return record;
    }

    public Task CreateInviteAsync(string code, string expiresAt, CancellationToken ct) =>
        store.WriteAsync(context =>
        {
            using var command = context.CreateCommand("INSERT INTO invites(code, expires_at) VALUES (@code, @expires)");
            command.Bind("@code", code);
            command.Bind("@expires", expiresAt);
            return command.ExecuteNonQuery();
        }, ct);

    /// <summary>Inserts the agent inside the writer's transaction; returns false when it already exists.</summary>
    public static bool Insert(IWriteContext context, AgentRecord agent)
    {
        using var command = context.CreateCommand(
            "INSERT INTO agents(did, public_key, principal, display_name, registered_at) VALUES (@did, @pk, @principal, @name, @at) ON CONFLICT DO NOTHING");
        command.Bind("@did", agent.AgentId);
        command.Bind("@pk", agent.PublicKey);
        command.Bind("@principal", Jcs.CanonicalString(agent.Principal));
        command.Bind("@name", (object?)agent.DisplayName ?? DBNull.Value);
        command.Bind("@at", agent.RegisteredAt);
        return command.ExecuteNonQuery() == 1;
    }

    public static AgentRecord? Find(IWriteContext context, string did)
    {
        using var command = context.CreateCommand(SelectSql);
        command.Bind("@did", did);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    /// <summary>Marks an unused, unexpired invite used, inside the writer's transaction.</summary>
    public static bool ConsumeInvite(IWriteContext context, string code, string agent, DateTimeOffset now)
    {
        using var command = context.CreateCommand(
            "UPDATE invites SET used_by = @agent, used_at = @now WHERE code = @code AND used_by IS NULL AND expires_at > @now");
        command.Bind("@agent", agent);
        command.Bind("@now", Timestamp.ToText(now));
        command.Bind("@code", code);
        return command.ExecuteNonQuery() == 1;
    }

    private static AgentRecord Read(DbDataReader reader) => new(
        reader.Text(0),
        reader.Text(1),
        (JsonObject)StrictJson.Parse(reader.Text(2))!,
        reader.IsDBNull(3) ? null : reader.Text(3),
        reader.Text(4));
}
