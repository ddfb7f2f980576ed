using System.Text.Json.Serialization;

namespace Pact.Core.Contracts.Responses;

/// <summary>A webhook subscription as the daemon shows it (§10), never with its secret.</summary>
/// <param name="Owner">The did:key of the agent that created it.</param>
/// <param name="Callback">The URL deliveries are POSTed to.</param>
/// <param name="Description">The owner's note, or null.</param>
/// <param name="AfterSeq">The size of the log at creation: only events with a greater seq are delivered.</param>
/// <param name="Status">"active" or "disabled".</param>
/// <param name="DisabledReason">"gone" (the receiver answered 410) or "failing", when disabled.</param>
/// <param name="ConsecutiveFailures">Deliveries in a row that ended failed.</param>
public sealed record Subscription(
    string SubscriptionId,
    string Owner,
    string Callback,
    SubscriptionFilter Filter,
    string? Description,
    DateTimeOffset CreatedAt,
    long AfterSeq,
    string Status,
    string? DisabledReason,
    DateTimeOffset? DisabledAt,
    int ConsecutiveFailures);

/// <summary>Which events a subscription receives: exact types or "prefix.*", and session ids; a null member matches everything.</summary>
public sealed record SubscriptionFilter(IReadOnlyList<string>? Types, IReadOnlyList<string>? Sessions);

/// <summary>
/// 201 of <c>subscription.create</c>: the subscription with its signing secret right after its id — the only answer
/// that ever shows the secret ("whsec_" + base64 of the HMAC key; give it to a webhook verifier).
/// </summary>
public sealed record SubscriptionCreated(
    string SubscriptionId,
    string Secret,
    string Owner,
    string Callback,
    SubscriptionFilter Filter,
    string? Description,
    DateTimeOffset CreatedAt,
    long AfterSeq,
    string Status,
    string? DisabledReason,
    DateTimeOffset? DisabledAt,
    int ConsecutiveFailures)
{
    public static SubscriptionCreated Of(Subscription s, string secret) => new(
        s.SubscriptionId, secret, s.Owner, s.Callback, s.Filter, s.Description, s.CreatedAt, s.AfterSeq, s.Status, s.DisabledReason, s.DisabledAt, s.ConsecutiveFailures);

    /// <summary>The subscription without its secret.</summary>
    [JsonIgnore]
    public Subscription Subscription => new(SubscriptionId, Owner, Callback, Filter, Description, CreatedAt, AfterSeq, Status, DisabledReason, DisabledAt, ConsecutiveFailures);

    /// <summary>The secret is left out, so that logging the record does not leak it.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Subscription = ").Append(Subscription).Append(", Secret = (hidden)");
        return true;
    }
}

/// <summary>A page of <c>GET /v1/subscriptions</c>; <paramref name="Next"/> is the <c>after</c> of the next page, null at the end.</summary>
public sealed record SubscriptionPage(IReadOnlyList<Subscription> Subscriptions, string? Next);

/// <summary>One event's delivery to a subscription (§10).</summary>
/// <param name="WebhookId">The <c>webhook-id</c> header: "evt_" + seq, the same on every attempt.</param>
/// <param name="Seq">The event's global seq.</param>
/// <param name="Stream">The event's stream (session id).</param>
/// <param name="Attempt">Attempts made so far.</param>
/// <param name="Status">"pending", "succeeded" or "failed".</param>
/// <param name="HttpStatus">The last attempt's HTTP status, or null (none yet, or no answer).</param>
/// <param name="Error">Why the last attempt failed, or null.</param>
/// <param name="At">When the last attempt started, or null.</param>
/// <param name="NextAttemptAt">When the next attempt is due, or null when none is scheduled.</param>
/// <param name="CreatedAt">When the delivery was queued.</param>
public sealed record WebhookDelivery(
    string DeliveryId,
    string SubscriptionId,
    string WebhookId,
    long Seq,
    string Type,
    string Stream,
    int Attempt,
    string Status,
    int? HttpStatus,
    string? Error,
    DateTimeOffset? At,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset CreatedAt);

/// <summary>A page of a subscription's deliveries in seq order; <paramref name="Next"/> (a seq) is the <c>after</c> of the next page, null at the end.</summary>
public sealed record DeliveryPage(IReadOnlyList<WebhookDelivery> Deliveries, long? Next);
