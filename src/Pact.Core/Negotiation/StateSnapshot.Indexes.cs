using System.Runtime.CompilerServices;

namespace Pact.Core.Negotiation;

// The state's look-up indexes and pending deadlines, stored beside the records: computing them at a start means
// sorting every proposal, compact and deadline again, the largest cost of a restore after reading (ADR 0017).
// Each is stored as its merged contents in order, and read back as the frozen base of the index.
public sealed partial record StateSnapshot
{
    private static void WriteIndex<TKey, TItem>(BinaryWriter w, SetIndex<TKey, TItem> index, Action<BinaryWriter, TKey> writeKey, Action<BinaryWriter, TItem> writeItem)
        where TKey : notnull
    {
        var entries = index.Entries().ToList();
        w.Write(entries.Count);
        w.Write(entries.Sum(e => e.Items.Count));
        foreach (var (key, items) in entries)
        {
            writeKey(w, key);
            w.Write(items.Count);
            foreach (var item in items) writeItem(w, item);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static SetIndex<TKey, TItem> ReadIndex<TKey, TItem>(SnapshotReader r, Func<SnapshotReader, TKey> readKey, Func<SnapshotReader, TItem> readItem,
        IComparer<TKey> keyComparer, IComparer<TItem> itemComparer)
        where TKey : notnull
    {
        var (keyCount, itemCount) = (Count(r), Count(r));
        var (keys, starts, items) = (new TKey[keyCount], new int[keyCount + 1], new TItem[itemCount]);
        var next = 0;
        for (var k = 0; k < keyCount; k++)
        {
            keys[k] = readKey(r);
            starts[k] = next;
            var count = r.ReadInt32();
            if (count <= 0 || count > itemCount - next) throw new FormatException($"{count} items of one key do not fit the index's {itemCount}");
            for (var i = 0; i < count; i++) items[next++] = readItem(r);
        }
        starts[keyCount] = next;
        return SetIndex<TKey, TItem>.FromSorted(keys, starts, items, keyComparer, itemComparer);
    }

    private static void WriteIndex(BinaryWriter w, SetIndex<string, string> index) => WriteIndex(w, index, (w, k) => w.Write(k), (w, i) => w.Write(i));

    private static SetIndex<string, string> ReadIndex(SnapshotReader r) =>
        ReadIndex(r, r => r.ReadString(), r => r.ReadString(), StringComparer.Ordinal, StringComparer.Ordinal);

    private static void WriteVersionNumbers(BinaryWriter w, SetIndex<string, long> index) => WriteIndex(w, index, (w, k) => w.Write(k), (w, v) => w.Write(v));

    private static SetIndex<string, long> ReadVersionNumbers(SnapshotReader r) =>
        ReadIndex(r, r => r.ReadString(), r => r.ReadInt64(), StringComparer.Ordinal, Comparer<long>.Default);

    private static void WriteSlotProposalIds(BinaryWriter w, SetIndex<CompactVersionKey, string> index) =>
        WriteIndex(w, index, (w, k) =>
        {
            w.Write(k.CompactId);
            w.Write(k.Version);
        }, (w, i) => w.Write(i));

    private static SetIndex<CompactVersionKey, string> ReadSlotProposalIds(SnapshotReader r) =>
        ReadIndex(r, r => new CompactVersionKey(r.ReadString(), r.ReadInt64()), r => r.ReadString(), Comparer<CompactVersionKey>.Default, StringComparer.Ordinal);

    private static void WriteDeadlines(BinaryWriter w, DeadlineSet pending) =>
        Write(w, pending.InOrder(), (w, d) =>
        {
            Write(w, d.DueAt);
            w.Write((int)d.Kind);
            w.Write(d.Id);
        });

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static DeadlineSet ReadDeadlines(SnapshotReader r) =>
        DeadlineSet.FromSorted([.. ReadList(r, r => new Deadline(ReadInstant(r), ReadEnum<DeadlineKind>(r), r.ReadString()))]);

    /// <summary>A writer per index, in the order the snapshot's sections hold them after the records.</summary>
    private static Action<BinaryWriter>[] IndexWriters(StateIndexes x) =>
    [
        w => WriteVersionNumbers(w, x.VersionNumbers),
        w => WriteSlotProposalIds(w, x.SlotProposalIds),
        w => WriteIndex(w, x.LiveProposalIdsByCounterparty),
        w => WriteIndex(w, x.BoundCompactIdsByAgent),
        w => WriteIndex(w, x.RevocationIdsByCompact),
        w => WriteIndex(w, x.MarkerIdsByCompact),
        w => WriteIndex(w, x.MandateIdsByAgent),
        w => WriteIndex(w, x.DependentIdsByUpstream),
        w => WriteDeadlines(w, x.Pending),
    ];

    /// <summary>All of them, one after the other: what <see cref="Differences"/> compares beside the records.</summary>
    private static void Write(BinaryWriter w, StateIndexes x)
    {
        foreach (var write in IndexWriters(x)) write(w);
    }
}
