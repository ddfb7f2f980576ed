namespace Pact.Core.Passport;

/// <summary>
/// §16's figures in exact integers, so every implementation and auditor gets the same result from the same counts:
/// score = round(10000 × (2·honored + active + 2) / (2·honored + active + 4·failures + 4)) / 100 and
/// confidence = min(100, round(100 × (compacts + failures) / 20)) / 100, each round() half up on the exact rational.
/// </summary>
public static class PassportArithmetic
{
    /// <summary>The compacts + failures that give full confidence.</summary>
    public const int FullConfidenceHistory = 20;

    /// <summary>The score in hundredths: 6774 for 67.74; 5000 with no history.</summary>
    public static long ScoreHundredths(long honored, long active, long failures)
    {
        ThrowIfNegative(honored, active, failures);
        var numerator = (Int128)2 * honored + active + 2;
        var denominator = (Int128)2 * honored + active + 4 * (Int128)failures + 4;
        return RoundHalfUp(10_000 * numerator, denominator);
    }

    /// <summary>The confidence in percent, at most 100: 70 for 0.7; 0 with no history.</summary>
    public static long ConfidencePercent(long compacts, long failures)
    {
        ThrowIfNegative(compacts, failures);
        return (long)Int128.Min(100, RoundHalfUpExact(100 * ((Int128)compacts + failures), FullConfidenceHistory));
    }

    /// <summary>round(numerator / denominator), an exact half rounding up, for a non-negative numerator and positive denominator.</summary>
    public static long RoundHalfUp(Int128 numerator, Int128 denominator) => checked((long)RoundHalfUpExact(numerator, denominator));

    private static Int128 RoundHalfUpExact(Int128 numerator, Int128 denominator)
    {
        if (numerator < 0) throw new ArgumentOutOfRangeException(nameof(numerator), "The numerator is negative.");
        if (denominator <= 0) throw new ArgumentOutOfRangeException(nameof(denominator), "The denominator is not positive.");
        // ⌊n/d + 1/2⌋ = ⌊(2n + d) / 2d⌋
        return (2 * numerator + denominator) / (2 * denominator);
    }

    /// <summary>
    /// The JSON number of a figure kept in hundredths (score) or percent (confidence): the exact quotient by 100.
    /// Dividing two integers in binary floating point gives the double nearest the quotient, whose shortest form
    /// (what JCS and System.Text.Json write) is that decimal: 6774 → 67.74, 5000 → 50, 70 → 0.7.
    /// </summary>
    public static double AsNumber(long hundredths) => hundredths / 100.0;

    private static void ThrowIfNegative(params ReadOnlySpan<long> counts)
    {
        foreach (var count in counts)
            if (count < 0) throw new ArgumentOutOfRangeException(nameof(counts), "A passport count is negative.");
    }
}
