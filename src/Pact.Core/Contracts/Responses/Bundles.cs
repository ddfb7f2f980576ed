using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Pact.Core.Passport;

namespace Pact.Core.Contracts.Responses;

/// <summary>One member of a bundle as its resource lists it (§15), in member order.</summary>
/// <param name="Status">The member proposal's status: open, prepared, signed, declined or retired.</param>
public sealed record BundleMemberInfo(string ProposalId, string CompactId, string Counterparty, string Status);

/// <summary>
/// A bundle (§15): <c>select</c> as created; <c>selected</c> (rank order) and <c>ranking</c> once committed (ranking null for
/// mode all); <c>cause</c> { kind, proposalId, agent } once aborted.
/// </summary>
/// <param name="Status">open, committed or aborted.</param>
public sealed record BundleView(
    string BundleId,
    string SessionId,
    string Coordinator,
    string Status,
    JsonObject Select,
    DateTimeOffset ClosesAt,
    IReadOnlyList<BundleMemberInfo> Members,
    IReadOnlyList<string>? Selected,
    JsonArray? Ranking,
    JsonObject? Cause)
{
    /// <summary><see cref="Ranking"/> read: the ranked entries in rank order, then the excluded ones; null before a best commit.</summary>
    [JsonIgnore]
    public IReadOnlyList<BundleRankingEntry>? RankingEntries => Ranking?.Select(e => BundleRankingEntry.FromJson(e!.AsObject())).ToList();

    /// <summary><see cref="Cause"/> read; null unless aborted.</summary>
    [JsonIgnore]
    public BundleAbortCause? AbortCause => Cause is { } c ? new BundleAbortCause(Text(c["kind"])!, Text(c["proposalId"]), Text(c["agent"])) : null;

    /// <summary><see cref="Select"/>'s mode: all or best.</summary>
    [JsonIgnore]
    public string Mode => Text(Select["mode"])!;

    internal static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>Why a bundle aborted (§15): declined, expired, withdrawn or insufficient, and the member and agent it names.</summary>
public sealed record BundleAbortCause(string Kind, string? ProposalId, string? Agent);

/// <summary>
/// One entry of a committed best bundle's ranking (§15): the member, its key values (JSON ints, strings or timestamps; null
/// when excluded), why it was excluded (key-error, key-type, upstream; null when ranked), and the counterparty passport the keys saw.
/// </summary>
public sealed record BundleRankingEntry(string ProposalId, IReadOnlyList<JsonNode?>? Keys, string? Excluded, AgentPassport Passport)
{
    public static BundleRankingEntry FromJson(JsonObject entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new BundleRankingEntry(BundleView.Text(entry["proposalId"])!,
            entry["keys"] is JsonArray keys ? [.. keys.Select(k => k?.DeepClone())] : null,
            BundleView.Text(entry["excluded"]),
            AgentPassport.FromJson(entry["passport"]!.AsObject()));
    }
}
