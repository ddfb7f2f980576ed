using Pact.Core.Events;

namespace Pact.Store;

/// <summary>A subscription as stored, without its sealed secret.</summary>
public sealed record SubscriptionRecord(
    string SubscriptionId, string Owner, string Callback, IReadOnlyList<string>? Types, IReadOnlyList<string>? Sessions,
    string? Description, string CreatedAt, long AfterSeq, string Status, string? DisabledReason, string? DisabledAt, int ConsecutiveFailures)
{
    public const string Active = "active";
    public const string Disabled = "disabled";
}

/// <summary>One event's delivery to one subscription, with its retry state.</summary>
public sealed record DeliveryRecord(
    string DeliveryId, string SubscriptionId, long Seq, string Type, string Stream, string Status, int Attempt,
    int? HttpStatus, string? Error, string? At, long? NextAttemptAt, string CreatedAt)
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    /// <summary>The Standard Webhooks message id: the same on every attempt.</summary>
    public string WebhookId => "evt_" + Seq.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>What the dispatcher needs to send to a subscription.</summary>
public sealed record DeliveryTarget(string SubscriptionId, string Callback, string SealedSecret, string Status);

/// <summary>A delivery due for an attempt.</summary>
public sealed record DueDelivery(string DeliveryId, string SubscriptionId, long Seq, int Attempt);

/// <summary>The dispatcher's worklist: first attempts (the lowest pending seq of each subscription), due retries, and when the next one falls due.</summary>
public sealed record DueWork(IReadOnlyList<DueDelivery> FirstAttempts, IReadOnlyList<DueDelivery> Retries, long? NextDueAt);

/// <summary>How an attempt ended, as the dispatcher saw it.</summary>
public sealed record AttemptResult(int? HttpStatus, TimeSpan? RetryAfter, string? Error)
{
    public bool Succeeded => HttpStatus is >= 200 and < 300;
}

/// <summary>A subscription's target and its due first attempts in seq order (see <see cref="IWebhookOutbox.LoadFirstAttemptsAsync"/>).</summary>
public sealed record FirstAttemptPage(DeliveryTarget? Target, IReadOnlyList<DueDelivery> Due);

/// <summary>One attempt to record: which delivery, when it was sent, when it ended (the retry wait counts from there), and how.</summary>
public sealed record AttemptOutcome(string DeliveryId, DateTimeOffset AttemptedAt, DateTimeOffset EndedAt, AttemptResult Result);

/// <summary>What recording an attempt did: the delivery's new state, and the reason when it disabled the subscription.</summary>
public sealed record RecordedAttempt(DeliveryRecord Delivery, string? DisabledReason);

/// <summary>What the outbox projection needs to know of an active subscription to decide whether an event is for it.</summary>
public sealed record ActiveSubscription(string SubscriptionId, string Owner, long AfterSeq, TypeFilter Types, IReadOnlySet<string>? Sessions)
{
    /// <summary>After the subscription's start and through its filters; visibility is checked separately.</summary>
    public bool Wants(TranscriptEvent e) =>
        e.Seq > AfterSeq && Types.Matches(e.Type) && (Sessions is null || Sessions.Contains(e.Stream));

    public static ActiveSubscription From(SubscriptionRecord record) => new(
        record.SubscriptionId, record.Owner, record.AfterSeq,
        TypeFilter.Parse(record.Types is null ? null : string.Join(',', record.Types)),
        record.Sessions is null ? null : new HashSet<string>(record.Sessions, StringComparer.Ordinal));
}

/// <summary>
/// When a failed delivery is tried again: <see cref="NextAttempt"/> (attempts made, now, the receiver's Retry-After)
/// gives the instant, or null for no further attempt; a subscription whose last
/// <see cref="DisableAfterFailedDeliveries"/> deliveries failed is disabled.
/// </summary>
public sealed record RetryPolicy(Func<int, DateTimeOffset, TimeSpan?, DateTimeOffset?> NextAttempt, int DisableAfterFailedDeliveries);
