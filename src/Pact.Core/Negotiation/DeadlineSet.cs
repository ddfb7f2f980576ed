using System.Collections.Immutable;

namespace Pact.Core.Negotiation;

/// <summary>An immutable sorted multiset of deadlines (the pending-deadline index of <see cref="NegotiationState"/>).</summary>
internal sealed class DeadlineSet
{
    public static readonly DeadlineSet Empty = new(ImmutableSortedDictionary<Deadline, int>.Empty);

    private readonly ImmutableSortedDictionary<Deadline, int> _counts;

    private DeadlineSet(ImmutableSortedDictionary<Deadline, int> counts) => _counts = counts;

    /// <summary>The multiset of these deadlines, built in one pass.</summary>
    public static DeadlineSet Of(IEnumerable<Deadline> deadlines)
    {
        var counts = ImmutableSortedDictionary.CreateBuilder<Deadline, int>();
        foreach (var d in deadlines) counts[d] = counts.GetValueOrDefault(d) + 1;
        return new(counts.ToImmutable());
    }

    public DeadlineSet Add(Deadline? deadline) =>
        deadline is null ? this : new(_counts.SetItem(deadline, _counts.GetValueOrDefault(deadline) + 1));

    public DeadlineSet Remove(Deadline? deadline)
    {
        if (deadline is null || !_counts.TryGetValue(deadline, out var count)) return this;
        return new(count == 1 ? _counts.Remove(deadline) : _counts.SetItem(deadline, count - 1));
    }

    /// <summary>Earliest first, each as often as it is pending; lazy, so taking the first few costs O(log n).</summary>
    public IEnumerable<Deadline> InOrder()
    {
        foreach (var (deadline, count) in _counts)
        {
            for (var i = 0; i < count; i++) yield return deadline;
        }
    }
}

/// <summary>An immutable one-to-many index of ids, each key's ids kept in ordinal order; a key without ids is absent.</summary>
internal static class IdIndex
{
    private static readonly ImmutableSortedSet<string> NoIds = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    public static ImmutableDictionary<TKey, ImmutableSortedSet<string>> Empty<TKey>()
        where TKey : notnull => ImmutableDictionary<TKey, ImmutableSortedSet<string>>.Empty;

    public static ImmutableDictionary<TKey, ImmutableSortedSet<string>> Add<TKey>(ImmutableDictionary<TKey, ImmutableSortedSet<string>> index, TKey key, string id)
        where TKey : notnull => index.SetItem(key, index.GetValueOrDefault(key, NoIds).Add(id));

    public static ImmutableDictionary<TKey, ImmutableSortedSet<string>> Remove<TKey>(ImmutableDictionary<TKey, ImmutableSortedSet<string>> index, TKey key, string id)
        where TKey : notnull
    {
        if (!index.TryGetValue(key, out var ids)) return index;
        ids = ids.Remove(id);
        return ids.IsEmpty ? index.Remove(key) : index.SetItem(key, ids);
    }

    /// <summary>
    /// Files <paramref name="id"/> under <paramref name="to"/> instead of <paramref name="from"/> (null: under no key);
    /// unchanged when both are the same, so an update that keeps the key costs nothing.
    /// </summary>
    public static ImmutableDictionary<string, ImmutableSortedSet<string>> Move(ImmutableDictionary<string, ImmutableSortedSet<string>> index, string? from, string? to, string id)
    {
        if (from == to) return index;
        if (from is not null) index = Remove(index, from, id);
        return to is null ? index : Add(index, to, id);
    }

    public static IEnumerable<string> Get<TKey>(ImmutableDictionary<TKey, ImmutableSortedSet<string>> index, TKey key)
        where TKey : notnull => index.TryGetValue(key, out var ids) ? ids : NoIds;
}
