using FluentAssertions;
using Pact.Core.Passport;

namespace Pact.Core.Tests.Passport;

/// <summary>recentFailures: the window (asOf − P30D, asOf], newest first with ties by seq descending, at most 10.</summary>
public class RecentFailuresTests
{
    private const string AsOf = "2026-12-31T12:00:00.000Z";

    private static PassportFailure At(string at, long seq) => new("PACT-502", at, seq, ["event:e", "compact:c"]);

    [Fact]
    public void The_window_excludes_its_start_and_includes_its_end()
    {
        RecentFailures.WindowStart(AsOf).Should().Be("2026-12-01T12:00:00.000Z");
        var selected = RecentFailures.Select(
            [At("2026-12-01T12:00:00.000Z", 1), At("2026-12-01T12:00:00.001Z", 2), At(AsOf, 3), At("2026-12-31T12:00:00.001Z", 4)], AsOf);

        selected.Select(f => f.Seq).Should().Equal(3, 2);
        RecentFailures.InWindow("2026-12-01T12:00:00.000Z", AsOf).Should().BeFalse();
        RecentFailures.InWindow(AsOf, AsOf).Should().BeTrue();
    }

    [Fact]
    public void Newest_first_and_ties_by_seq_descending()
    {
        var selected = RecentFailures.Select(
            [At("2026-12-10T00:00:00.000Z", 5), At("2026-12-20T00:00:00.000Z", 6), At("2026-12-10T00:00:00.000Z", 9), At("2026-12-15T00:00:00.000Z", 7)], AsOf);

        selected.Select(f => f.Seq).Should().Equal(6, 7, 9, 5);
    }

    [Fact]
    public void At_most_ten()
    {
        var failures = Enumerable.Range(1, 15).Select(i => At($"2026-12-{i + 10:00}T00:00:00.000Z", i));

        RecentFailures.Select(failures, AsOf).Select(f => f.Seq).Should().Equal(15, 14, 13, 12, 11, 10, 9, 8, 7, 6);
    }

    [Fact]
    public void The_window_crosses_a_leap_day_by_exactly_30_days()
    {
        RecentFailures.WindowStart("2028-03-15T00:00:00.000Z").Should().Be("2028-02-14T00:00:00.000Z");
    }
}
