using System.Text.Json.Nodes;
using Pact.Core.Bundles;
using Pact.Core.Lifecycle;
using Pact.Core.Mandates;

namespace Pact.Core.Negotiation;

// Rebuilding a state from its records and indexes (a snapshot) instead of folding the events that made them.
public sealed partial record NegotiationState
{
    /// <summary>
    /// The state whose records and look-up indexes are these, as a snapshot stored them: nothing is sorted or scanned,
    /// so a restore costs what reading the snapshot costs (ADR 0016, ADR 0017). Each record list must be in its table's
    /// key order (<see cref="FormatException"/> otherwise). The indexes are a function of the records, taken as stored:
    /// the snapshot's seal and hash vouch for them, Debug builds check each against a scan whenever it is read, and the
    /// check of a start against the whole log (<see cref="StateSnapshot.Differences"/>) compares them too.
    /// </summary>
    internal static NegotiationState Restore(
        IReadOnlyList<SessionInfo> sessions, IReadOnlyList<ProposalRecord> proposals, IReadOnlyList<CompactBinding> bindings,
        IReadOnlyList<CompactVersionInfo> compacts, IReadOnlyList<CompactVersionLifecycle> lifecycles,
        IReadOnlyList<RevocationRecord> revocations, IReadOnlyList<MarkerRecord> markers, IReadOnlyList<MandateRecord> mandates,
        IEnumerable<KeyValuePair<string, JsonObject>> mandateDecisions, IReadOnlyList<BundleRecord> bundles, OperationClock? clock,
        StateIndexes indexes) =>
        new(
            RecordDictionary.FromSorted<string, SessionInfo>(Ordinal, sessions, s => s.SessionId),
            RecordDictionary.FromSorted<string, ProposalRecord>(Ordinal, proposals, p => p.ProposalId),
            RecordDictionary.FromSorted<string, CompactBinding>(Ordinal, bindings, b => b.CompactId),
            RecordDictionary.FromSorted<CompactVersionKey, CompactVersionInfo>(ByVersion, compacts, c => new CompactVersionKey(c.CompactId, c.Version)))
        {
            Lifecycles = RecordDictionary.FromSorted<CompactVersionKey, CompactVersionLifecycle>(ByVersion, lifecycles, l => new CompactVersionKey(l.CompactId, l.Version)),
            Revocations = RecordDictionary.FromSorted<string, RevocationRecord>(Ordinal, revocations, r => r.RevocationId),
            Markers = RecordDictionary.FromSorted<string, MarkerRecord>(Ordinal, markers, m => m.MarkerId),
            Mandates = RecordDictionary.FromSorted<string, MandateRecord>(Ordinal, mandates, m => m.MandateId),
            MandateDecisions = Empty.MandateDecisions.AddRange(mandateDecisions),
            Bundles = RecordDictionary.FromSorted<string, BundleRecord>(Ordinal, bundles, b => b.BundleId),
            Clock = clock,
            VersionNumbers = indexes.VersionNumbers,
            SlotProposalIds = indexes.SlotProposalIds,
            LiveProposalIdsByCounterparty = indexes.LiveProposalIdsByCounterparty,
            BoundCompactIdsByAgent = indexes.BoundCompactIdsByAgent,
            RevocationIdsByCompact = indexes.RevocationIdsByCompact,
            MarkerIdsByCompact = indexes.MarkerIdsByCompact,
            MandateIdsByAgent = indexes.MandateIdsByAgent,
            DependentIdsByUpstream = indexes.DependentIdsByUpstream,
            Pending = indexes.Pending, // an open bundle's close is among them
        };

    /// <summary>The look-up indexes and pending deadlines, as a snapshot stores them beside the records.</summary>
    internal StateIndexes Indexes => new(VersionNumbers, SlotProposalIds, LiveProposalIdsByCounterparty, BoundCompactIdsByAgent,
        RevocationIdsByCompact, MarkerIdsByCompact, MandateIdsByAgent, DependentIdsByUpstream, Pending);
}

/// <summary>What a state keeps beside its records so that no question scans them (see the properties of <see cref="NegotiationState"/>).</summary>
internal sealed record StateIndexes(
    SetIndex<string, long> VersionNumbers,
    SetIndex<CompactVersionKey, string> SlotProposalIds,
    SetIndex<string, string> LiveProposalIdsByCounterparty,
    SetIndex<string, string> BoundCompactIdsByAgent,
    SetIndex<string, string> RevocationIdsByCompact,
    SetIndex<string, string> MarkerIdsByCompact,
    SetIndex<string, string> MandateIdsByAgent,
    SetIndex<string, string> DependentIdsByUpstream,
    DeadlineSet Pending);
