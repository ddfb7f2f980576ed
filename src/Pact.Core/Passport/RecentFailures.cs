using Pact.Core.Time;

namespace Pact.Core.Passport;

/// <summary>
/// §16's <c>recentFailures</c>: the counted failures in the window (asOf − P30D, asOf], newest first (ties: seq
/// descending), at most 10. Timestamps are §0's fixed form, so they compare as ordinal strings.
/// </summary>
public static class RecentFailures
{
    public const int WindowDays = 30;
    public const int Limit = 10;

    /// <summary>The window's exclusive start: <paramref name="asOf"/> less 30 days.</summary>
    public static string WindowStart(string asOf) => Timestamp.ToText(Timestamp.Parse(asOf).AddDays(-WindowDays));

    /// <summary>Whether a failure at <paramref name="at"/> falls in the window ending at <paramref name="asOf"/>.</summary>
    public static bool InWindow(string at, string asOf) =>
        string.CompareOrdinal(at, WindowStart(asOf)) > 0 && string.CompareOrdinal(at, asOf) <= 0;

    /// <summary>The window's failures among <paramref name="counted"/> (those of the prefix), in §16's order and number.</summary>
    public static IReadOnlyList<PassportFailure> Select(IEnumerable<PassportFailure> counted, string asOf)
    {
        var start = WindowStart(asOf);
        return
        [
            .. counted
                .Where(f => string.CompareOrdinal(f.At, start) > 0 && string.CompareOrdinal(f.At, asOf) <= 0)
                .OrderByDescending(f => f.At, StringComparer.Ordinal)
                .ThenByDescending(f => f.Seq)
                .Take(Limit),
        ];
    }
}
