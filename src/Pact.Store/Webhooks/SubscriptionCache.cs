using System.Collections.Immutable;
using Pact.Store.Relational;

namespace Pact.Store.Webhooks;

/// <summary>
/// The active subscriptions of one store, in memory, so that the outbox projection running inside every append
/// costs a dictionary lookup when there are none. The database stays the truth: the projection inserts a delivery
/// only if the subscription row is still active in the same transaction, so a stale entry here can never invent a
/// delivery; entries are added inside the creating transaction (before any later event can be appended) and removed
/// after a delete or disable committed, so none can be lost either.
/// </summary>
internal sealed class SubscriptionCache
{
    private ImmutableDictionary<string, ActiveSubscription> _active = ImmutableDictionary<string, ActiveSubscription>.Empty.WithComparers(StringComparer.Ordinal);

    public ImmutableDictionary<string, ActiveSubscription> Active => Volatile.Read(ref _active);

    public void Put(ActiveSubscription subscription) => ImmutableInterlocked.AddOrUpdate(ref _active, subscription.SubscriptionId, subscription, (_, _) => subscription);

    public void Remove(string subscriptionId) => ImmutableInterlocked.TryRemove(ref _active, subscriptionId, out _);

    /// <summary>Loads the active set through the writer, so no write can slip between the load and the first append.</summary>
    public int Load(IWriteContext context)
    {
        using var command = context.CreateCommand(WebhookOutbox.SubscriptionSelect + " WHERE status = 'active'");
        using var reader = command.ExecuteReader();
        while (reader.Read()) Put(ActiveSubscription.From(WebhookOutbox.ReadSubscription(reader)));
        return Active.Count;
    }
}
