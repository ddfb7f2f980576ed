using System.Collections.Immutable;
using System.Collections.ObjectModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Pact.Core.Encoding;
using Pact.Core.Events;
using Pact.Core.Lifecycle;
using Pact.Core.Sessions;
using Pact.Core.Terms;
using Pact.Core.Time;

namespace Pact.Core.Negotiation;

/// <summary>
/// The decision state after the event at <see cref="ThroughSeq"/> (whose hash is <see cref="EventHash"/>), with each
/// stream's chain head, so that a start can fold only the events after it (ADR 0004 keeps the fold the one source of
/// truth: a snapshot is checked against it). <see cref="Encode"/> is deterministic — every collection in key order,
/// every record member by member, terms too — so equal states encode to equal bytes and a snapshot is named by its SHA-256.
/// The bytes open with a magic, <see cref="FormatVersion"/>, the seq and hash, then every distinct string once (records
/// name them by index: agent ids and terms vocabulary recur in every session); a reader that does not know the
/// version does not guess (<see cref="TryDecode"/> refuses, and the caller folds the whole log).
/// </summary>
public sealed partial record StateSnapshot(long ThroughSeq, string EventHash, NegotiationState State, RecordDictionary<string, ChainHead> Heads)
{
    /// <summary>No chain heads: the heads before the first event.</summary>
    public static RecordDictionary<string, ChainHead> NoHeads { get; } = RecordDictionary.Empty<string, ChainHead>(StringComparer.Ordinal);

    /// <summary>Bump on any change to the encoding below; older snapshots are then refused, never misread.</summary>
    public const int FormatVersion = 7; // 2: a table of strings; terms member by member. 3: mandates and their decisions (§14). 4: bundles and members' bundleId (§15). 5: a prepared countersignature's signer and mandate (§14 on bundle members). 6: terms as a part of their own, their end and upstream ids beside (decoded on first use, ADR 0016). 7: the indexes stored; the table in chunks and the records in sections, read side by side; a session's topic, lost before (ADR 0017)

    private static readonly byte[] Magic = "PACTSNAP"u8.ToArray();

    /// <summary>Hex SHA-256 of encoded bytes: what the store keeps beside them and the start checks.</summary>
    public static string HashOf(ReadOnlySpan<byte> body) => Hex.Encode(SHA256.HashData(body));

