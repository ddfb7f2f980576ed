using Pact.Daemon.Webhooks;

namespace Pact.Daemon.Tests.Webhooks;

public class RetryScheduleTests
{
    private static readonly DateTimeOffset Now = WebhookTestKit.Start;

    [Fact]
    public void The_default_schedule_is_ten_attempts_with_the_protocol_waits()
    {
        var schedule = RetrySchedule.From(new WebhookOptions { Jitter = 0 });

        schedule.MaxAttempts.Should().Be(10);
        var waits = Enumerable.Range(1, 9).Select(made => schedule.Next(made, Now, null, Random.Shared)!.Value - Now).ToList();
        waits.Should().Equal(
            TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(5),
            TimeSpan.FromHours(10), TimeSpan.FromHours(14), TimeSpan.FromHours(20), TimeSpan.FromHours(24));
        schedule.Next(10, Now, null, Random.Shared).Should().BeNull("the tenth failed attempt is the last");
        schedule.WaitBefore(1).Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void Jitter_stays_within_ten_percent_and_varies()
    {
        var schedule = RetrySchedule.From(new WebhookOptions());
        var random = new Random(7);

        var waits = Enumerable.Range(0, 500).Select(_ => (schedule.Next(2, Now, null, random)!.Value - Now).TotalSeconds).ToList();

        waits.Should().OnlyContain(s => s >= 270 && s <= 330);
        waits.Distinct().Count().Should().BeGreaterThan(100);
        waits.Min().Should().BeLessThan(280);
        waits.Max().Should().BeGreaterThan(320);
    }

    [Fact]
    public void Retry_after_delays_a_retry_but_never_hurries_it_and_is_capped()
    {
        var schedule = RetrySchedule.From(new WebhookOptions { Jitter = 0, MaxRetryAfterSeconds = 3600 });

        (schedule.Next(1, Now, TimeSpan.FromSeconds(120), Random.Shared) - Now).Should().Be(TimeSpan.FromSeconds(120));
        (schedule.Next(2, Now, TimeSpan.FromSeconds(1), Random.Shared) - Now).Should().Be(TimeSpan.FromMinutes(5));
        (schedule.Next(1, Now, TimeSpan.FromDays(10), Random.Shared) - Now).Should().Be(TimeSpan.FromHours(1));
    }

    [Fact]
    public void Retry_after_is_read_as_seconds_or_an_http_date()
    {
        RetrySchedule.ParseRetryAfter("120", Now).Should().Be(TimeSpan.FromSeconds(120));
        RetrySchedule.ParseRetryAfter(Now.AddMinutes(3).ToString("r"), Now).Should().Be(TimeSpan.FromMinutes(3));
        RetrySchedule.ParseRetryAfter("soon", Now).Should().BeNull();
        RetrySchedule.ParseRetryAfter("-5", Now).Should().BeNull();
    }

    [Fact]
    public void A_schedule_is_configurable_and_a_bad_one_fails_at_start()
    {
        RetrySchedule.From(new WebhookOptions { RetrySchedule = "PT0S, PT1M" }).MaxAttempts.Should().Be(2);
        var bad = () => RetrySchedule.From(new WebhookOptions { RetrySchedule = "PT0S,5 minutes" });
        bad.Should().Throw<InvalidOperationException>().WithMessage("*5 minutes*");
        var months = () => RetrySchedule.From(new WebhookOptions { RetrySchedule = "P1M" });
        months.Should().Throw<InvalidOperationException>();
    }
}
