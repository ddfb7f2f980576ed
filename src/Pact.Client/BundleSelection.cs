using System.Text.Json.Nodes;

namespace Pact.Client;

/// <summary>One ranking key of a <c>best</c> bundle (§15): CEL under §13's profile, its declared type and direction.</summary>
/// <param name="Key">e.g. <c>isoSeconds(terms.revocation.noticePeriod)</c>.</param>
/// <param name="Type"><c>int</c>, <c>string</c> or <c>timestamp</c>.</param>
/// <param name="Descending">true for <c>desc</c>.</param>
public sealed record RankingKeySpec(string Key, string Type = "int", bool Descending = false)
{
    /// <summary>A key sorted ascending (smallest first).</summary>
    public static RankingKeySpec Ascending(string key, string type = "int") => new(key, type);

    /// <summary>A key sorted descending (largest first).</summary>
    public static RankingKeySpec Descend(string key, string type = "int") => new(key, type, true);

    /// <summary>The key as <c>select.order</c> lists it.</summary>
    public JsonObject ToJson() => new() { ["key"] = Key, ["type"] = Type, ["direction"] = Descending ? "desc" : "asc" };
}

/// <summary>A bundle's <c>select</c> (§15): every member atomically, or the best <c>count</c> by ranking keys.</summary>
public static class BundleSelection
{
    /// <summary><c>{ "mode": "all" }</c>: every compact goes in force, or none does.</summary>
    public static JsonObject All() => new() { ["mode"] = "all" };

    /// <summary><c>{ "mode": "best", count, minCount, order }</c>: 1 ≤ minCount ≤ count &lt; the members, 1–4 keys.</summary>
    public static JsonObject Best(int count, int minCount, params RankingKeySpec[] order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return new JsonObject
        {
            ["mode"] = "best",
            ["count"] = count,
            ["minCount"] = minCount,
            ["order"] = new JsonArray([.. order.Select(k => (JsonNode)k.ToJson())]),
        };
    }
}

/// <summary>
/// The answer to a bundle member's countersignature: <see cref="Record"/> when this signature's commit put the member in
/// force (200), else <see cref="Proposal"/>, now <c>prepared</c> (202).
/// </summary>
public sealed record MemberSignature(Pact.Core.Contracts.Responses.Proposal? Proposal, Pact.Core.Contracts.Responses.CompactRecordInfo? Record)
{
    /// <summary>Whether this signature's commit put the member in force.</summary>
    public bool InForce => Record is not null;
}
