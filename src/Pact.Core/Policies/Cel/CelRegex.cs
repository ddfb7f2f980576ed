using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace Pact.Core.Policies.Cel;

/// <summary>
/// <c>matches</c> (§13): RE2 syntax, run by .NET's <see cref="RegexOptions.NonBacktracking"/> engine, whose time is
/// linear in the input. RE2's meanings that .NET spells differently are translated: <c>\d</c>, <c>\w</c>, <c>\s</c> are
/// ASCII; <c>$</c> without the <c>m</c> flag is the end of the text (not before a final newline); <c>\pL</c> and
/// <c>(?P&lt;name&gt;…)</c>. What RE2 refuses and .NET would accept (backreferences, lookaround) the engine refuses too.
/// </summary>
/// <remarks>
/// A pattern may come from the terms at evaluation time, so its compile cost is bounded before it is compiled, by rules
/// that depend on the pattern alone — never by a clock, which would let a busy machine decide otherwise than verify:
/// at most <see cref="MaxPatternLength"/> UTF-16 code units; each counted repetition at most <see cref="MaxRepeat"/> (RE2's
/// own limit); and the pattern with every counted repetition unfolded at most <see cref="MaxExpandedSize"/> atoms. Matching
/// is linear in the text, which the terms bound (256 KiB), so it needs no timeout. Compiled patterns are cached, at most
/// <see cref="CacheLimit"/> of them (the cache starts over when full).
/// </remarks>
public static partial class CelRegex
{
    /// <summary>The longest pattern compiled, in UTF-16 code units (a rule's whole <c>when</c> is at most 1,024 characters).</summary>
    public const int MaxPatternLength = 1024;

    /// <summary>The largest bound of a counted repetition (<c>{n}</c>, <c>{n,}</c>, <c>{n,m}</c>), as in RE2.</summary>
    public const int MaxRepeat = 1000;

    /// <summary>
    /// The most atoms the pattern may have once every counted repetition is unfolded (<c>(a{100}){100}</c> has 10,000): half of
    /// what .NET's NonBacktracking engine itself accepts (10,000 nodes), so that this rule, not the engine's count, decides.
    /// </summary>
    public const int MaxExpandedSize = 5_000;

    private const int CacheLimit = 1024;
    private static readonly ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    /// <summary>A partial match of <paramref name="pattern"/> in <paramref name="text"/>, or an error for an invalid pattern.</summary>
    public static object Matches(string text, string pattern)
    {
        var regex = TryCompile(pattern, out var error);
        return regex is null ? new CelError(error!) : CelValues.Bool(regex.IsMatch(text));
    }

