using System.Globalization;

namespace Pact.Core.Time;

/// <summary>Protocol instants: RFC 3339 in UTC with exactly three fractional digits and 'Z' (§0).</summary>
public static class Timestamp
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static string ToText(DateTimeOffset instant) =>
        Truncate(instant).UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>Parses only the canonical form; "2026-02-30T…" and other non-instants fail.</summary>
    public static bool TryParse(string? text, out DateTimeOffset instant)
    {
        instant = default;
        if (text is null || text.Length != 24) return false;
        if (!DateTime.TryParseExact(text, Format, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var dt)) return false;
        instant = new DateTimeOffset(dt, TimeSpan.Zero);
        return true;
    }

    public static DateTimeOffset Parse(string text) =>
        TryParse(text, out var t) ? t : throw new FormatException($"'{text}' is not a pact/1 timestamp.");

    /// <summary>Drops sub-millisecond precision so an instant equals its own text form.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset instant) =>
        new(instant.UtcTicks - instant.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
}
