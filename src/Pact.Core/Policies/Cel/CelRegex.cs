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
public static class CelRegex
{
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
        try
        {
            var regex = new Regex(Translate(pattern), RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
            if (Cache.Count < CacheLimit) Cache.TryAdd(pattern, regex);
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
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
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
}
