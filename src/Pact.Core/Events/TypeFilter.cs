namespace Pact.Core.Events;

/// <summary>The <c>types</c> filter of §8.3 and §10: exact types or "prefix.*", comma-separated; empty matches all.</summary>
public sealed class TypeFilter
{
    private readonly List<string> _exact = [];
    private readonly List<string> _prefixes = [];

    public static TypeFilter Parse(string? types)
    {
        var filter = new TypeFilter();
        foreach (var item in (types ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (item.EndsWith(".*", StringComparison.Ordinal)) filter._prefixes.Add(item[..^1]);
            else filter._exact.Add(item);
        }
        return filter;
    }

    public bool Matches(string type) =>
        (_exact.Count == 0 && _prefixes.Count == 0) ||
        _exact.Contains(type, StringComparer.Ordinal) ||
        _prefixes.Any(p => type.StartsWith(p, StringComparison.Ordinal));
}
