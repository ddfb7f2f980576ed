using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Policies;
using Pact.Core.Policies.Cel;

namespace Pact.Core.Bundles;

/// <summary>How a bundle commits (§15): every member, or the best <c>count</c> by its ranking keys.</summary>
public enum BundleMode
{
    All,
    Best,
}

/// <summary>The declared type of a ranking key's value.</summary>
public enum RankingKeyType
{
    Int,
    String,
    Timestamp,
}

/// <summary>One ranking key: its CEL source, compiled under §13's profile, its declared type and direction.</summary>
public sealed record RankingKey(string Source, CelProgram Program, RankingKeyType Type, bool Descending);

/// <summary>
/// A bundle's <c>select</c> (§15): <c>{ mode: "all" }</c>, or <c>{ mode: "best", count, minCount, order }</c> with
/// 1 ≤ minCount ≤ count &lt; the number of members and 1–4 keys.
/// </summary>
public sealed record BundleSelect(BundleMode Mode, int Count, int MinCount, ImmutableArray<RankingKey> Order)
{
    public const int MaxKeys = 4;
    public const int MaxKeyLength = 1024;

    /// <summary>
    /// Reads <paramref name="node"/> (at <paramref name="pointer"/>) for a bundle of <paramref name="members"/> members:
    /// shape defects are PACT-101, a key that does not compile PACT-120 at <c>…/order/{j}/key</c>.
    /// </summary>
    public static BundleSelect? Read(JsonNode? node, int members, string pointer, ICollection<FieldError> errors)
    {
        if (node is not JsonObject o)
        {
            errors.Add(Invalid(pointer, "'select' must be an object."));
            return null;
        }
        var mode = Text(o["mode"]);
        if (mode == "all")
        {
            foreach (var name in o.Select(p => p.Key).Where(k => k != "mode"))
                errors.Add(Invalid($"{pointer}/{name}", $"Unknown member '{name}' for mode \"all\"."));
            return errors.Count == 0 ? new BundleSelect(BundleMode.All, members, members, []) : null;
        }
        if (mode != "best")
        {
            errors.Add(Invalid($"{pointer}/mode", "'mode' must be \"all\" or \"best\"."));
            return null;
        }
        var before = errors.Count;
        foreach (var name in o.Select(p => p.Key).Where(k => k is not ("mode" or "count" or "minCount" or "order")))
            errors.Add(Invalid($"{pointer}/{name}", $"Unknown member '{name}'."));
        var count = Integer(o["count"]);
        var minCount = Integer(o["minCount"]);
        if (count is null || count < 1 || count >= members)
            errors.Add(Invalid($"{pointer}/count", $"'count' must be an integer from 1 to {members - 1} (fewer than the members)."));
        if (minCount is null || minCount < 1 || (count is { } k && minCount > k))
            errors.Add(Invalid($"{pointer}/minCount", "'minCount' must be an integer from 1 to 'count'."));
        var keys = ImmutableArray.CreateBuilder<RankingKey>();
        if (o["order"] is not JsonArray order || order.Count is < 1 or > MaxKeys)
        {
            errors.Add(Invalid($"{pointer}/order", $"'order' must list 1 to {MaxKeys} keys."));
        }
        else
        {
            for (var j = 0; j < order.Count; j++)
            {
                if (ReadKey(order[j], $"{pointer}/order/{j}", errors) is { } key) keys.Add(key);
            }
        }
        return errors.Count == before ? new BundleSelect(BundleMode.Best, (int)count!.Value, (int)minCount!.Value, keys.ToImmutable()) : null;
    }

    private static RankingKey? ReadKey(JsonNode? node, string pointer, ICollection<FieldError> errors)
    {
        if (node is not JsonObject k)
        {
            errors.Add(Invalid(pointer, "A key is { key, type, direction }."));
            return null;
        }
        var before = errors.Count;
        foreach (var name in k.Select(p => p.Key).Where(n => n is not ("key" or "type" or "direction")))
            errors.Add(Invalid($"{pointer}/{name}", $"Unknown member '{name}'."));
        RankingKeyType? type = Text(k["type"]) switch
        {
            "int" => RankingKeyType.Int,
            "string" => RankingKeyType.String,
            "timestamp" => RankingKeyType.Timestamp,
            _ => null,
        };
        if (type is null) errors.Add(Invalid($"{pointer}/type", "'type' must be \"int\", \"string\" or \"timestamp\"."));
        var direction = Text(k["direction"]);
        if (direction is not ("asc" or "desc")) errors.Add(Invalid($"{pointer}/direction", "'direction' must be \"asc\" or \"desc\"."));
        var source = Text(k["key"]);
        if (source is null || source.Length is 0 or > MaxKeyLength)
        {
            errors.Add(Invalid($"{pointer}/key", $"'key' must be a CEL expression of 1 to {MaxKeyLength} characters."));
            return null;
        }
        if (Compile(source, out var error) is not { } program)
        {
            errors.Add(new FieldError($"{pointer}/key", PactCodes.PolicyInvalid, $"The key does not compile: {error}"));
            return null;
        }
        return errors.Count == before ? new RankingKey(source, program, type!.Value, direction == "desc") : null;
    }

    /// <summary>Compiles a key under §13's profile and its nesting limit, like a rule's <c>when</c>.</summary>
    public static CelProgram? Compile(string source, out string? error)
    {
        error = null;
        try
        {
            if (CelParser.NestingDepth(source) > PolicyLimits.NestingMax)
            {
                error = $"Brackets and parentheses nest more than {PolicyLimits.NestingMax} deep.";
                return null;
            }
            return PolicyEnvironment.Instance.Compile(source);
        }
        catch (Exception e) when (e is CelSyntaxException or CelCheckException)
        {
            error = e.Message;
            return null;
        }
    }

    private static FieldError Invalid(string pointer, string message) => new(pointer, PactCodes.InvalidPayload, message);

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static long? Integer(JsonNode? node)
    {
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number) return null;
        try
        {
            return Negotiation.JsonRead.Integer(v);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            return null;
        }
    }
}
