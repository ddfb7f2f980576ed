using System.Collections.Immutable;

namespace Pact.Core.Negotiation;

/// <summary>
/// An immutable sorted multiset of deadlines (the pending-deadline index of <see cref="NegotiationState"/>): a frozen
/// sorted array, as a restore reads it from the snapshot, and the changes since as counts to add to it (negative: taken
/// out of it), so a restore builds no tree (ADR 0016).
/// </summary>
internal sealed class DeadlineSet
{
    public static readonly DeadlineSet Empty = new([], ImmutableSortedDictionary<Deadline, int>.Empty);

    private readonly Deadline[] _base;
    private readonly ImmutableSortedDictionary<Deadline, int> _changes;

    private DeadlineSet(Deadline[] frozen, ImmutableSortedDictionary<Deadline, int> changes)
    {
        _base = frozen;
        _changes = changes;
    }

    /// <summary>The multiset of these deadlines, given in firing order (a stored snapshot's); <see cref="FormatException"/> otherwise.</summary>
    public static DeadlineSet FromSorted(Deadline[] sorted)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i - 1].CompareTo(sorted[i]) > 0) throw new FormatException($"the deadlines are not in firing order at {sorted[i]}");
        }
        return new(sorted, Empty._changes);
    }

    public DeadlineSet Add(Deadline? deadline) => deadline is null ? this : Change(deadline, +1);

    public DeadlineSet Remove(Deadline? deadline) => deadline is null || CountOf(deadline) == 0 ? this : Change(deadline, -1);

    private DeadlineSet Change(Deadline deadline, int by)
    {
        var count = _changes.GetValueOrDefault(deadline) + by;
        return new(_base, count == 0 ? _changes.Remove(deadline) : _changes.SetItem(deadline, count));
    }

    private int CountOf(Deadline deadline) => BaseRun(deadline).Count + _changes.GetValueOrDefault(deadline);

    /// <summary>Where the equal deadlines of the base start, and how many there are.</summary>
    private (int Start, int Count) BaseRun(Deadline deadline)
    {
        var at = Array.BinarySearch(_base, deadline);
        if (at < 0) return (~at, 0);
        var (start, end) = (at, at + 1);
        while (start > 0 && _base[start - 1].CompareTo(deadline) == 0) start--;
        while (end < _base.Length && _base[end].CompareTo(deadline) == 0) end++;
        return (start, end - start);
    }

    /// <summary>Earliest first, each as often as it is pending; lazy, so taking the first few costs O(log n).</summary>
    public IEnumerable<Deadline> InOrder()
    {
        var i = 0;
        foreach (var (deadline, change) in _changes)
        {
            for (; i < _base.Length && _base[i].CompareTo(deadline) < 0; i++) yield return _base[i];
            var count = change;
            for (; i < _base.Length && _base[i].CompareTo(deadline) == 0; i++) count++;
            for (var k = 0; k < count; k++) yield return deadline;
        }
        for (; i < _base.Length; i++) yield return _base[i];
    }
}

