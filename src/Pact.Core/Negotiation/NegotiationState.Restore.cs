using System.Collections.Immutable;
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
    /// so this is the state the fold that made the records left, without the fold's cost per event.
    /// </summary>
    internal static NegotiationState Restore(
        IEnumerable<SessionInfo> sessions, IEnumerable<ProposalRecord> proposals, IEnumerable<CompactBinding> bindings,
        IEnumerable<CompactVersionInfo> compacts, IEnumerable<CompactVersionLifecycle> lifecycles,
        IEnumerable<RevocationRecord> revocations, IEnumerable<MarkerRecord> markers, IEnumerable<MandateRecord> mandates,
        IEnumerable<KeyValuePair<string, JsonObject>> mandateDecisions, IEnumerable<BundleRecord> bundles, OperationClock? clock)
    {
        // Sorted maps are built from a sorted copy in one pass (AddRange on an empty map), not one insertion at a time.
        static ImmutableSortedDictionary<TKey, TValue> Sorted<TKey, TValue>(ImmutableSortedDictionary<TKey, TValue> empty, IEnumerable<TValue> records, Func<TValue, TKey> key)
            where TKey : notnull => empty.AddRange(records.Select(r => KeyValuePair.Create(key(r), r)));
        var sessionMap = Empty.Sessions.AddRange(sessions.Select(s => KeyValuePair.Create(s.SessionId, s)));
        var proposalMap = Sorted(Empty.Proposals, proposals, p => p.ProposalId);
        var bindingMap = Empty.Bindings.AddRange(bindings.Select(b => KeyValuePair.Create(b.CompactId, b)));
        var compactMap = Sorted(Empty.Compacts, compacts, c => new CompactVersionKey(c.CompactId, c.Version));
        var lifecycleMap = Sorted(Empty.Lifecycles, lifecycles, l => new CompactVersionKey(l.CompactId, l.Version));
        var revocationMap = Sorted(Empty.Revocations, revocations, r => r.RevocationId);
        var markerMap = Sorted(Empty.Markers, markers, m => m.MarkerId);
        var mandateMap = Sorted(Empty.Mandates, mandates, m => m.MandateId);
        var bundleMap = Sorted(Empty.Bundles, bundles, b => b.BundleId);

        var state = new NegotiationState(sessionMap, proposalMap, bindingMap, compactMap)
        {
            Lifecycles = lifecycleMap,
            Revocations = revocationMap,
            Markers = markerMap,
            Mandates = mandateMap,
            MandateDecisions = Empty.MandateDecisions.AddRange(mandateDecisions),
            Bundles = bundleMap, // no index of their own: an open bundle's close is among the pending deadlines below
            Clock = clock,
            VersionNumbers = compactMap.Values.GroupBy(c => c.CompactId, StringComparer.Ordinal)
                .ToImmutableDictionary(g => g.Key, g => g.Select(c => c.Version).ToImmutableSortedSet(), StringComparer.Ordinal),
            SlotProposalIds = Index(proposalMap.Values.Select(p => (new CompactVersionKey(p.CompactId, p.Version), p.ProposalId))),
            LiveProposalIdsByCounterparty = Index(proposalMap.Values.Where(p => p.Status.IsLive()).Select(p => (p.CounterpartyAgent, p.ProposalId))),
            BoundCompactIdsByAgent = Index(bindingMap.Values.SelectMany(b => new[] { (b.AgentA, b.CompactId), (b.AgentB, b.CompactId) })),
            RevocationIdsByCompact = Index(revocationMap.Values.Select(r => (r.CompactId, r.RevocationId))),
            MarkerIdsByCompact = Index(markerMap.Values.Select(m => (m.CompactId, m.MarkerId))),
            MandateIdsByAgent = Index(mandateMap.Values.Select(m => (m.Agent, m.MandateId))),
            DependentIdsByUpstream = Index(lifecycleMap.Values.SelectMany(l => (l.Terms?.Upstream ?? []).Select(u => (u.CompactId, l.CompactId)))),
        };
        return state with { Pending = DeadlineSet.Of(state.RecomputePendingDeadlines()) };
    }

    /// <summary>The one-to-many index of these (key, id) pairs, each key's ids in ordinal order, as <see cref="IdIndex"/> keeps it.</summary>
    private static ImmutableDictionary<TKey, ImmutableSortedSet<string>> Index<TKey>(IEnumerable<(TKey Key, string Id)> pairs)
        where TKey : notnull =>
        pairs.GroupBy(p => p.Key).ToImmutableDictionary(g => g.Key, g => g.Select(p => p.Id).ToImmutableSortedSet(StringComparer.Ordinal));
}