    /// <summary>The compiled pattern, or null with the reason (an invalid or unsupported RE2 pattern).</summary>
    public static Regex? TryCompile(string pattern, out string? error)
    {
        error = null;
        if (Cache.TryGetValue(pattern, out var cached)) return cached;
        if (pattern.Length > MaxPatternLength)
        {
            error = $"regular expression too long: {pattern.Length} characters, at most {MaxPatternLength}";
            return null;
        }
        try
        {
            var regex = new Regex(Translate(pattern), RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
            // Bounded: when full, the cache starts over (outcomes do not depend on it, only the time to reach them).
            if (Cache.Count >= CacheLimit) Cache.Clear();
            Cache.TryAdd(pattern, regex);
            return regex;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            error = $"invalid regular expression '{pattern}': {e.Message}";
            return null;
        }
    }

    internal static string Translate(string pattern)
    {
        var multiline = Regex.IsMatch(pattern, @"\(\?[a-zA-Z]*m", RegexOptions.CultureInvariant);
        var sb = new StringBuilder(pattern.Length + 16);
        var inClass = false;
        var size = new ExpandedSize();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (!inClass) size.Read(pattern, i, c);
            if (c == '\\' && i + 1 < pattern.Length)
            {
                var e = pattern[++i];
                sb.Append(e switch
                {
                    'd' => inClass ? "0-9" : "[0-9]",
                    'w' => inClass ? "0-9A-Za-z_" : "[0-9A-Za-z_]",
                    's' => inClass ? @"\t\n\f\r " : @"[\t\n\f\r ]",
                    'D' when !inClass => "[^0-9]",
                    'W' when !inClass => "[^0-9A-Za-z_]",
                    'S' when !inClass => @"[^\t\n\f\r ]",
                    'p' or 'P' when i + 1 < pattern.Length && pattern[i + 1] != '{' => $"\\{e}{{{pattern[++i]}}}",
                    'C' => throw new NotSupportedException(@"\C is not supported"),
                    _ => "\\" + e,
                });
                continue;
            }
            if (inClass)
            {
                if (c == ']') inClass = false;
                sb.Append(c);
                continue;
            }
            switch (c)
            {
                case '[':
                    inClass = true;
                    sb.Append(c);
                    // A ']' right after '[' or '[^' is a literal in RE2.
                    if (i + 1 < pattern.Length && pattern[i + 1] == '^') sb.Append(pattern[++i]);
                    if (i + 1 < pattern.Length && pattern[i + 1] == ']') { sb.Append(@"\]"); i++; }
                    break;
                case '$' when !multiline:
                    sb.Append(@"\z");
                    break;
                case '(' when string.CompareOrdinal(pattern, i, "(?P<", 0, 4) == 0:
                    sb.Append("(?<");
                    i += 3;
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// The size of a pattern with its counted repetitions unfolded, counted as it is read: each atom (a character, an escape,
    /// a class) is 1, a group the size of its contents, and <c>{n,m}</c> makes the item before it count max(n, m) times
    /// (n for <c>{n,}</c>). Throws <see cref="NotSupportedException"/> past <see cref="MaxRepeat"/> or <see cref="MaxExpandedSize"/>.
    /// </summary>
    private sealed class ExpandedSize
    {
        private readonly Stack<(long Size, long Last)> _groups = new();
        private long _size;
        private long _last;
        private int _skipUntil;

        /// <summary>Accounts for the character at <paramref name="i"/>, outside a class; the rest of a repetition's <c>{…}</c> is passed over.</summary>
        public void Read(string pattern, int i, char c)
        {
            if (i < _skipUntil) return;
            switch (c)
            {
                case '(':
                    _groups.Push((_size, _last));
                    _size = 0;
                    _last = 0;
                    return;
                case ')' when _groups.Count > 0:
                    var inner = _size;
                    (_size, _) = _groups.Pop();
                    Add(inner);
                    return;
                case '{' when Repetition().Match(pattern, i) is { Success: true } m:
                    var bound = Math.Max(Bound(m.Groups[1].Value), Bound(m.Groups[2].Value));
                    _skipUntil = m.Index + m.Length;
                    _size += _last * (bound - 1);
                    _last *= bound;
                    Check();
                    // The repetition itself is copied as it is; only its cost is counted here.
                    return;
                case '*' or '+' or '?' or '|' or '^' or '$':
                    return;
                default:
                    Add(1);
                    return;
            }
        }

        private void Add(long size)
        {
            _size += size;
            _last = size;
            Check();
        }

        private void Check()
        {
            if (_size > MaxExpandedSize)
                throw new NotSupportedException($"the pattern unfolds to more than {MaxExpandedSize} atoms once its counted repetitions are expanded");
        }

        private static int Bound(string digits)
        {
            if (digits.Length == 0) return 0;
            if (digits.Length > 4 || int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) > MaxRepeat)
                throw new NotSupportedException($"a counted repetition is at most {MaxRepeat}, as in RE2");
            return int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    [GeneratedRegex(@"\G\{([0-9]+)(?:,([0-9]*))?\}", RegexOptions.CultureInvariant)]
    private static partial Regex Repetition();
}
