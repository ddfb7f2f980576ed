using System.Collections.Immutable;

namespace Pact.Store;

/// <summary>
/// Webhook subscriptions and the transactional outbox of §10: the store's projection queues a delivery row in the
/// same transaction as each event an active subscription wants, so a crash can neither lose one nor invent one;
/// the dispatcher works from those rows and records each attempt here.
/// </summary>
public interface IWebhookOutbox
{
    /// <summary>The active subscriptions as the outbox projection sees them (kept in memory; the database stays the truth).</summary>
    ImmutableDictionary<string, ActiveSubscription> ActiveSubscriptions { get; }

    Task<SubscriptionRecord?> GetAsync(string subscriptionId, CancellationToken ct);

    /// <summary>Subscriptions in id order after a cursor; only the owner's unless owner is null (the operator).</summary>
    Task<IReadOnlyList<SubscriptionRecord>> ListAsync(string? owner, string? after, int limit, CancellationToken ct);

    /// <summary>Removes a subscription and its outbox rows; false when it did not exist. No delivery is queued for it once this returns.</summary>
    Task<bool> DeleteAsync(string subscriptionId, CancellationToken ct);

    Task<DeliveryTarget?> GetTargetAsync(string subscriptionId, CancellationToken ct);

    /// <summary>A subscription's deliveries in seq order after a cursor, optionally of one status.</summary>
    Task<IReadOnlyList<DeliveryRecord>> ListDeliveriesAsync(string subscriptionId, long after, string? status, int limit, CancellationToken ct);

    Task<DeliveryRecord?> GetDeliveryAsync(string subscriptionId, string deliveryId, CancellationToken ct);

    /// <summary>What is due at <paramref name="nowMs"/> for active subscriptions, and the next instant something falls due after it.</summary>
    Task<DueWork> LoadDueAsync(long nowMs, int limit, CancellationToken ct);

    /// <summary>
    /// A subscription's next never-attempted deliveries after <paramref name="afterSeq"/>, in seq order, up to the first
    /// one not yet due, with the subscription's target, read in one snapshot. Null target: it is gone.
    /// </summary>
    Task<FirstAttemptPage> LoadFirstAttemptsAsync(string subscriptionId, long afterSeq, long nowMs, int limit, CancellationToken ct);

    /// <summary>
    /// Records an attempt's outcome in one transaction: the delivery's new status and next attempt, the subscription's
    /// run of failed deliveries, and disabling it on 410 or too many failures in a row. Null when the delivery is gone.
    /// </summary>
    Task<RecordedAttempt?> RecordAsync(AttemptOutcome outcome, RetryPolicy policy, CancellationToken ct);

    /// <summary>Records several outcomes, in order, in one transaction, each exactly as <see cref="RecordAsync"/> would.</summary>
    Task<IReadOnlyList<RecordedAttempt?>> RecordManyAsync(IReadOnlyList<AttemptOutcome> outcomes, RetryPolicy policy, CancellationToken ct);
}
