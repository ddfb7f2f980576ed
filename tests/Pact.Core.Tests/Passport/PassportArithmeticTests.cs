using FluentAssertions;
using Pact.Core.Passport;

namespace Pact.Core.Tests.Passport;

/// <summary>§16's formula on hand-worked cases.</summary>
public class PassportArithmeticTests
{
    [Fact]
    public void No_history_is_50_and_0()
    {
        PassportCounts.None.ScoreHundredths.Should().Be(5000);
        PassportCounts.None.ConfidencePercent.Should().Be(0);
    }

    [Fact]
    public void The_contracts_example_is_67_74_and_0_7()
    {
        // (2·9 + 1 + 2) / (2·9 + 1 + 4·2 + 4) = 21/31 = 0.677419… → 6774; (12 + 2) × 100 / 20 = 70.
        var counts = new PassportCounts(12, 9, 1, 1, 1, 2, 3);
        counts.ScoreHundredths.Should().Be(6774);
        counts.ConfidencePercent.Should().Be(70);
    }

    [Fact]
    public void An_exact_half_rounds_up()
    {
        // 10000 × 26/64 = 4062.5 exactly: half up gives 4063 (banker's rounding would give 4062).
        PassportArithmetic.ScoreHundredths(honored: 8, active: 8, failures: 9).Should().Be(4063);
        PassportArithmetic.RoundHalfUp(5, 2).Should().Be(3);
        PassportArithmetic.RoundHalfUp(7, 2).Should().Be(4);
        PassportArithmetic.RoundHalfUp(4999, 10_000).Should().Be(0);
        PassportArithmetic.RoundHalfUp(5000, 10_000).Should().Be(1);
    }

    [Fact]
    public void Just_below_a_half_rounds_down()
    {
        // 10000 × 2/3 = 6666.67 → 6667; 10000 × 1/3 = 3333.33 → 3333.
        PassportArithmetic.RoundHalfUp(20_000, 3).Should().Be(6667);
        PassportArithmetic.RoundHalfUp(10_000, 3).Should().Be(3333);
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(1, 0, 5)]
    [InlineData(19, 0, 95)]
    [InlineData(20, 0, 100)]
    [InlineData(15, 5, 100)]
    [InlineData(1000, 7, 100)]
    public void Confidence_grows_by_5_per_compact_or_failure_up_to_100(long compacts, long failures, long percent) =>
        PassportArithmetic.ConfidencePercent(compacts, failures).Should().Be(percent);

    [Fact]
    public void Failures_weigh_four_times_a_compact_and_no_failure_keeps_the_score_above_50()
    {
        PassportArithmetic.ScoreHundredths(honored: 0, active: 0, failures: 1).Should().Be(2500); // 2/8
        PassportArithmetic.ScoreHundredths(honored: 1, active: 0, failures: 0).Should().Be(6667); // 4/6
        PassportArithmetic.ScoreHundredths(honored: 0, active: 1, failures: 0).Should().Be(6000); // 3/5
    }

    [Fact]
    public void Large_counts_do_not_overflow()
    {
        var big = long.MaxValue / 8;
        PassportArithmetic.ScoreHundredths(big, big, 0).Should().BeInRange(9999, 10_000);
        PassportArithmetic.ConfidencePercent(big, big).Should().Be(100);
    }

    [Fact]
    public void Negative_counts_are_refused()
    {
        var act = () => PassportArithmetic.ScoreHundredths(-1, 0, 0);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData(6774, "67.74")]
    [InlineData(5000, "50")]
    [InlineData(70, "0.7")]
    [InlineData(15, "0.15")]
    [InlineData(5, "0.05")]
    [InlineData(100, "1")]
    [InlineData(0, "0")]
    [InlineData(10_000, "100")]
    [InlineData(4063, "40.63")]
    public void Figures_are_written_as_the_exact_quotient(long hundredths, string json) =>
        Core.Json.Jcs.FormatNumber(PassportArithmetic.AsNumber(hundredths)).Should().Be(json);

    [Fact]
    public void Every_hundredth_from_0_to_100_is_written_as_its_decimal()
    {
        for (var h = 0L; h <= 10_000; h++)
        {
            var expected = (h / 100m).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
            Core.Json.Jcs.FormatNumber(PassportArithmetic.AsNumber(h)).Should().Be(expected);
        }
    }
}
