using System.Globalization;
using System.Text.RegularExpressions;
using Pact.Core.Time;

namespace Pact.Core.Policies.Cel;

/// <summary>The static types the checker tracks; <see cref="Dyn"/> is anything (a member of the input, an element).</summary>
public enum CelType { Dyn, Null, Bool, Int, String, Timestamp, Duration, List, Map }

/// <summary>One overload of a function: its argument types (the receiver first, for a member call), its result and its body.</summary>
public sealed record CelOverload(IReadOnlyList<CelType> Args, CelType Result, Func<object?[], object?> Body);

/// <summary>
/// The functions a program may call, by name: global (<c>size(x)</c>) and member (<c>s.contains(t)</c>) forms.
/// A name not declared here is refused at compile time: this table is the profile (§13).
/// </summary>
public sealed class CelFunctionSet
{
    private readonly Dictionary<string, List<CelOverload>> _global = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<CelOverload>> _member = new(StringComparer.Ordinal);

    public CelFunctionSet Global(string name, CelType result, Func<object?[], object?> body, params CelType[] args)
    {
        Add(_global, name, new CelOverload(args, result, body));
        return this;
    }

    public CelFunctionSet Member(string name, CelType result, Func<object?[], object?> body, params CelType[] receiverAndArgs)
    {
        Add(_member, name, new CelOverload(receiverAndArgs, result, body));
        return this;
    }

    internal IReadOnlyList<CelOverload>? FindGlobal(string name) => _global.GetValueOrDefault(name);

    internal IReadOnlyList<CelOverload>? FindMember(string name) => _member.GetValueOrDefault(name);

    private static void Add(Dictionary<string, List<CelOverload>> table, string name, CelOverload overload)
    {
        if (!table.TryGetValue(name, out var list)) table[name] = list = [];
        list.Add(overload);
    }

    /// <summary>cel-spec's standard functions that §13's profile keeps (the macros and operators are the compiler's).</summary>
    public static CelFunctionSet Standard() => new CelFunctionSet()
        .Global("size", CelType.Int, a => Size(a[0]), CelType.String)
        .Global("size", CelType.Int, a => Size(a[0]), CelType.List)
        .Global("size", CelType.Int, a => Size(a[0]), CelType.Map)
        .Member("size", CelType.Int, a => Size(a[0]), CelType.String)
        .Member("size", CelType.Int, a => Size(a[0]), CelType.List)
        .Member("size", CelType.Int, a => Size(a[0]), CelType.Map)
        .Member("contains", CelType.Bool, a => CelValues.Bool(((string)a[0]!).Contains((string)a[1]!, StringComparison.Ordinal)), CelType.String, CelType.String)
        .Member("startsWith", CelType.Bool, a => CelValues.Bool(((string)a[0]!).StartsWith((string)a[1]!, StringComparison.Ordinal)), CelType.String, CelType.String)
        .Member("endsWith", CelType.Bool, a => CelValues.Bool(((string)a[0]!).EndsWith((string)a[1]!, StringComparison.Ordinal)), CelType.String, CelType.String)
        .Member("matches", CelType.Bool, a => CelRegex.Matches((string)a[0]!, (string)a[1]!), CelType.String, CelType.String)
        .Global("matches", CelType.Bool, a => CelRegex.Matches((string)a[0]!, (string)a[1]!), CelType.String, CelType.String)
        .Global("int", CelType.Int, a => a[0], CelType.Int)
        .Global("int", CelType.Int, a => IntOfString((string)a[0]!), CelType.String)
        .Global("int", CelType.Int, a => ((DateTimeOffset)a[0]!).ToUnixTimeSeconds(), CelType.Timestamp)
        .Global("string", CelType.String, a => ((long)a[0]!).ToString(CultureInfo.InvariantCulture), CelType.Int)
        .Global("string", CelType.String, a => a[0], CelType.String)
        .Global("string", CelType.String, a => Timestamp.ToText((DateTimeOffset)a[0]!), CelType.Timestamp)
        .Global("timestamp", CelType.Timestamp, a => CelTime.ParseTimestamp((string)a[0]!), CelType.String)
        .Global("timestamp", CelType.Timestamp, a => a[0], CelType.Timestamp)
        .Global("duration", CelType.Duration, a => CelTime.ParseDuration((string)a[0]!), CelType.String)
        .Global("duration", CelType.Duration, a => a[0], CelType.Duration);

