using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Data.Sqlite;
using Pact.Core.Events;
using Pact.Daemon.Controllers;
using Pact.Store;

namespace Pact.Daemon.Webhooks;

/// <summary>What the outbox hook needs to know of an active subscription to decide whether an event is for it.</summary>
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
/// The active subscriptions of one transcript, in memory, so that the outbox hook running inside every
/// append costs a dictionary lookup when there are none. The database stays the truth: the hook inserts a
/// delivery only if the subscription row is still active in the same transaction, so a stale entry here
/// can never invent a delivery; entries are added inside the creating transaction (before any later
/// event can be appended) and removed after a delete or disable committed, so none can be lost either.
/// </summary>
public sealed class SubscriptionCache
{
    // Keyed by the writer connection's database file: the projector that calls the hook is static, and
    // several daemons (tests) can run in one process, each with its own transcript.
    private static readonly ConcurrentDictionary<string, SubscriptionCache> Registry = new(StringComparer.Ordinal);

    private ImmutableDictionary<string, ActiveSubscription> _active = ImmutableDictionary<string, ActiveSubscription>.Empty.WithComparers(StringComparer.Ordinal);

    private SubscriptionCache(string key) => Key = key;

    /// <summary>The database file this cache belongs to.</summary>
    public string Key { get; }

    public ImmutableDictionary<string, ActiveSubscription> Active => Volatile.Read(ref _active);

    public bool IsEmpty => Active.IsEmpty;

    public void Put(ActiveSubscription subscription) => ImmutableInterlocked.AddOrUpdate(ref _active, subscription.SubscriptionId, subscription, (_, _) => subscription);

    public void Remove(string subscriptionId) => ImmutableInterlocked.TryRemove(ref _active, subscriptionId, out _);

    /// <summary>Loads the active set through the writer (so no write can slip between load and use) and makes it the one the hook sees.</summary>
    public static SubscriptionCache LoadAndRegister(AppendContext context)
    {
        var cache = new SubscriptionCache(KeyOf(context.Connection));
        using (var command = context.CreateCommand(WebhookStore.SubscriptionSelect + " WHERE status = 'active'"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read()) cache.Put(ActiveSubscription.From(WebhookStore.ReadSubscription(reader)));
        }
        Registry[cache.Key] = cache;
        return cache;
    }

    /// <summary>The cache registered for this writer's database, loading it on first use.</summary>
    public static SubscriptionCache For(AppendContext context) =>
        Registry.TryGetValue(KeyOf(context.Connection), out var cache) ? cache : LoadAndRegister(context);

    /// <summary>Forgets the registration when it is still this instance (a restarted daemon may have replaced it).</summary>
    public void Unregister() => Registry.TryRemove(new KeyValuePair<string, SubscriptionCache>(Key, this));

    private static string KeyOf(SqliteConnection connection) => connection.DataSource;
}
