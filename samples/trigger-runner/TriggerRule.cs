using System.Globalization;
using System.Text.Json.Nodes;

namespace Pact.Samples.TriggerRunner;

/// <summary>
/// When to run what: event types (exact, or "prefix.*" as in §10), optionally only some sessions, and the
/// command with its arguments. Arguments may name parts of the event: {type} {seq} {stream} {streamSeq}
/// {actor} {time} {hash}.
/// </summary>
public sealed record TriggerRule(IReadOnlyList<string> Types, IReadOnlySet<string>? Sessions, string Command, IReadOnlyList<string> Arguments)
{
    public bool Matches(JsonObject e) =>
        e["type"]?.GetValue<string>() is { } type && TypeMatches(Types, type) &&
        (Sessions is null || (e["stream"]?.GetValue<string>() is { } stream && Sessions.Contains(stream)));

    /// <summary>An empty list matches every type.</summary>
    public static bool TypeMatches(IReadOnlyList<string> patterns, string type) =>
        patterns.Count == 0 || patterns.Any(p => p.EndsWith(".*", StringComparison.Ordinal)
            ? type.StartsWith(p[..^1], StringComparison.Ordinal)
            : string.Equals(p, type, StringComparison.Ordinal));

    public IReadOnlyList<string> ArgumentsFor(JsonObject e) => Arguments.Select(a => Expand(a, e)).ToList();

    public static string Expand(string template, JsonObject e) => template
        .Replace("{type}", Text(e["type"]), StringComparison.Ordinal)
        .Replace("{seq}", Text(e["seq"]), StringComparison.Ordinal)
        .Replace("{stream}", Text(e["stream"]), StringComparison.Ordinal)
        .Replace("{streamSeq}", Text(e["streamSeq"]), StringComparison.Ordinal)
        .Replace("{actor}", Text(e["actor"]), StringComparison.Ordinal)
        .Replace("{time}", Text(e["time"]), StringComparison.Ordinal)
        .Replace("{hash}", Text(e["hash"]), StringComparison.Ordinal);

    /// <summary>A member of the event as text: strings as they are, numbers in invariant form, anything else as JSON.</summary>
    public static string Field(JsonObject e, string name) => Text(e[name]);

    private static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<long>(out var l) => l.ToString(CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue<int>(out var i) => i.ToString(CultureInfo.InvariantCulture),
        _ => node.ToJsonString(),
    };
}
