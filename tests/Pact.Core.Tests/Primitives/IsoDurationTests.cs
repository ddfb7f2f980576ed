using FluentAssertions;
using Pact.Core.Time;

namespace Pact.Core.Tests.Primitives;

/// <summary>The §0 duration subset, its calendar arithmetic in UTC, and its comparison lengths.</summary>
public class IsoDurationTests
{
    private static DateTimeOffset Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) => new(y, mo, d, h, mi, s, TimeSpan.Zero);

    [Theory]
    [InlineData("P1Y", 1, 0, 0, 0, 0, 0, 0)]
    [InlineData("P1M", 0, 1, 0, 0, 0, 0, 0)]
    [InlineData("P2W", 0, 0, 2, 0, 0, 0, 0)]
    [InlineData("P3D", 0, 0, 0, 3, 0, 0, 0)]
    [InlineData("PT4H", 0, 0, 0, 0, 4, 0, 0)]
    [InlineData("PT5M", 0, 0, 0, 0, 0, 5, 0)]
    [InlineData("PT6S", 0, 0, 0, 0, 0, 0, 6)]
    [InlineData("P1Y2M3W4DT5H6M7S", 1, 2, 3, 4, 5, 6, 7)]
    [InlineData("P1MT1M", 0, 1, 0, 0, 0, 1, 0)]
    [InlineData("P0D", 0, 0, 0, 0, 0, 0, 0)]
    [InlineData("PT0S", 0, 0, 0, 0, 0, 0, 0)]
    [InlineData("P1000000Y", 1_000_000, 0, 0, 0, 0, 0, 0)]
    public void Valid_durations_parse_into_their_components(string text, int y, int mo, int w, int d, int h, int mi, int s)
    {
        IsoDuration.TryParse(text, out var duration).Should().BeTrue();
        duration.Should().Be(new IsoDuration(y, mo, w, d, h, mi, s));
        IsoDuration.IsValid(text).Should().BeTrue();
    }

    [Theory]
    [InlineData("P", "no component")]
    [InlineData("PT", "no component after T")]
    [InlineData("P1DT", "dangling T")]
    [InlineData("P1YT", "dangling T")]
    [InlineData("-P1D", "negative duration")]
    [InlineData("P-1D", "negative component")]
    [InlineData("P+1D", "signed component")]
    [InlineData("PT1.5S", "fractional seconds")]
    [InlineData("P0.5D", "fractional days")]
    [InlineData("PT1,5H", "comma fraction")]
    [InlineData("p1d", "lowercase")]
    [InlineData("P1d", "lowercase designator")]
    [InlineData("P1D1Y", "components out of order")]
    [InlineData("PT1S1M", "time components out of order")]
    [InlineData("P1H", "hours without T")]
    [InlineData("P1S", "seconds without T")]
    [InlineData("PT1D", "days after T")]
    [InlineData("PT1W", "weeks after T")]
    [InlineData("P1Y1Y", "repeated component")]
    [InlineData("P1D ", "trailing space")]
    [InlineData(" P1D", "leading space")]
    [InlineData("P1D\n", "final newline")]
    [InlineData("1D", "no P")]
    [InlineData("P\u0661D", "Arabic-Indic digit")]
    [InlineData("P\uff11D", "full-width digit")]
    [InlineData("P1000001D", "component above the cap")]
    [InlineData("P99999999999D", "component beyond 32 bits")]
    [InlineData("P2026-01-01", "alternative format")]
    [InlineData("R5/P1D", "repetition")]
    [InlineData("", "empty")]
    public void Invalid_durations_are_refused(string text, string why)
    {
        IsoDuration.TryParse(text, out _).Should().BeFalse(why);
        IsoDuration.IsValid(text).Should().BeFalse(why);
        ((Action)(() => IsoDuration.Parse(text))).Should().Throw<FormatException>();
    }

    [Fact]
    public void Null_is_refused()
    {
        IsoDuration.IsValid(null).Should().BeFalse();
    }

    [Fact]
    public void A_month_after_january_31_is_the_end_of_february()
    {
        IsoDuration.Parse("P1M").AddTo(Utc(2026, 1, 31)).Should().Be(Utc(2026, 2, 28));
        IsoDuration.Parse("P1M").AddTo(Utc(2024, 1, 31)).Should().Be(Utc(2024, 2, 29));
        IsoDuration.Parse("P1M").AddTo(Utc(2026, 3, 31)).Should().Be(Utc(2026, 4, 30));
    }

    [Fact]
    public void A_year_after_a_leap_day_is_february_28()
    {
        IsoDuration.Parse("P1Y").AddTo(Utc(2024, 2, 29)).Should().Be(Utc(2025, 2, 28));
        IsoDuration.Parse("P4Y").AddTo(Utc(2024, 2, 29)).Should().Be(Utc(2028, 2, 29));
        IsoDuration.Parse("P1Y1M").AddTo(Utc(2025, 1, 31)).Should().Be(Utc(2026, 2, 28));
    }

    [Fact]
    public void Months_are_added_before_days()
    {
        // Months first: Jan 30 → Feb 28 → Mar 1. Days first would give Jan 31 → Feb 28.
        IsoDuration.Parse("P1M1D").AddTo(Utc(2026, 1, 30)).Should().Be(Utc(2026, 3, 1));
    }

    [Fact]
    public void Months_are_added_before_seconds()
    {
        // Months first: Jan 30 23:00 → Feb 28 23:00 → Mar 1 00:00. Hours first would give Jan 31 00:00 → Feb 28 00:00.
        IsoDuration.Parse("P1MT1H").AddTo(Utc(2026, 1, 30, 23)).Should().Be(Utc(2026, 3, 1));
    }

    [Fact]
    public void Weeks_days_and_time_add_as_fixed_lengths()
    {
        IsoDuration.Parse("P1W").AddTo(Utc(2026, 2, 25)).Should().Be(Utc(2026, 3, 4));
        IsoDuration.Parse("PT36H").AddTo(Utc(2026, 2, 28)).Should().Be(Utc(2026, 3, 1, 12));
        IsoDuration.Parse("P1DT1H1M1S").AddTo(Utc(2026, 12, 31, 22, 58, 59)).Should().Be(Utc(2027, 1, 2));
        IsoDuration.Parse("PT90061S").AddTo(Utc(2026, 1, 1)).Should().Be(Utc(2026, 1, 2, 1, 1, 1));
    }

    [Fact]
    public void Arithmetic_happens_in_utc_whatever_the_offset_of_the_input()
    {
        // 01:00+02:00 on Jan 31 is Jan 30 23:00 UTC; a month later in UTC is Feb 28 23:00 UTC.
        var local = new DateTimeOffset(2026, 1, 31, 1, 0, 0, TimeSpan.FromHours(2));
        var result = IsoDuration.Parse("P1M").AddTo(local);
        result.Should().Be(Utc(2026, 2, 28, 23));
        result.Offset.Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void Adding_beyond_year_9999_is_reported_not_thrown_by_TryAddTo()
    {
        var huge = IsoDuration.Parse("P1000000Y");
        huge.TryAddTo(Utc(2026, 1, 1), out _).Should().BeFalse();
        ((Action)(() => huge.AddTo(Utc(2026, 1, 1)))).Should().Throw<ArgumentOutOfRangeException>();
        IsoDuration.Parse("P1Y").TryAddTo(Utc(2026, 1, 31), out var ok).Should().BeTrue();
        ok.Should().Be(Utc(2027, 1, 31));
        IsoDuration.Parse("PT1S").TryAddTo(new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero), out _).Should().BeFalse();
    }

    [Fact]
    public void A_deadline_the_terms_set_past_year_9999_falls_at_the_last_instant_a_timestamp_can_name()
    {
        IsoDuration.Parse("P8000Y").AddToOrEndOfTime(Utc(2026, 1, 1)).Should().Be(IsoDuration.EndOfTime);
        Timestamp.ToText(IsoDuration.EndOfTime).Should().Be("9999-12-31T23:59:59.999Z");
        IsoDuration.Parse("P1Y").AddToOrEndOfTime(Utc(2026, 1, 31)).Should().Be(Utc(2027, 1, 31));
    }

    [Theory]
    [InlineData("P1Y", 366L * 86400)]
    [InlineData("P1M", 31L * 86400)]
    [InlineData("P1W", 7L * 86400)]
    [InlineData("P1D", 86400L)]
    [InlineData("PT1H", 3600L)]
    [InlineData("PT1M", 60L)]
    [InlineData("PT1S", 1L)]
    [InlineData("P1Y1M1W1DT1H1M1S", (366L + 31 + 7 + 1) * 86400 + 3661)]
    [InlineData("P1000000Y", 1_000_000L * 366 * 86400)]
    public void Comparable_seconds_count_a_year_as_366_days_and_a_month_as_31(string text, long seconds)
    {
        IsoDuration.Parse(text).ComparableSeconds.Should().Be(seconds);
    }

    [Fact]
    public void Comparison_lengths_order_durations_generously()
    {
        // Counting the longest possible month and year makes "P12M" compare longer than "P1Y" and "P30D" shorter than "P1M".
        IsoDuration.Parse("P12M").ComparableSeconds.Should().BeGreaterThan(IsoDuration.Parse("P1Y").ComparableSeconds);
        IsoDuration.Parse("P30D").ComparableSeconds.Should().BeLessThan(IsoDuration.Parse("P1M").ComparableSeconds);
        IsoDuration.Parse("P31D").ComparableSeconds.Should().Be(IsoDuration.Parse("P1M").ComparableSeconds);
    }

    [Theory]
    [InlineData("P1Y2M3W4DT5H6M7S")]
    [InlineData("PT5M")]
    [InlineData("P1D")]
    [InlineData("PT0S")]
    public void Canonical_text_round_trips(string text)
    {
        IsoDuration.Parse(text).ToString().Should().Be(text);
    }
}
