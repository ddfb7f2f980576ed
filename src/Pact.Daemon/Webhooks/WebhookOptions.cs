using System.ComponentModel.DataAnnotations;

namespace Pact.Daemon.Webhooks;

/// <summary>Settings of webhook delivery, bound from "Pact:Webhooks" (§10).</summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string Section = "Pact:Webhooks";

    private const string Positive = "{0} must be at least {1}.";

    /// <summary>
    /// Whether callbacks may reach loopback addresses (127.0.0.0/8, ::1). Unset: allowed exactly while the
    /// daemon itself listens only on loopback, i.e. while everything involved is on this machine.
    /// </summary>
    public bool? AllowLoopback { get; set; }

    /// <summary>Whether callbacks may reach private addresses (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, …).</summary>
    public bool AllowPrivate { get; set; }

    /// <summary>Seconds an attempt may take, connection included, before it counts as failed (§10: 15).</summary>
    [Range(1, int.MaxValue, ErrorMessage = Positive)]
    public int TimeoutSeconds { get; set; } = 15;

    /// <summary>
    /// Comma-separated ISO 8601 durations: the wait before each attempt, the first counted from the event.
    /// Its length is the number of attempts a delivery gets.
    /// </summary>
    public string RetrySchedule { get; set; } = "PT0S,PT5S,PT5M,PT30M,PT2H,PT5H,PT10H,PT14H,PT20H,PT24H";

    /// <summary>Relative jitter applied to each wait (0.1 = ±10 %); 0 makes the schedule exact.</summary>
    [Range(0.0, 1.0, MaximumIsExclusive = true, ErrorMessage = "{0} must be from 0 up to (not including) 1.")]
    public double Jitter { get; set; } = 0.1;

    /// <summary>A subscription whose deliveries fail this many times in a row (each after every attempt) is disabled.</summary>
    [Range(1, int.MaxValue, ErrorMessage = Positive)]
    public int DisableAfterFailedDeliveries { get; set; } = 10;

    /// <summary>Attempts in flight at once, over all subscriptions.</summary>
    [Range(1, int.MaxValue, ErrorMessage = Positive)]
    public int MaxConcurrentDeliveries { get; set; } = 16;

    /// <summary>Longest Retry-After (seconds) a receiver may impose; a longer one is cut to this.</summary>
    [Range(0, int.MaxValue, ErrorMessage = "{0} must be at least {1}.")]
    public int MaxRetryAfterSeconds { get; set; } = 24 * 3600;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Webhooks.RetrySchedule.ParseWaits(RetrySchedule) is { Error: { } error })
            yield return new ValidationResult(error, [nameof(RetrySchedule)]);
    }
}
