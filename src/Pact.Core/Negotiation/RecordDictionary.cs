using System.Collections;
using System.Collections.Immutable;

namespace Pact.Core.Negotiation;

/// <summary>
/// An immutable map in key order made of a frozen base — a sorted array, as a state snapshot decodes it — and the
/// changes made since, kept in a persistent sorted map (ADR 0016). A start from a snapshot then costs the reading of
/// its records, not the building of a balanced tree over every one of them: a look-up is a binary search in the base
/// after a look-up in the changes, and a change copies only the path to it in the (small) changes. Records are only
/// ever set, never removed, as the fold of the log only ever sets them.
/// </summary>
public sealed class RecordDictionary<TKey, TValue> : IReadOnlyDictionary<TKey, TValue>
    where TKey : notnull
{
    private readonly TKey[] _baseKeys;
    private readonly TValue[] _baseValues;
    private readonly ImmutableSortedDictionary<TKey, TValue> _changes;

    internal RecordDictionary(TKey[] baseKeys, TValue[] baseValues, ImmutableSortedDictionary<TKey, TValue> changes, int count)
    {
        _baseKeys = baseKeys;
        _baseValues = baseValues;
        _changes = changes;
        Count = count;
    }

    private IComparer<TKey> Comparer => _changes.KeyComparer;

    public int Count { get; }

    public TValue this[TKey key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"{key} is not in the table.");

    public bool ContainsKey(TKey key) => TryGetValue(key, out _);

    public bool TryGetValue(TKey key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TValue value)
    {
        if (_changes.TryGetValue(key, out value)) return true;
        var at = Array.BinarySearch(_baseKeys, key, Comparer);
        if (at >= 0)
        {
            value = _baseValues[at];
            return true;
        }
        value = default;
        return false;
    }

    /// <summary>This table with <paramref name="value"/> under <paramref name="key"/>, in place of what was there.</summary>
    public RecordDictionary<TKey, TValue> SetItem(TKey key, TValue value)
    {
        var isNew = !ContainsKey(key);
        return new(_baseKeys, _baseValues, _changes.SetItem(key, value), isNew ? Count + 1 : Count);
    }

    /// <summary>This table with each of <paramref name="entries"/> set.</summary>
    public RecordDictionary<TKey, TValue> SetItems(IEnumerable<KeyValuePair<TKey, TValue>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var table = this;
        foreach (var (key, value) in entries) table = table.SetItem(key, value);
        return table;
    }

    public IEnumerable<TKey> Keys => this.Select(e => e.Key);

    public IEnumerable<TValue> Values => this.Select(e => e.Value);

    /// <summary>Every entry in key order: the base and the changes merged, a change taking the place of its base entry.</summary>
    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator()
    {
        var i = 0;
        foreach (var change in _changes)
        {
            for (; i < _baseKeys.Length && Comparer.Compare(_baseKeys[i], change.Key) < 0; i++) yield return KeyValuePair.Create(_baseKeys[i], _baseValues[i]);
            if (i < _baseKeys.Length && Comparer.Compare(_baseKeys[i], change.Key) == 0) i++;
            yield return change;
        }
        for (; i < _baseKeys.Length; i++) yield return KeyValuePair.Create(_baseKeys[i], _baseValues[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Makes <see cref="RecordDictionary{TKey,TValue}"/>s: empty, or from records already in key order.</summary>
public static class RecordDictionary
{
    /// <summary>The empty table ordered by <paramref name="comparer"/>.</summary>
    public static RecordDictionary<TKey, TValue> Empty<TKey, TValue>(IComparer<TKey> comparer)
        where TKey : notnull =>
        new RecordDictionary<TKey, TValue>([], [], ImmutableSortedDictionary.Create<TKey, TValue>(comparer), 0);

    /// <summary>
    /// The table of <paramref name="records"/>, which must come in strictly ascending key order (as a snapshot encodes
    /// them); anything else is a <see cref="FormatException"/>, so bytes out of order are refused rather than misread.
    /// </summary>
    public static RecordDictionary<TKey, TValue> FromSorted<TKey, TValue>(IComparer<TKey> comparer, IReadOnlyList<TValue> records, Func<TValue, TKey> key)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(key);
        var keys = new TKey[records.Count];
        for (var i = 0; i < keys.Length; i++) keys[i] = key(records[i]);
        return FromSorted(comparer, keys, [.. records]);
    }

    /// <summary>The table of these entries, in strictly ascending key order as the other overload needs.</summary>
    public static RecordDictionary<TKey, TValue> FromSorted<TKey, TValue>(IComparer<TKey> comparer, IReadOnlyList<KeyValuePair<TKey, TValue>> entries)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(entries);
        return FromSorted(comparer, entries.Select(e => e.Key).ToArray(), entries.Select(e => e.Value).ToArray());
    }

    private static RecordDictionary<TKey, TValue> FromSorted<TKey, TValue>(IComparer<TKey> comparer, TKey[] keys, TValue[] values)
        where TKey : notnull
    {
        for (var i = 1; i < keys.Length; i++)
        {
            if (comparer.Compare(keys[i - 1], keys[i]) >= 0) throw new FormatException($"the records are not in strictly ascending key order at {keys[i]}");
        }
        return new RecordDictionary<TKey, TValue>(keys, values, ImmutableSortedDictionary.Create<TKey, TValue>(comparer), keys.Length);
    }
}