    public byte[] Encode()
    {
        using var body = new MemoryStream();
        List<string> strings;
        using (var w = new StringTableWriter(body))
        {
            // Each section a part of its own behind its length, so that a start reads them side by side; written in
            // order, so the table numbers strings as they first appear, the same for the same state.
            foreach (var section in Sections())
            {
                var part = w.Part(section);
                w.Write7BitEncodedInt(part.Length);
                w.Write(part);
            }
            strings = w.Table;
        }
        using var output = new MemoryStream((int)body.Length + 64 * strings.Count);
        using (var w = new BinaryWriter(output, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write(ThroughSeq);
            w.Write(EventHash);
            WriteTable(w, strings);
        }
        body.WriteTo(output);
        return output.ToArray();
    }

    /// <summary>What the snapshot holds, section by section, in the order <see cref="TryDecode"/> reads them: the records, then the indexes.</summary>
    private Action<StringTableWriter>[] Sections()
    {
        var tables = State.Tables;
        return
        [
            w => Write(w, Heads, (w, h) => Write(w, h.Key, h.Value)),
            w => Write(w, tables.Sessions.Values, Write),
            w => Write(w, tables.Proposals.Values, Write),
            w => Write(w, tables.Bindings.Values, Write),
            w => Write(w, tables.Compacts.Values, Write),
            w => Write(w, tables.Lifecycles.Values, Write),
            w => Write(w, tables.Revocations.Values, Write),
            w => Write(w, tables.Markers.Values, Write),
            w => Write(w, tables.Mandates.Values, Write),
            w => Write(w, tables.MandateDecisions.OrderBy(d => d.Key, StringComparer.Ordinal), Write),
            w => Write(w, tables.Bundles.Values, Write),
            w => WriteOptional(w, tables.Clock, (w, c) =>
            {
                Write(w, c.DueAt);
                w.Write(c.Time);
            }),
            .. IndexWriters(State.Indexes),
        ];
    }

    /// <summary>As many as <see cref="Sections"/> gives (the round-trip tests fail otherwise): a reader knows them by position.</summary>
    private const int SectionCount = 21;

    /// <summary>Reads what <see cref="Encode"/> wrote; false, with why, for another format or bytes that do not read.</summary>
    public static bool TryDecode(byte[] body, out StateSnapshot? snapshot, out string? why)
    {
        ArgumentNullException.ThrowIfNull(body);
        snapshot = null;
        try
        {
            var r = new SnapshotReader(body, 0, body.Length, []);
            if (body.Length < Magic.Length || !r.ReadBytes(Magic.Length).SequenceEqual(Magic))
            {
                why = "it is not a state snapshot";
                return false;
            }
            var version = r.ReadInt32();
            if (version != FormatVersion)
            {
                why = $"its format version {version} is not {FormatVersion}, the one this build reads";
                return false;
            }
            var throughSeq = r.ReadInt64();
            var eventHash = r.ReadText();
            var table = ReadTable(r, body);
            var sections = new (int Offset, int Length)[SectionCount];
            for (var i = 0; i < sections.Length; i++)
            {
                var length = r.Read7BitEncodedInt();
                sections[i] = (r.Offset, length);
                r.Skip(length);
            }
            if (r.Remaining != 0)
            {
                why = "bytes follow its end";
                return false;
            }
            snapshot = new StateSnapshot(throughSeq, eventHash, ReadSections(body, table, sections, out var heads), heads);
            why = null;
            return true;
        }
        catch (Exception e) when (Causes(e).All(IsUnreadable))
        {
            var cause = Causes(e)[0];
            why = $"it does not read ({cause.GetType().Name}: {cause.Message})";
            return false;
        }
    }

    /// <summary>What went wrong: the exception itself, or each failure of work done in parallel (the sections, the table's chunks).</summary>
    private static ReadOnlyCollection<Exception> Causes(Exception e) => e is AggregateException parallel ? parallel.Flatten().InnerExceptions : new([e]);

    /// <summary>Bytes that do not read as a snapshot (anything else is a bug, and is thrown).</summary>
    private static bool IsUnreadable(Exception e) => e is EndOfStreamException or ArgumentException or InvalidOperationException or FormatException
        or OverflowException or IndexOutOfRangeException or System.Text.Json.JsonException;

    /// <summary>The sections, decoded side by side (each names its strings in the table read before); the state they make.</summary>
    private static NegotiationState ReadSections(byte[] body, string[] table, (int Offset, int Length)[] sections, out RecordDictionary<string, ChainHead> heads)
    {
        T Read<T>(int i, Func<SnapshotReader, T> read)
        {
            var (offset, length) = sections[i];
            var r = new SnapshotReader(body, offset, length, table);
            var value = read(r);
            return r.Remaining == 0 ? value : throw new FormatException($"section {i} has bytes after its end");
        }
        RecordDictionary<string, ChainHead>? chainHeads = null;
        RecordDictionary<string, SessionInfo>? sessions = null;
        RecordDictionary<string, ProposalRecord>? proposals = null;
        RecordDictionary<string, CompactBinding>? bindings = null;
        RecordDictionary<CompactVersionKey, CompactVersionInfo>? compacts = null;
        RecordDictionary<CompactVersionKey, CompactVersionLifecycle>? lifecycles = null;
        RecordDictionary<string, RevocationRecord>? revocations = null;
        RecordDictionary<string, MarkerRecord>? markers = null;
        RecordDictionary<string, Mandates.MandateRecord>? mandates = null;
        ImmutableDictionary<string, System.Text.Json.Nodes.JsonObject>? decisions = null;
        RecordDictionary<string, Bundles.BundleRecord>? bundles = null;
        OperationClock? clock = null;
        SetIndex<string, long>? versionNumbers = null;
        SetIndex<CompactVersionKey, string>? slotProposalIds = null;
        var byString = new SetIndex<string, string>?[6];
        DeadlineSet? pending = null;
        var readLifecycle = LifecycleReader(body);
        var (ordinal, byVersion) = (StringComparer.Ordinal, Comparer<CompactVersionKey>.Default);
        Parallel.Invoke(
        [
            () => chainHeads = RecordDictionary.FromSorted<string, ChainHead>(ordinal, Read(0, r => ReadList(r, r => KeyValuePair.Create(r.ReadString(), ReadHead(r))))),
            () => sessions = RecordDictionary.FromSorted<string, SessionInfo>(ordinal, Read(1, r => ReadList(r, ReadSession)), s => s.SessionId),
            () => proposals = RecordDictionary.FromSorted<string, ProposalRecord>(ordinal, Read(2, r => ReadList(r, ReadProposal)), p => p.ProposalId),
            () => bindings = RecordDictionary.FromSorted<string, CompactBinding>(ordinal, Read(3, r => ReadList(r, ReadBinding)), b => b.CompactId),
            () => compacts = RecordDictionary.FromSorted(byVersion, Read(4, r => ReadList(r, ReadCompact)), c => new CompactVersionKey(c.CompactId, c.Version)),
            () => lifecycles = RecordDictionary.FromSorted(byVersion, Read(5, r => ReadList(r, readLifecycle)), l => new CompactVersionKey(l.CompactId, l.Version)),
            () => revocations = RecordDictionary.FromSorted<string, RevocationRecord>(ordinal, Read(6, r => ReadList(r, ReadRevocation)), x => x.RevocationId),
            () => markers = RecordDictionary.FromSorted<string, MarkerRecord>(ordinal, Read(7, r => ReadList(r, ReadMarker)), m => m.MarkerId),
            () => mandates = RecordDictionary.FromSorted<string, Mandates.MandateRecord>(ordinal, Read(8, r => ReadList(r, ReadMandate)), m => m.MandateId),
            () => decisions = NegotiationState.Empty.MandateDecisions.AddRange(Read(9, r => ReadList(r, ReadMandateDecision))),
            () => bundles = RecordDictionary.FromSorted<string, Bundles.BundleRecord>(ordinal, Read(10, r => ReadList(r, ReadBundle)), b => b.BundleId),
            () => clock = Read(11, r => ReadOptional(r, r => new OperationClock(ReadInstant(r), r.ReadString()))),
            () => versionNumbers = Read(12, ReadVersionNumbers),
            () => slotProposalIds = Read(13, ReadSlotProposalIds),
            .. Enumerable.Range(0, byString.Length).Select(k => (Action)(() => byString[k] = Read(14 + k, ReadIndex))),
            () => pending = Read(20, ReadDeadlines),
        ]);
        heads = chainHeads!;
        return NegotiationState.Restore(
            new StateTables(sessions!, proposals!, bindings!, compacts!, lifecycles!, revocations!, markers!, mandates!, decisions!, bundles!, clock),
            new StateIndexes(versionNumbers!, slotProposalIds!, byString[0]!, byString[1]!, byString[2]!, byString[3]!, byString[4]!, byString[5]!, pending!));
    }

    /// <summary>
    /// Where two states differ, as the sessions whose records differ (each record put down to the session whose
    /// stream carries it), plus whether anything differs that no one session explains (the operation clock, a record
    /// with no session in either state). Records are compared by their encoding, so "equal" is the snapshot's equality.
    /// </summary>
    public static (ImmutableSortedSet<string> Sessions, bool Global) Differences(StateSnapshot expected, StateSnapshot actual)
    {
        var sessions = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        var global = false;
        void Compare<TKey, TRecord>(IReadOnlyDictionary<TKey, TRecord> x, IReadOnlyDictionary<TKey, TRecord> y, Action<BinaryWriter, TRecord> write,
            Func<TKey, TRecord, IEnumerable<string>> owners)
            where TKey : notnull
        {
            foreach (var key in x.Keys.Concat(y.Keys).Distinct())
            {
                var inX = x.TryGetValue(key, out var rx);
                var inY = y.TryGetValue(key, out var ry);
                if (inX && inY && Bytes(w => write(w, rx!)).AsSpan().SequenceEqual(Bytes(w => write(w, ry!)))) continue;
                var named = (inX ? owners(key, rx!) : []).Concat(inY ? owners(key, ry!) : []).ToList();
                if (named.Count == 0) global = true;
                sessions.UnionWith(named);
            }
        }
        var (e, a) = (expected.State, actual.State);
        IEnumerable<string> SessionsOfCompact(string compactId) =>
            e.Versions(compactId).Concat(a.Versions(compactId)).Select(c => c.SessionId)
                .Concat(e.SlotProposals(compactId, 1).Concat(a.SlotProposals(compactId, 1)).Select(p => p.SessionId)).Distinct();
        Compare(expected.Heads, actual.Heads, (w, h) => Write(w, "", h), (stream, _) => [stream]);
        Compare(e.Sessions, a.Sessions, Write, (_, s) => [s.SessionId]);
        Compare(e.Proposals, a.Proposals, Write, (_, p) => [p.SessionId]);
        Compare(e.Bindings, a.Bindings, Write, (_, b) => SessionsOfCompact(b.CompactId));
        Compare(e.Compacts, a.Compacts, Write, (_, c) => [c.SessionId]);
        Compare(e.Lifecycles, a.Lifecycles, Write, (_, l) => SessionsOfCompact(l.CompactId));
        Compare(e.Revocations, a.Revocations, Write, (_, r) => [r.SessionId]);
        Compare(e.Markers, a.Markers, Write, (_, m) => [m.SessionId]);
        // A mandate is put down to its own stream, as its chain head is; a decision to the session of the proposal it judged.
        Compare(e.Mandates, a.Mandates, Write, (id, _) => [id]);
        Compare(e.MandateDecisions, a.MandateDecisions, WriteJson,
            (proposalId, _) => new[] { e.Proposal(proposalId)?.SessionId, a.Proposal(proposalId)?.SessionId }.OfType<string>().Distinct());
        Compare(e.Bundles, a.Bundles, Write, (_, b) => [b.SessionId]);
        if (expected.ThroughSeq != actual.ThroughSeq || expected.EventHash != actual.EventHash || expected.State.Clock != actual.State.Clock) global = true;
        // Indexes that are not what the records give (equal records, other indexes) are no one session's.
        if (!global && sessions.Count == 0 && !Bytes(w => Write(w, e.Indexes)).AsSpan().SequenceEqual(Bytes(w => Write(w, a.Indexes)))) global = true;
        return (sessions.ToImmutable(), global);
    }

    private static byte[] Bytes(Action<BinaryWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) write(w);
        return buffer.ToArray();
    }

