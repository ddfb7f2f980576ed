using System.Data.Common;
using System.Globalization;
using System.Text.Json.Nodes;
using Pact.Core.Json;
using Pact.Core.Policies;
using Pact.Store.Relational;

namespace Pact.Store.ReadModels;

/// <summary>Published policies (§13). A policy never changes once published, so read ones are cached in memory.</summary>
internal sealed class PolicyStore(IRelationalEngine store) : IPolicyStore
{
    private const string SelectSql =
        "SELECT policy_hash, name, document, effective_rules, published_by, published_at FROM policies WHERE policy_hash = @hash";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, PolicyRecord> _cache = new(StringComparer.Ordinal);

    public async Task<PolicyRecord?> GetAsync(string policyHash, CancellationToken ct)
    {
        if (_cache.TryGetValue(policyHash, out var cached)) return cached;
        var record = await store.ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = SelectSql;
            command.Bind("@hash", policyHash);
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }, ct);
        if (record is not null) _cache[policyHash] = record;
        return record;
    }

    public static PolicyRecord? Find(IWriteContext context, string policyHash)
    {
        using var command = context.CreateCommand(SelectSql);
        command.Bind("@hash", policyHash);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    public static bool Insert(IWriteContext context, PolicyRecord policy)
    {
        using var command = context.CreateCommand(
            "INSERT INTO policies(policy_hash, name, document, effective_rules, published_by, published_at) " +
            "VALUES (@hash, @name, @document, @rules, @by, @at) ON CONFLICT DO NOTHING");
        command.Bind("@hash", policy.PolicyHash);
        command.Bind("@name", policy.Name);
        command.Bind("@document", Jcs.CanonicalString(policy.Document));
        command.Bind("@rules", policy.EffectiveRules);
        command.Bind("@by", policy.PublishedBy);
        command.Bind("@at", policy.PublishedAt);
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>
    /// A stored policy is served only if its document still hashes to its id (§13: the id is the content's hash), so
    /// a damaged row is a 500 PACT-401, never a different policy under the published hash.
    /// </summary>
    private static PolicyRecord Read(DbDataReader reader)
    {
        var policyHash = reader.Text(0);
        JsonObject? document = null;
        try
        {
            document = StrictJson.Parse(reader.Text(2)) as JsonObject;
        }
        catch (Pact.Core.Errors.InvalidJsonException)
        {
        }
        if (document is null || PolicyDocument.HashOf(document) != policyHash || document["name"]?.GetValue<string>() != reader.Text(1))
            throw new TranscriptIntegrityException($"The stored policy {policyHash} is damaged: its document no longer hashes to its id.") { Resource = "policy " + policyHash };
        return new(policyHash, reader.Text(1), document, Convert.ToInt32(reader.GetInt64(3), CultureInfo.InvariantCulture), reader.Text(4), reader.Text(5));
    }
}