/// <summary>
/// An immutable one-to-many index, each key's items kept in order; a key without items reads as empty. Like
/// <see cref="RecordDictionary{TKey,TValue}"/>, a frozen base (sorted arrays, as a restore reads them) and the changes
/// since, each changed key holding its whole set.
/// </summary>
internal sealed class SetIndex<TKey, TItem>
    where TKey : notnull
{
    private readonly TKey[] _keys;
    private readonly int[] _starts;
    private readonly TItem[] _items;
    private readonly IComparer<TItem> _itemComparer;
    private readonly ImmutableSortedDictionary<TKey, ImmutableSortedSet<TItem>> _changes;

    private SetIndex(TKey[] keys, int[] starts, TItem[] items, IComparer<TItem> itemComparer, ImmutableSortedDictionary<TKey, ImmutableSortedSet<TItem>> changes)
    {
        _keys = keys;
        _starts = starts;
        _items = items;
        _itemComparer = itemComparer;
        _changes = changes;
    }

    public static SetIndex<TKey, TItem> Empty(IComparer<TKey> keyComparer, IComparer<TItem> itemComparer) =>
        new([], [0], [], itemComparer, ImmutableSortedDictionary.Create<TKey, ImmutableSortedSet<TItem>>(keyComparer));

    /// <summary>
    /// The index whose base is these arrays, as <see cref="Entries"/> gave them to a snapshot: <paramref name="keys"/> in
    /// strictly ascending order, key i's items at <c>items[starts[i]..starts[i + 1]]</c>, none empty, each run strictly
    /// ascending; <see cref="FormatException"/> for anything else, so a restore never files an item twice or out of order.
    /// </summary>
    public static SetIndex<TKey, TItem> FromSorted(TKey[] keys, int[] starts, TItem[] items, IComparer<TKey> keyComparer, IComparer<TItem> itemComparer)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(starts);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(keyComparer);
        ArgumentNullException.ThrowIfNull(itemComparer);
        if (starts.Length != keys.Length + 1 || starts[0] != 0 || starts[^1] != items.Length)
            throw new FormatException($"{keys.Length} keys and {items.Length} items do not make an index");
        for (var k = 0; k < keys.Length; k++)
        {
            if (k > 0 && keyComparer.Compare(keys[k - 1], keys[k]) >= 0) throw new FormatException($"the keys are not in strictly ascending order at {keys[k]}");
            if (starts[k + 1] <= starts[k]) throw new FormatException($"the key {keys[k]} has no items");
            for (var i = starts[k] + 1; i < starts[k + 1]; i++)
            {
                if (itemComparer.Compare(items[i - 1], items[i]) >= 0) throw new FormatException($"the items of {keys[k]} are not in strictly ascending order at {items[i]}");
            }
        }
        return new(keys, starts, items, itemComparer, ImmutableSortedDictionary.Create<TKey, ImmutableSortedSet<TItem>>(keyComparer));
    }

    /// <summary>Every key that has items, in key order, with its items in order: the base and the changes merged (what a snapshot stores).</summary>
    public IEnumerable<(TKey Key, IReadOnlyList<TItem> Items)> Entries()
    {
        var comparer = _changes.KeyComparer;
        var k = 0;
        foreach (var (key, set) in _changes)
        {
            for (; k < _keys.Length && comparer.Compare(_keys[k], key) < 0; k++) yield return (_keys[k], BaseItems(k));
            if (k < _keys.Length && comparer.Compare(_keys[k], key) == 0) k++; // replaced by its change
            if (!set.IsEmpty) yield return (key, set);
        }
        for (; k < _keys.Length; k++) yield return (_keys[k], BaseItems(k));
    }

    private ArraySegment<TItem> BaseItems(int k) => new(_items, _starts[k], _starts[k + 1] - _starts[k]);

    /// <summary>The items filed under <paramref name="key"/>, in order.</summary>
    public IEnumerable<TItem> Get(TKey key)
    {
        if (_changes.TryGetValue(key, out var changed)) return changed;
        var at = Array.BinarySearch(_keys, key, _changes.KeyComparer);
        return at < 0 ? Array.Empty<TItem>() : BaseItems(at);
    }

    private ImmutableSortedSet<TItem> Set(TKey key) =>
        _changes.TryGetValue(key, out var changed) ? changed : ImmutableSortedSet.CreateRange(_itemComparer, Get(key));

    public SetIndex<TKey, TItem> Add(TKey key, TItem item) => With(key, Set(key).Add(item));

    public SetIndex<TKey, TItem> Remove(TKey key, TItem item)
    {
        var set = Set(key);
        return set.Contains(item) ? With(key, set.Remove(item)) : this;
    }

    /// <summary>
    /// Files <paramref name="item"/> under <paramref name="to"/> instead of <paramref name="from"/> (null: under no key);
    /// unchanged when both are the same, so an update that keeps the key costs nothing.
    /// </summary>
    public SetIndex<TKey, TItem> Move(TKey? from, TKey? to, TItem item)
    {
        if (EqualityComparer<TKey>.Default.Equals(from, to)) return this;
        var index = from is null ? this : Remove(from, item);
        return to is null ? index : index.Add(to, item);
    }

    private SetIndex<TKey, TItem> With(TKey key, ImmutableSortedSet<TItem> set) => new(_keys, _starts, _items, _itemComparer, _changes.SetItem(key, set));
}
