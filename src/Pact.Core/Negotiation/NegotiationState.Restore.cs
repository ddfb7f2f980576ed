using System.Text.Json.Nodes;
using Pact.Core.Bundles;
using Pact.Core.Lifecycle;
using Pact.Core.Mandates;

namespace Pact.Core.Negotiation;

// Rebuilding a state from its records (a snapshot) instead of folding the events that made them.
public sealed partial record NegotiationState
{
    /// <summary>
    /// The state whose records are these, with every look-up index and the pending deadlines computed from them in
    /// one pass: the indexes are a function of the records (Debug builds check each against a scan when it is read),
    /// so this is the state the fold that made the records left, without the fold's cost per event. Each record list
    /// must be in its table's key order, as a snapshot encodes it (<see cref="FormatException"/> otherwise); the tables
    /// and indexes take them as frozen sorted arrays, so no tree is built (ADR 0016).
    /// </summary>
    internal static NegotiationState Restore(
        IReadOnlyList<SessionInfo> sessions, IReadOnlyList<ProposalRecord> proposals, IReadOnlyList<CompactBinding> bindings,
        IReadOnlyList<CompactVersionInfo> compacts, IReadOnlyList<CompactVersionLifecycle> lifecycles,
        IReadOnlyList<RevocationRecord> revocations, IReadOnlyList<MarkerRecord> markers, IReadOnlyList<MandateRecord> mandates,
        IEnumerable<KeyValuePair<string, JsonObject>> mandateDecisions, IReadOnlyList<BundleRecord> bundles, OperationClock? clock)
    {
        var state = new NegotiationState(
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
            Bundles = RecordDictionary.FromSorted<string, BundleRecord>(Ordinal, bundles, b => b.BundleId), // an open bundle's close is among the pending deadlines below
            Clock = clock,
            VersionNumbers = SetIndex<string, long>.Of(compacts.Select(c => (c.CompactId, c.Version)), Ordinal, Comparer<long>.Default),
            SlotProposalIds = SetIndex<CompactVersionKey, string>.Of(proposals.Select(p => (new CompactVersionKey(p.CompactId, p.Version), p.ProposalId)), ByVersion, Ordinal),
            LiveProposalIdsByCounterparty = Index(proposals.Where(p => p.Status.IsLive()).Select(p => (p.CounterpartyAgent, p.ProposalId))),
            BoundCompactIdsByAgent = Index(bindings.SelectMany(b => new[] { (b.AgentA, b.CompactId), (b.AgentB, b.CompactId) })),
            RevocationIdsByCompact = Index(revocations.Select(r => (r.CompactId, r.RevocationId))),
            MarkerIdsByCompact = Index(markers.Select(m => (m.CompactId, m.MarkerId))),
            MandateIdsByAgent = Index(mandates.Select(m => (m.Agent, m.MandateId))),
            DependentIdsByUpstream = Index(lifecycles.SelectMany(l => l.UpstreamIds.Select(u => (u, l.CompactId)))),
        };
        return state with { Pending = DeadlineSet.Of(state.EveryPendingDeadline()) };
    }

    /// <summary>The one-to-many index of these (key, id) pairs, each key's ids in ordinal order.</summary>
    private static SetIndex<string, string> Index(IEnumerable<(string Key, string Id)> pairs) => SetIndex<string, string>.Of(pairs, Ordinal, Ordinal);
}
