using FluentAssertions;
using Pact.Core.Time;

namespace Pact.Core.Tests.Primitives;

/// <summary>Protocol instants (§0): RFC 3339, UTC, exactly three fractional digits, 'Z'.</summary>
public class TimestampTests
{
    [Fact]
    public void Writes_utc_with_three_fractional_digits_and_z()
    {
        var instant = new DateTimeOffset(2026, 11, 21, 22, 33, 31, 123, TimeSpan.Zero).AddTicks(4567);
        Timestamp.ToText(instant).Should().Be("2026-11-21T22:33:31.123Z");
        Timestamp.ToText(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)).Should().Be("2026-01-02T03:04:05.000Z");
    }

    [Fact]
    public void Converts_other_offsets_to_utc()
    {
        var local = new DateTimeOffset(2026, 1, 1, 1, 30, 0, 250, TimeSpan.FromHours(2));
        Timestamp.ToText(local).Should().Be("2025-12-31T23:30:00.250Z");
    }

    [Theory]
    [InlineData("2026-11-21T22:33:31.123Z")]
    [InlineData("2024-02-29T00:00:00.000Z")]
    [InlineData("0001-01-01T00:00:00.000Z")]
    [InlineData("9999-12-31T23:59:59.999Z")]
    public void Canonical_text_parses_and_round_trips(string text)
    {
        Timestamp.TryParse(text, out var instant).Should().BeTrue();
        instant.Offset.Should().Be(TimeSpan.Zero);
        Timestamp.ToText(instant).Should().Be(text);
    }

    [Theory]
    [InlineData("2026-11-21T22:33:31Z", "no fraction")]
    [InlineData("2026-11-21T22:33:31.12Z", "two fractional digits")]
    [InlineData("2026-11-21T22:33:31.1234Z", "four fractional digits")]
    [InlineData("2026-11-21T22:33:31.123+00:00", "numeric offset")]
    [InlineData("2026-11-21T22:33:31.123-00:00", "unknown-offset form")]
    [InlineData("2026-11-21T23:33:31.123+01:00", "non-UTC offset")]
    [InlineData("2026-11-21T22:33:31.123z", "lowercase z")]
    [InlineData("2026-11-21t22:33:31.123Z", "lowercase t")]
    [InlineData("2026-11-21 22:33:31.123Z", "space separator")]
    [InlineData("2026-11-21T22:33:31,123Z", "comma decimal separator")]
    [InlineData("2026-11-21T22:33:31.123", "no zone")]
    [InlineData("2026-02-30T00:00:00.000Z", "February 30th")]
    [InlineData("2025-02-29T00:00:00.000Z", "February 29th in a common year")]
    [InlineData("2026-04-31T00:00:00.000Z", "April 31st")]
    [InlineData("2026-13-01T00:00:00.000Z", "month 13")]
    [InlineData("2026-00-01T00:00:00.000Z", "month 0")]
    [InlineData("2026-01-00T00:00:00.000Z", "day 0")]
    [InlineData("2026-01-01T24:00:00.000Z", "hour 24")]
    [InlineData("2026-01-01T23:60:00.000Z", "minute 60")]
    [InlineData("2026-12-31T23:59:60.000Z", "leap second")]
    [InlineData("0000-01-01T00:00:00.000Z", "year 0")]
    [InlineData("20261-01-01T00:00:00.000Z", "five-digit year")]
    [InlineData("2026-1-01T00:00:00.000Z", "one-digit month")]
    [InlineData(" 2026-11-21T22:33:31.123Z", "leading space")]
    [InlineData("2026-11-21T22:33:31.123Z ", "trailing space")]
    [InlineData("\uff12\uff10\uff12\uff16-11-21T22:33:31.123Z", "full-width digits")]
    [InlineData("\u0662\u0660\u0662\u0666-11-21T22:33:31.123Z", "Arabic-Indic digits")]
    [InlineData("2026-11-21T22:33:31.1\u0662\u0663Z", "Arabic-Indic fractional digits")]
    [InlineData("2026-11-21", "date only")]
    [InlineData("", "empty")]
    public void Anything_else_is_refused(string text, string why)
    {
        Timestamp.TryParse(text, out _).Should().BeFalse(why);
        ((Action)(() => Timestamp.Parse(text))).Should().Throw<FormatException>();
    }

    [Fact]
    public void Null_is_refused()
    {
        Timestamp.TryParse(null, out _).Should().BeFalse();
    }

    [Fact]
    public void Truncate_drops_sub_millisecond_ticks_so_an_instant_equals_its_text()
    {
        var instant = new DateTimeOffset(2026, 11, 21, 22, 33, 31, 123, TimeSpan.FromHours(-5)).AddTicks(9999);
        var truncated = Timestamp.Truncate(instant);
        truncated.Offset.Should().Be(TimeSpan.Zero);
        truncated.UtcTicks.Should().Be(instant.UtcTicks - 9999);
        Timestamp.Parse(Timestamp.ToText(instant)).Should().Be(truncated);
    }
}
