using Pact.Core.Contracts;
using Pact.Core.Contracts.Responses;

namespace Pact.Client;

public sealed partial class PactClient
{
    // ---------------------------------------------------------------- webhook subscriptions (§10)

    /// <summary>
    /// <c>POST /v1/subscriptions</c> (signed <c>subscription.create</c>): asks the daemon to POST each future event of
    /// this agent's sessions to <paramref name="callback"/>. The answer carries the signing secret, which no later
    /// read shows again: keep it (a <see cref="WebhookVerifier"/> needs it).
    /// </summary>
    /// <param name="callback">The absolute http(s) URL the daemon calls.</param>
    /// <param name="types">Event types to deliver (exact, or <c>prefix.*</c>); every type when null. An empty list is refused by the daemon.</param>
    /// <param name="sessions">Session ids to deliver; every session of the agent when null.</param>
    /// <param name="description">A note for the owner, or null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="PactApiException">The daemon refused the subscription (e.g. PACT-101 for a callback the address policy refuses).</exception>
    public async Task<SubscriptionCreated> CreateSubscriptionAsync(
        string callback,
        IEnumerable<string>? types = null,
        IEnumerable<string>? sessions = null,
        string? description = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var filter = types is null && sessions is null ? null : new SubscriptionFilterPayload(types?.ToList(), sessions?.ToList());
        var payload = new SubscriptionCreatePayload(callback, filter, description);
        var created = Read<SubscriptionCreated>(await SendSignedAsync("v1/subscriptions", payload, cancellationToken).ConfigureAwait(false));
        return created.Secret is null ? throw new InvalidDataException("The subscription answer carries no 'secret'.") : created;
    }

    /// <summary><c>GET /v1/subscriptions</c>: one page of this agent's subscriptions (every one for the admin token), in id order.</summary>
    /// <param name="after">The cursor of the previous page (<see cref="SubscriptionPage.Next"/>).</param>
    /// <param name="limit">The page size.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<SubscriptionPage> ListSubscriptionsAsync(string? after = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var path = WithQuery("v1/subscriptions", ("after", after), ("limit", limit is null ? null : Num(limit.Value)));
        return Read<SubscriptionPage>(await GetAsync(path, Access.Reader, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>GET /v1/subscriptions/{subscriptionId}</c>: one subscription of this agent (any for the admin token), never with its secret.</summary>
    /// <param name="subscriptionId">The subscription id (sub_…).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="PactApiException">404 when it does not exist or belongs to another agent.</exception>
    public async Task<Subscription> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken = default) =>
        Read<Subscription>(await GetAsync($"v1/subscriptions/{Segment(subscriptionId)}", Access.Reader, cancellationToken).ConfigureAwait(false));

    /// <summary><c>DELETE /v1/subscriptions/{subscriptionId}</c>: the subscription and its queued deliveries are gone.</summary>
    /// <param name="subscriptionId">The subscription id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="PactApiException">404 when it does not exist (or no longer does) or belongs to another agent.</exception>
    public async Task DeleteSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken = default) =>
        await DeleteAsync($"v1/subscriptions/{Segment(subscriptionId)}", Access.Reader, cancellationToken).ConfigureAwait(false);

    /// <summary><c>GET /v1/subscriptions/{subscriptionId}/deliveries</c>: one page of a subscription's deliveries, in seq order.</summary>
    /// <param name="subscriptionId">The subscription id.</param>
    /// <param name="status">Only deliveries in this status: "pending", "succeeded" or "failed"; all when null.</param>
    /// <param name="after">Start after this seq (the previous page's <see cref="DeliveryPage.Next"/>); from the start when null.</param>
    /// <param name="limit">The page size.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<DeliveryPage> ListDeliveriesAsync(string subscriptionId, string? status = null, long? after = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var path = WithQuery($"v1/subscriptions/{Segment(subscriptionId)}/deliveries",
            ("after", after is null ? null : Num(after.Value)), ("status", status), ("limit", limit is null ? null : Num(limit.Value)));
        return Read<DeliveryPage>(await GetAsync(path, Access.Reader, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// <c>POST /v1/subscriptions/{subscriptionId}/deliveries/{deliveryId}/retry</c>: one attempt right away, whatever the
    /// delivery's status. Answers the delivery as it stood when the attempt was scheduled; its outcome shows in
    /// <see cref="ListDeliveriesAsync"/> afterwards.
    /// </summary>
    /// <param name="subscriptionId">The subscription id.</param>
    /// <param name="deliveryId">The delivery id (dlv_…).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<WebhookDelivery> RetryDeliveryAsync(string subscriptionId, string deliveryId, CancellationToken cancellationToken = default)
    {
        var path = $"v1/subscriptions/{Segment(subscriptionId)}/deliveries/{Segment(deliveryId)}/retry";
        return Read<WebhookDelivery>(await PostJsonAsync(path, [], Access.Reader, cancellationToken).ConfigureAwait(false));
    }
}
