using System.Globalization;
using System.Text.RegularExpressions;

namespace Pact.Core.Time;

/// <summary>
/// The ISO 8601 duration subset of §0: P[nY][nM][nW][nD][T[nH][nM][nS]] with non-negative integers.
/// Calendar arithmetic in UTC: months first (clamped to the month's end), then days, then seconds.
/// </summary>
public sealed partial record IsoDuration(int Years, int Months, int Weeks, int Days, int Hours, int Minutes, int Seconds)
{
    // [0-9], not \d, which also matches other scripts' digits; \z, not $, which also matches before a final newline.
    [GeneratedRegex(@"^P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)W)?(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)S)?)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool TryParse(string? text, out IsoDuration duration)
    {
        duration = Zero;
        if (text is null || text.Length > 64) return false;
        var m = Pattern().Match(text);
        if (!m.Success) return false;
        // "P" and "PT" match the pattern with nothing in them; "P1DT" has a dangling T.
        if (text.EndsWith('T')) return false;
        var values = new int[7];
        var any = false;
        for (var i = 0; i < 7; i++)
        {
            var g = m.Groups[i + 1];
            if (!g.Success) continue;
            if (!int.TryParse(g.Value, NumberStyles.None, CultureInfo.InvariantCulture, out values[i]) || values[i] > 1_000_000) return false;
            any = true;
        }
        if (!any) return false;
        duration = new IsoDuration(values[0], values[1], values[2], values[3], values[4], values[5], values[6]);
        return true;
    }

    public static IsoDuration Parse(string text) =>
        TryParse(text, out var d) ? d : throw new FormatException($"'{text}' is not a pact/1 duration.");

    public static bool IsValid(string? text) => TryParse(text, out _);

    public static IsoDuration Zero { get; } = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>Adds the duration to an instant: Y×12+M months (day clamped), then W×7+D days, then H:M:S.</summary>
    public DateTimeOffset AddTo(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        // DateTimeOffset.AddMonths clamps the day to the target month's length.
        var result = utc.AddMonths(Years * 12 + Months)
            .AddDays(Weeks * 7 + Days)
            .AddSeconds(Hours * 3600L + Minutes * 60L + Seconds);
        return result;
    }

    /// <summary>
    /// <see cref="AddTo"/> for a deadline a signed compact's terms set (a notice period, an acknowledgment timeout, a
    /// retention period): one that would fall after year 9999 falls at the last instant there is instead, which is as
    /// good as never and is recorded like any other time — so the same terms give the same instant live, in verify and
    /// offline, and a request under them never fails on the calendar.
    /// </summary>
    public DateTimeOffset AddToOrEndOfTime(DateTimeOffset instant) => TryAddTo(instant, out var result) ? result : EndOfTime;

    /// <summary>The last instant a timestamp can name (§4.2), at the millisecond precision timestamps keep.</summary>
    public static readonly DateTimeOffset EndOfTime = Timestamp.Truncate(DateTimeOffset.MaxValue);

    /// <summary>
    /// <see cref="AddTo"/> for durations from untrusted input: false instead of an exception when the
    /// result would fall after year 9999 (a valid duration can reach a million years).
    /// </summary>
    public bool TryAddTo(DateTimeOffset instant, out DateTimeOffset result)
    {
        result = default;
        // Anything over 9999 years of months cannot fit; checked first so AddMonths is never asked.
        if (Years * 12L + Months > 12L * 9999) return false;
        try
        {
            result = AddTo(instant);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>A length in seconds for comparing durations (tier limits): a year counts 366 days, a month 31.</summary>
    public long ComparableSeconds =>
        ((Years * 366L + Months * 31L + Weeks * 7L + Days) * 86400L) + Hours * 3600L + Minutes * 60L + Seconds;

    public override string ToString()
    {
        var s = "P";
        if (Years > 0) s += $"{Years}Y";
        if (Months > 0) s += $"{Months}M";
        if (Weeks > 0) s += $"{Weeks}W";
        if (Days > 0) s += $"{Days}D";
        if (Hours > 0 || Minutes > 0 || Seconds > 0)
        {
            s += "T";
            if (Hours > 0) s += $"{Hours}H";
            if (Minutes > 0) s += $"{Minutes}M";
            if (Seconds > 0) s += $"{Seconds}S";
        }
        return s == "P" ? "PT0S" : s;
    }
}
