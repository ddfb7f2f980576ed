using System.Globalization;
using System.Text;
using Pact.Core.Time;

namespace Pact.Core.Policies.Cel;

/// <summary>
/// A CEL error as a value (cel-spec "errors"): operators pass it on, and <c>&amp;&amp;</c>, <c>||</c>, <c>all</c> and
/// <c>exists</c> absorb it when their other operands decide. Never thrown.
/// </summary>
public sealed class CelError(string message)
{
    public string Message { get; } = message;
    public override string ToString() => Message;
}

/// <summary>
/// A CEL map whose keys iterate in JCS order (§13: "maps iterate in JCS key order"): strings by UTF-16 code units
/// as RFC 8785 sorts them; keys of other types (int, bool, from literals) before strings, bools before ints.
/// </summary>
public sealed class CelMap
{
    private readonly Dictionary<object, object?> _values;

    public CelMap(IEnumerable<KeyValuePair<object, object?>> entries)
    {
        _values = new Dictionary<object, object?>(CelKeyComparer.Instance);
        foreach (var (key, value) in entries) _values[key] = value;
        var keys = new object[_values.Count];
        _values.Keys.CopyTo(keys, 0);
        Array.Sort(keys, CelKeyComparer.Instance);
        Keys = keys;
    }

    /// <summary>A map of string keys (a JSON object, an input record): the commonest kind, built without LINQ.</summary>
    public static CelMap OfStrings(params ReadOnlySpan<(string Key, object? Value)> entries)
    {
        var values = new Dictionary<object, object?>(entries.Length, CelKeyComparer.Instance);
        foreach (var (key, value) in entries) values[key] = value;
        return new CelMap(values);
    }

    internal CelMap(Dictionary<object, object?> values)
    {
        _values = values;
        var keys = new object[values.Count];
        values.Keys.CopyTo(keys, 0);
        Array.Sort(keys, CelKeyComparer.Instance);
        Keys = keys;
    }

    /// <summary>The keys in iteration order.</summary>
    public IReadOnlyList<object> Keys { get; }

    public int Count => _values.Count;

    public bool TryGet(object key, out object? value) => _values.TryGetValue(key, out value);

    public bool ContainsKey(object key) => _values.ContainsKey(key);
}

/// <summary>Equality and order of map keys: bool, int, then strings in JCS (UTF-16 ordinal) order.</summary>
internal sealed class CelKeyComparer : IEqualityComparer<object>, IComparer<object>
{
    public static readonly CelKeyComparer Instance = new();

    public new bool Equals(object? x, object? y) => x is not null && y is not null && x.GetType() == y.GetType() && x.Equals(y);

    public int GetHashCode(object obj) => obj.GetHashCode();

    public int Compare(object? x, object? y)
    {
        var rank = Rank(x).CompareTo(Rank(y));
        if (rank != 0) return rank;
        return (x, y) switch
        {
            (string a, string b) => string.CompareOrdinal(a, b),
            (long a, long b) => a.CompareTo(b),
            (bool a, bool b) => a.CompareTo(b),
            _ => 0,
        };
    }

    private static int Rank(object? key) => key switch { bool => 0, long => 1, _ => 2 };
}

/// <summary>The profile's value helpers: type names, equality, code-point order and text forms.</summary>
public static class CelValues
{
    public static readonly object True = true;
    public static readonly object False = false;

    public static object Bool(bool value) => value ? True : False;

    /// <summary>The CEL type name of a runtime value (for messages).</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "null_type",
        bool => "bool",
        long => "int",
        string => "string",
        DateTimeOffset => "google.protobuf.Timestamp",
        TimeSpan => "google.protobuf.Duration",
        IReadOnlyList<object?> => "list",
        CelMap => "map",
        CelError => "error",
        _ => value.GetType().Name,
    };

    /// <summary>cel-spec equality: same type and same value, lists and maps element by element; other types are unequal.</summary>
    public static bool ValueEquals(object? a, object? b)
    {
        switch (a, b)
        {
            case (null, null): return true;
            case (null, _) or (_, null): return false;
            case (long x, long y): return x == y;
            case (string x, string y): return string.Equals(x, y, StringComparison.Ordinal);
            case (bool x, bool y): return x == y;
            case (DateTimeOffset x, DateTimeOffset y): return x.UtcTicks == y.UtcTicks;
            case (TimeSpan x, TimeSpan y): return x == y;
            case (IReadOnlyList<object?> x, IReadOnlyList<object?> y):
                if (x.Count != y.Count) return false;
                for (var i = 0; i < x.Count; i++) if (!ValueEquals(x[i], y[i])) return false;
                return true;
            case (CelMap x, CelMap y):
                if (x.Count != y.Count) return false;
                foreach (var key in x.Keys)
                {
                    if (!y.TryGet(key, out var other) || !x.TryGet(key, out var mine) || !ValueEquals(mine, other)) return false;
                }
                return true;
            default: return false;
        }
    }

    /// <summary>
    /// Orders two strings by Unicode code point (§13), which differs from UTF-16 ordinal order only when a
    /// surrogate pair meets a character in U+E000–U+FFFF.
    /// </summary>
    public static int CompareCodePoints(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            var x = a[i];
            var y = b[i];
            if (x == y) continue;
            return Fixup(x).CompareTo(Fixup(y));
        }
        return a.Length.CompareTo(b.Length);

        // Surrogates (D800–DFFF) move above E000–FFFF so that code units compare as the code points they encode.
        static int Fixup(char c) => c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;
    }

    /// <summary>The number of Unicode code points in a string (§13: size counts code points).</summary>
    public static long CodePointLength(string s)
    {
        long count = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            count++;
        }
        return count;
    }

    /// <summary>A duration as cel-spec writes it: seconds with up to nine fractional digits and 's'.</summary>
    public static string DurationText(TimeSpan d)
    {
        var ticks = d.Ticks;
        var negative = ticks < 0;
        var abs = negative ? -(decimal)ticks : ticks;
        var seconds = abs / TimeSpan.TicksPerSecond;
        var text = seconds.ToString("0.#########", CultureInfo.InvariantCulture);
        return (negative ? "-" : "") + text + "s";
    }

    /// <summary>A readable rendering of a value for traces and the CLI (not a wire form).</summary>
    public static string Describe(object? value)
    {
        switch (value)
        {
            case null: return "null";
            case bool b: return b ? "true" : "false";
            case long l: return l.ToString(CultureInfo.InvariantCulture);
            case string s: return "'" + s + "'";
            case DateTimeOffset t: return $"timestamp('{Timestamp.ToText(t)}')";
            case TimeSpan d: return $"duration('{DurationText(d)}')";
            case IReadOnlyList<object?> list: return "[" + string.Join(", ", list.Select(Describe)) + "]";
            case CelMap map:
                var sb = new StringBuilder("{");
                foreach (var key in map.Keys)
                {
                    if (sb.Length > 1) sb.Append(", ");
                    map.TryGet(key, out var v);
                    sb.Append(Describe(key)).Append(": ").Append(Describe(v));
                }
                return sb.Append('}').ToString();
            case CelError e: return "error: " + e.Message;
            default: return value.ToString() ?? "";
        }
    }
}
