using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Pact.Core.Json;

namespace Pact.Store.Sqlite.ReadModels;

/// <summary>Published policies (§13). A policy never changes once published, so read ones are cached in memory.</summary>
internal sealed class SqlitePolicyStore(SqliteEventLog store) : IPolicyStore
{
    private const string SelectSql =
        "SELECT policy_hash, name, document, effective_rules, published_by, published_at FROM policies WHERE policy_hash = $hash";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, PolicyRecord> _cache = new(StringComparer.Ordinal);

    public async Task<PolicyRecord?> GetAsync(string policyHash, CancellationToken ct)
    {
        if (_cache.TryGetValue(policyHash, out var cached)) return cached;
        var record = await store.ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = SelectSql;
            command.Parameters.AddWithValue("$hash", policyHash);
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }, ct);
        if (record is not null) _cache[policyHash] = record;
        return record;
    }

    public static PolicyRecord? Find(AppendContext context, string policyHash)
    {
        using var command = context.CreateCommand(SelectSql);
        command.Parameters.AddWithValue("$hash", policyHash);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    public static bool Insert(AppendContext context, PolicyRecord policy)
    {
        using var command = context.CreateCommand(
            "INSERT OR IGNORE INTO policies(policy_hash, name, document, effective_rules, published_by, published_at) " +
            "VALUES ($hash, $name, $document, $rules, $by, $at)");
        command.Parameters.AddWithValue("$hash", policy.PolicyHash);
        command.Parameters.AddWithValue("$name", policy.Name);
        command.Parameters.AddWithValue("$document", Jcs.CanonicalString(policy.Document));
        command.Parameters.AddWithValue("$rules", policy.EffectiveRules);
        command.Parameters.AddWithValue("$by", policy.PublishedBy);
        command.Parameters.AddWithValue("$at", policy.PublishedAt);
        return command.ExecuteNonQuery() == 1;
    }

    private static PolicyRecord Read(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        (JsonObject)StrictJson.Parse(reader.GetString(2))!,
        Convert.ToInt32(reader.GetInt64(3), CultureInfo.InvariantCulture),
        reader.GetString(4),
        reader.GetString(5));
}
