using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Pact.Core.Policies;
using Pact.Core.Policies.Cel;
using Pact.Core.Time;

namespace Pact.Core.Bundles;

/// <summary>
/// One prepared member of a <c>best</c> bundle as its ranking sees it: the §13 input for the coordinator's side
/// (<c>now</c> = the bundle's creation, the counterparty's passport as of <c>bundle.committed</c> − 1), the §16
/// passport document recorded beside its keys, and whether its <c>upstream</c> or <c>predecessor</c> left force.
/// </summary>
public sealed record RankingCandidate(string ProposalId, string Counterparty, PolicyInput Input, JsonObject Passport, bool LeftForce);

/// <summary>The ranking of §15: the selected ids in rank order and the recorded <c>ranking</c> array.</summary>
public sealed record RankingResult(ImmutableArray<string> Selected, JsonArray Ranking, bool Sufficient);

/// <summary>
/// The deterministic merge of a <c>best</c> bundle (§15), pure: each key evaluated per candidate; a candidate whose key
/// errors (<c>key-error</c>), whose value is not the declared type, an int outside ±2^53 or a timestamp that is not
/// whole milliseconds (<c>key-type</c>), or whose upstream or predecessor left force (<c>upstream</c>) is excluded; the
/// rest sort by the keys (ints numerically, strings by code point, timestamps by instant; asc or desc), then by the
/// counterparty's did and the proposal id (ordinal, ascending).
/// </summary>
public static class BundleRanking
{
    public const string KeyError = "key-error";
    public const string KeyType = "key-type";
    public const string Upstream = "upstream";

    private const long MaxSafeInteger = 9007199254740992L; // 2^53

    /// <summary>Ranks the candidates (given in member order) under <paramref name="select"/>'s keys.</summary>
    public static RankingResult Rank(BundleSelect select, IReadOnlyList<RankingCandidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(select);
        ArgumentNullException.ThrowIfNull(candidates);
        var ranked = new List<(RankingCandidate Candidate, object[] Keys)>();
        var excluded = new List<(RankingCandidate Candidate, string Why)>();
        foreach (var candidate in candidates)
        {
            if (candidate.LeftForce)
            {
                excluded.Add((candidate, Upstream));
                continue;
            }
            var (keys, why) = Evaluate(select.Order, candidate.Input);
            if (why is not null) excluded.Add((candidate, why));
            else ranked.Add((candidate, keys!));
        }
        ranked.Sort((x, y) => Compare(select.Order, x, y));
        var ranking = new JsonArray();
        foreach (var (candidate, keys) in ranked)
        {
            ranking.Add(new JsonObject
            {
                ["proposalId"] = candidate.ProposalId,
                ["keys"] = new JsonArray([.. keys.Select(ToJson)]),
                ["excluded"] = null,
                ["passport"] = candidate.Passport.DeepClone(),
            });
        }
        foreach (var (candidate, why) in excluded)
        {
            ranking.Add(new JsonObject
            {
                ["proposalId"] = candidate.ProposalId,
                ["keys"] = null,
                ["excluded"] = why,
                ["passport"] = candidate.Passport.DeepClone(),
            });
        }
        var sufficient = ranked.Count >= select.MinCount;
        var selected = sufficient ? ranked.Take(select.Count).Select(r => r.Candidate.ProposalId).ToImmutableArray() : [];
        return new RankingResult(selected, ranking, sufficient);
    }

    /// <summary>Every key's value for one candidate, or why it is excluded (the first key that fails decides).</summary>
    private static (object[]? Keys, string? Excluded) Evaluate(ImmutableArray<RankingKey> order, PolicyInput input)
    {
        var variables = input.ToCelVariables();
        var values = new object[order.Length];
        for (var j = 0; j < order.Length; j++)
        {
            var value = order[j].Program.Evaluate(variables);
            if (value is CelError) return (null, KeyError);
            if (!Fits(order[j].Type, value)) return (null, KeyType);
            values[j] = value!;
        }
        return (values, null);
    }

    private static bool Fits(RankingKeyType type, object? value) => (type, value) switch
    {
        (RankingKeyType.Int, long n) => n is >= -MaxSafeInteger and <= MaxSafeInteger,
        (RankingKeyType.String, string) => true,
        (RankingKeyType.Timestamp, DateTimeOffset t) => t.UtcTicks % TimeSpan.TicksPerMillisecond == 0,
        _ => false,
    };

    private static int Compare(ImmutableArray<RankingKey> order, (RankingCandidate Candidate, object[] Keys) x, (RankingCandidate Candidate, object[] Keys) y)
    {
        for (var j = 0; j < order.Length; j++)
        {
            var c = (x.Keys[j], y.Keys[j]) switch
            {
                (long a, long b) => a.CompareTo(b),
                (string a, string b) => CelValues.CompareCodePoints(a, b),
                (DateTimeOffset a, DateTimeOffset b) => a.UtcTicks.CompareTo(b.UtcTicks),
                _ => throw new InvalidOperationException("Key values of one key have one declared type."),
            };
            if (c != 0) return order[j].Descending ? -c : c;
        }
        var byDid = string.CompareOrdinal(x.Candidate.Counterparty, y.Candidate.Counterparty);
        return byDid != 0 ? byDid : string.CompareOrdinal(x.Candidate.ProposalId, y.Candidate.ProposalId);
    }

    private static JsonNode ToJson(object value) => value switch
    {
        long n => JsonValue.Create(n),
        string s => JsonValue.Create(s),
        DateTimeOffset t => JsonValue.Create(Timestamp.ToText(t)),
        _ => throw new InvalidOperationException("A key value is an int, a string or a timestamp."),
    };
}
