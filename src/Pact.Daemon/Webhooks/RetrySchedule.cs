using System.Globalization;
using Pact.Core.Time;

namespace Pact.Daemon.Webhooks;

/// <summary>
/// When a delivery is tried again: the configured waits (§10: 0 s, 5 s, 5 min, … 24 h) with jitter, never
/// earlier than a receiver's Retry-After on 429/503.
/// </summary>
public sealed class RetrySchedule
{
    private readonly TimeSpan[] _waits;
    private readonly double _jitter;
    private readonly TimeSpan _maxRetryAfter;

    public RetrySchedule(IReadOnlyList<TimeSpan> waits, double jitter, TimeSpan maxRetryAfter)
    {
        if (waits.Count == 0) throw new ArgumentException("The retry schedule needs at least one attempt.", nameof(waits));
        if (jitter is < 0 or >= 1 || double.IsNaN(jitter)) throw new ArgumentOutOfRangeException(nameof(jitter), "Jitter must be in [0, 1).");
        _waits = [.. waits];
        _jitter = jitter;
        _maxRetryAfter = maxRetryAfter;
    }

    public static RetrySchedule From(WebhookOptions options)
    {
        var (waits, error) = ParseWaits(options.RetrySchedule);
        if (error is not null) throw new InvalidOperationException(error.Replace("{0}", WebhookOptions.Section + ":" + nameof(WebhookOptions.RetrySchedule), StringComparison.Ordinal));
        return new RetrySchedule(waits, options.Jitter, TimeSpan.FromSeconds(Math.Max(0, options.MaxRetryAfterSeconds)));
    }

    /// <summary>The waits of a comma-separated schedule of ISO 8601 durations, or why it is not one (<c>{0}</c> stands for the setting).</summary>
    public static (List<TimeSpan> Waits, string? Error) ParseWaits(string? schedule)
    {
        var waits = new List<TimeSpan>();
        foreach (var item in (schedule ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!IsoDuration.TryParse(item, out var duration) || duration.Years != 0 || duration.Months != 0)
                return (waits, $"{{0}} entry '{item}' is not an ISO 8601 duration of weeks, days, hours, minutes and seconds.");
            waits.Add(TimeSpan.FromSeconds(duration.ComparableSeconds));
        }
        return waits.Count == 0 ? (waits, "{0} needs at least one attempt, e.g. PT0S,PT5S,PT5M.") : (waits, null);
    }

    /// <summary>How many attempts a delivery gets.</summary>
    public int MaxAttempts => _waits.Length;

    /// <summary>The unjittered wait before attempt <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan WaitBefore(int attempt) => _waits[Math.Clamp(attempt, 1, _waits.Length) - 1];

    /// <summary>
    /// When to try again after <paramref name="attemptsMade"/> failed attempts, or null when none is left.
    /// A Retry-After longer than the scheduled wait replaces it (capped), a shorter one does not hurry it.
    /// </summary>
    public DateTimeOffset? Next(int attemptsMade, DateTimeOffset now, TimeSpan? retryAfter, Random random)
    {
        if (attemptsMade >= _waits.Length) return null;
        var wait = _waits[attemptsMade];
        if (_jitter > 0 && wait > TimeSpan.Zero)
            wait = TimeSpan.FromMilliseconds(wait.TotalMilliseconds * (1 + ((random.NextDouble() * 2) - 1) * _jitter));
        if (retryAfter is { } asked)
        {
            if (asked > _maxRetryAfter) asked = _maxRetryAfter;
            if (asked > wait) wait = asked;
        }
        return now + wait;
    }

    /// <summary>Reads Retry-After as delta-seconds or an HTTP date; null when absent or unreadable.</summary>
    public static TimeSpan? ParseRetryAfter(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        value = value.Trim();
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return TimeSpan.FromSeconds(Math.Min(seconds, (long)TimeSpan.MaxValue.TotalSeconds / 2));
        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            return date > now ? date - now : TimeSpan.Zero;
        return null;
    }
}