    // Records, member by member in declaration order.

    private static void Write(BinaryWriter w, string stream, ChainHead h)
    {
        w.Write(stream);
        w.Write(h.StreamSeq);
        w.Write(h.Seq);
        WriteOptional(w, h.Hash);
        WriteOptional(w, h.Time);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ChainHead ReadHead(SnapshotReader r) => new(r.ReadInt64(), r.ReadInt64(), ReadOptional(r), ReadOptional(r));

    private static void Write(BinaryWriter w, SessionInfo s)
    {
        w.Write(s.SessionId);
        w.Write((int)s.Status);
        Write(w, s.Participants, (w, p) => w.Write(p));
        WriteOptional(w, s.Topic);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static SessionInfo ReadSession(SnapshotReader r) =>
        new(r.ReadString(), ReadEnum<SessionStatus>(r), ReadStringArray(r), ReadOptional(r));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ImmutableArray<string> ReadStringArray(SnapshotReader r)
    {
        var items = new string[Count(r)];
        for (var i = 0; i < items.Length; i++) items[i] = r.ReadString();
        return ImmutableCollectionsMarshal.AsImmutableArray(items);
    }

    private static void Write(BinaryWriter w, ProposalRecord p)
    {
        w.Write(p.ProposalId);
        w.Write(p.SessionId);
        w.Write(p.CompactId);
        w.Write(p.Version);
        w.Write(p.TermsHash);
        w.Write((int)p.Proposer);
        w.Write(p.AgentA);
        w.Write(p.AgentB);
        w.Write((int)p.Status);
        WriteOptional(w, p.ExpiresAt, Write);
        WriteOptional(w, p.AckTimeout, Write);
        WriteOptional(w, p.Predecessor, (w, x) =>
        {
            w.Write(x.Version);
            w.Write(x.CompactHash);
        });
        w.Write(p.CreatedEventHash);
        WriteOptional(w, p.Withdrawal, (w, x) =>
        {
            Write(w, x.InitiatedAt);
            w.Write(x.InitiationHash);
        });
        WriteOptional(w, p.BundleId);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ProposalRecord ReadProposal(SnapshotReader r) => new(
        r.ReadString(), r.ReadString(), r.ReadString(), r.ReadInt64(), r.ReadString(), ReadEnum<PartyRole>(r), r.ReadString(), r.ReadString(),
        ReadEnum<ProposalStatus>(r), ReadOptionalValue(r, ReadInstant), ReadOptional(r, ReadDuration),
        ReadOptional(r, r => new PredecessorRef(r.ReadInt64(), r.ReadString())), r.ReadString(),
        ReadOptional(r, r => new WithdrawalInfo(ReadInstant(r), r.ReadString())), ReadOptional(r));

    private static void Write(BinaryWriter w, CompactBinding b)
    {
        w.Write(b.CompactId);
        w.Write(b.AgentA);
        w.Write(b.AgentB);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static CompactBinding ReadBinding(SnapshotReader r) => new(r.ReadString(), r.ReadString(), r.ReadString());

    private static void Write(BinaryWriter w, CompactVersionInfo c)
    {
        w.Write(c.CompactId);
        w.Write(c.Version);
        w.Write(c.CompactHash);
        w.Write(c.SessionId);
        w.Write((int)c.Status);
        WriteOptional(w, c.OpenRevocationId);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static CompactVersionInfo ReadCompact(SnapshotReader r) =>
        new(r.ReadString(), r.ReadInt64(), r.ReadString(), r.ReadString(), ReadEnum<CompactVersionStatus>(r), ReadOptional(r));

    private static void Write(BinaryWriter w, CompactVersionLifecycle l)
    {
        w.Write(l.CompactId);
        w.Write(l.Version);
        // The terms as a part of their own, behind what a restore reads of them: their end and upstream ids.
        WriteOptional(w, l.Terms, (w, t) =>
        {
            Write(w, t.Scope.Effective.Until);
            Write(w, t.Upstream, (w, u) => w.Write(u.CompactId));
            if (w is not StringTableWriter snapshot)
            {
                Write(w, t); // a record's bytes for comparison (Differences), not a snapshot
                return;
            }
            var part = snapshot.Part(p => Write(p, t));
            w.Write7BitEncodedInt(part.Length);
            w.Write(part);
        });
        Write(w, l.InForceAt);
        WriteOptional(w, l.End, (w, x) =>
        {
            w.Write((int)x.Event);
            Write(w, x.At);
        });
        WriteOptional(w, l.TriggeredBy, (w, x) =>
        {
            w.Write(x.CompactId);
            w.Write(x.Version);
            w.Write((int)x.Event);
            Write(w, x.At);
        });
    }

    /// <summary>Reads lifecycles of <paramref name="body"/>, their terms left undecoded (skipped, read apart on first use).</summary>
    private static Func<SnapshotReader, CompactVersionLifecycle> LifecycleReader(byte[] body) => r =>
    {
        var (compactId, version) = (r.ReadString(), r.ReadInt64());
        var terms = ReadOptional(r, r =>
        {
            var (until, upstream) = (ReadInstant(r), ReadList(r, r => r.ReadString()));
            var length = r.Read7BitEncodedInt();
            var offset = r.Offset;
            r.Skip(length);
            var table = r.Table;
            return new UndecodedTerms(until, upstream, () => ReadTermsPart(body, offset, length, table));
        });
        var (inForceAt, end, triggeredBy) = (ReadInstant(r), ReadOptional(r, r => new CompactEnd(ReadEnum<LifecycleEvent>(r), ReadInstant(r))),
            ReadOptional(r, r => new UpstreamCause(r.ReadString(), r.ReadInt64(), ReadEnum<UpstreamTrigger>(r), ReadInstant(r))));
        return terms is null
            ? new CompactVersionLifecycle(compactId, version, (CompactTerms?)null, inForceAt, end, triggeredBy)
            : new CompactVersionLifecycle(compactId, version, terms, inForceAt, end, triggeredBy);
    };

    /// <summary>
    /// Terms read apart, on first use. The bytes were covered by the snapshot's hash and seal checked before the restore,
    /// so they decode as they did when the snapshot was written; a part that does not is a bug, thrown as such.
    /// </summary>
    private static CompactTerms ReadTermsPart(byte[] body, int offset, int length, string[] table)
    {
        var part = new SnapshotReader(body, offset, length, table);
        var terms = ReadTerms(part);
        return part.Remaining == 0 ? terms : throw new InvalidOperationException("The terms part of the state snapshot has bytes after its end.");
    }

    private static void Write(BinaryWriter w, RevocationRecord x)
    {
        w.Write(x.RevocationId);
        w.Write(x.CompactId);
        w.Write(x.Version);
        w.Write(x.SessionId);
        w.Write(x.InitiatedBy);
        WriteOptional(w, x.InitiatorRole, (w, role) => w.Write((int)role));
        Write(w, x.InitiatedAt);
        Write(w, x.EffectiveAt);
        Write(w, x.AckDeadline);
        w.Write(x.InitiationHash);
        w.Write((int)x.Mode);
        WriteOptional(w, x.Reason);
        WriteOptional(w, x.Condition);
        w.Write(x.Emergency);
        w.Write((int)x.Status);
        WriteOptional(w, x.AcknowledgedAt, Write);
        WriteOptional(w, x.EscalatedAt, Write);
        WriteOptional(w, x.ActiveAt, Write);
        WriteOptional(w, x.LapsedAt, Write);
        WriteOptional(w, x.LapseReason);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static RevocationRecord ReadRevocation(SnapshotReader r) => new(
        r.ReadString(), r.ReadString(), r.ReadInt64(), r.ReadString(), r.ReadString(), ReadOptionalValue(r, ReadEnum<PartyRole>),
        ReadInstant(r), ReadInstant(r), ReadInstant(r), r.ReadString(), ReadEnum<RevocationMode>(r), ReadOptional(r), ReadOptional(r),
        r.ReadBoolean(), ReadEnum<RevocationStatus>(r), ReadOptionalValue(r, ReadInstant), ReadOptionalValue(r, ReadInstant),
        ReadOptionalValue(r, ReadInstant), ReadOptionalValue(r, ReadInstant), ReadOptional(r));

    private static void Write(BinaryWriter w, MarkerRecord m)
    {
        w.Write(m.MarkerId);
        w.Write(m.CompactId);
        w.Write(m.Marker);
        w.Write(m.Version);
        w.Write(m.SessionId);
        w.Write(m.RecordedBy);
        WriteOptional(w, m.RecorderRole, (w, role) => w.Write((int)role));
        Write(w, m.RecordedAt);
        w.Write(m.InitiationHash);
        WriteOptional(w, m.AckDeadline, Write);
        w.Write((int)m.Status);
        WriteOptional(w, m.EffectiveAt, Write);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static MarkerRecord ReadMarker(SnapshotReader r) => new(
        r.ReadString(), r.ReadString(), r.ReadString(), r.ReadInt64(), r.ReadString(), r.ReadString(), ReadOptionalValue(r, ReadEnum<PartyRole>),
        ReadInstant(r), r.ReadString(), ReadOptionalValue(r, ReadInstant), ReadEnum<MarkerStatus>(r), ReadOptionalValue(r, ReadInstant));

    // Values.

    private static void Write(BinaryWriter w, DateTimeOffset at)
    {
        w.Write(at.Ticks);
        w.Write((short)at.Offset.TotalMinutes);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static DateTimeOffset ReadInstant(SnapshotReader r) => new(r.ReadInt64(), TimeSpan.FromMinutes(r.ReadInt16()));

    private static void Write(BinaryWriter w, IsoDuration d)
    {
        foreach (var part in (int[])[d.Years, d.Months, d.Weeks, d.Days, d.Hours, d.Minutes, d.Seconds]) w.Write(part);
    }

    private static IsoDuration ReadDuration(SnapshotReader r) =>
        new(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32());

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T ReadEnum<T>(SnapshotReader r) where T : struct, Enum
    {
        var value = r.ReadInt32();
        var e = System.Runtime.CompilerServices.Unsafe.As<int, T>(ref value); // every enumeration here is int-backed
        return Enum.IsDefined(e) ? e : throw new FormatException($"{value} is no {typeof(T).Name}");
    }

    private static void Write<T>(BinaryWriter w, IEnumerable<T> items, Action<BinaryWriter, T> write)
    {
        var list = items as IReadOnlyCollection<T> ?? items.ToList();
        w.Write(list.Count);
        foreach (var item in list) write(w, item);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<T> ReadList<T>(SnapshotReader r, Func<SnapshotReader, T> read)
    {
        var count = Count(r);
        var list = new List<T>(count);
        for (var i = 0; i < count; i++) list.Add(read(r));
        return list;
    }

    /// <summary>A count of things that take at least a byte each: no more than the bytes left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Count(SnapshotReader r)
    {
        var count = r.ReadInt32();
        return count >= 0 && count <= r.Remaining ? count : throw new FormatException($"{count} items cannot fit");
    }

    private static void WriteOptional(BinaryWriter w, string? text) => WriteOptional(w, text, (w, t) => w.Write(t));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string? ReadOptional(SnapshotReader r) => ReadOptional(r, r => r.ReadString());

    private static void WriteOptional<T>(BinaryWriter w, T? value, Action<BinaryWriter, T> write) where T : class
    {
        w.Write(value is not null);
        if (value is not null) write(w, value);
    }

    private static void WriteOptional<T>(BinaryWriter w, T? value, Action<BinaryWriter, T> write) where T : struct
    {
        w.Write(value.HasValue);
        if (value is { } v) write(w, v);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T? ReadOptional<T>(SnapshotReader r, Func<SnapshotReader, T> read) where T : class => r.ReadBoolean() ? read(r) : null;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T? ReadOptionalValue<T>(SnapshotReader r, Func<SnapshotReader, T> read) where T : struct => r.ReadBoolean() ? read(r) : null;
}