    private static object Size(object? value) => value switch
    {
        string s => CelValues.CodePointLength(s),
        IReadOnlyList<object?> list => (long)list.Count,
        CelMap map => (long)map.Count,
        _ => CelOperators.NoOverload("size ", value),
    };

    private static object IntOfString(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : new CelError($"cannot convert '{text}' to int");

    /// <summary>True when a runtime value has the static type (Dyn takes anything).</summary>
    internal static bool HasType(object? value, CelType type) => type switch
    {
        CelType.Dyn => true,
        CelType.Null => value is null,
        CelType.Bool => value is bool,
        CelType.Int => value is long,
        CelType.String => value is string,
        CelType.Timestamp => value is DateTimeOffset,
        CelType.Duration => value is TimeSpan,
        CelType.List => value is IReadOnlyList<object?>,
        CelType.Map => value is CelMap,
        _ => false,
    };

    internal static CelType TypeOf(object? value) => value switch
    {
        null => CelType.Null,
        bool => CelType.Bool,
        long => CelType.Int,
        string => CelType.String,
        DateTimeOffset => CelType.Timestamp,
        TimeSpan => CelType.Duration,
        IReadOnlyList<object?> => CelType.List,
        CelMap => CelType.Map,
        _ => CelType.Dyn,
    };
}

/// <summary><c>timestamp(string)</c> (RFC 3339, any offset, normalized to UTC) and <c>duration(string)</c> (cel-spec's Go form: "1h30m", "2.5s").</summary>
internal static partial class CelTime
{
    [GeneratedRegex(@"^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();

    [GeneratedRegex(@"\G([0-9]*(?:\.[0-9]*)?)(ns|us|µs|ms|s|m|h)", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPart();

    /// <summary>
    /// The error of a timestamp or duration text finer than this implementation represents. .NET's ticks are 100 ns and
    /// cel-spec's unit is 1 ns: rounding would make this daemon decide otherwise than an implementation with nanoseconds,
    /// so such a value is an error at run time and a literal is refused at publication (PACT-120).
    /// </summary>
    public static string TooFine(string text, string kind) =>
        $"{kind} '{text}' is not a whole multiple of 100 ns, the finest this implementation represents";

    public static object ParseTimestamp(string text)
    {
        var m = Rfc3339().Match(text);
        // .NET reads at most 7 fractional digits (100 ns ticks); an 8th or 9th that is not 0 would be dropped, so it is refused.
        if (m.Success && m.Groups[7].Length > 8 && m.Groups[7].Value[8..].Any(c => c != '0')) return new CelError(TooFine(text, "timestamp"));
        var parseable = m.Success && m.Groups[7].Length > 8 ? text.Remove(m.Groups[7].Index + 8, m.Groups[7].Length - 8) : text;
        if (!m.Success || !DateTimeOffset.TryParse(parseable, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var value))
            return new CelError($"invalid timestamp '{text}'");
        return value.ToUniversalTime();
    }

    public static object ParseDuration(string text)
    {
        var s = text;
        var negative = false;
        if (s.StartsWith('-') || s.StartsWith('+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s == "0") return TimeSpan.Zero;
        if (s.Length == 0) return new CelError($"invalid duration '{text}'");
        decimal ticks = 0;
        var at = 0;
        while (at < s.Length)
        {
            var m = DurationPart().Match(s, at);
            if (!m.Success || m.Groups[1].Value is "" or "." ||
                !decimal.TryParse(m.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
                return new CelError($"invalid duration '{text}'");
            ticks += amount * m.Groups[2].Value switch
            {
                "ns" => 0.01m,
                "us" or "µs" => 10m,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                _ => TimeSpan.TicksPerHour,
            };
            if (ticks > CelOperators.MaxDuration.Ticks) return new CelError("duration out of range");
            at += m.Length;
        }
        if (ticks != decimal.Truncate(ticks)) return new CelError(TooFine(text, "duration"));
        var whole = (long)ticks;
        return TimeSpan.FromTicks(negative ? -whole : whole);
    }
}
