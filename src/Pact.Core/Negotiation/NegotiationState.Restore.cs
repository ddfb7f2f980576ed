using System.Collections.Immutable;
using Pact.Core.Lifecycle;

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
        IEnumerable<RevocationRecord> revocations, IEnumerable<MarkerRecord> markers, OperationClock? clock)
    {
        var sessionMap = Empty.Sessions.ToBuilder();
        foreach (var s in sessions) sessionMap.Add(s.SessionId, s);
        var proposalMap = Empty.Proposals.ToBuilder();
        foreach (var p in proposals) proposalMap.Add(p.ProposalId, p);
        var bindingMap = Empty.Bindings.ToBuilder();
        foreach (var b in bindings) bindingMap.Add(b.CompactId, b);
        var compactMap = Empty.Compacts.ToBuilder();
        foreach (var c in compacts) compactMap.Add(new CompactVersionKey(c.CompactId, c.Version), c);
        var lifecycleMap = Empty.Lifecycles.ToBuilder();
        foreach (var l in lifecycles) lifecycleMap.Add(new CompactVersionKey(l.CompactId, l.Version), l);
        var revocationMap = Empty.Revocations.ToBuilder();
        foreach (var r in revocations) revocationMap.Add(r.RevocationId, r);
        var markerMap = Empty.Markers.ToBuilder();
        foreach (var m in markers) markerMap.Add(m.MarkerId, m);

        var state = new NegotiationState(sessionMap.ToImmutable(), proposalMap.ToImmutable(), bindingMap.ToImmutable(), compactMap.ToImmutable())
        {
            Lifecycles = lifecycleMap.ToImmutable(),
            Revocations = revocationMap.ToImmutable(),
            Markers = markerMap.ToImmutable(),
            Clock = clock,
            VersionNumbers = compactMap.Values.GroupBy(c => c.CompactId, StringComparer.Ordinal)
                .ToImmutableDictionary(g => g.Key, g => g.Select(c => c.Version).ToImmutableSortedSet(), StringComparer.Ordinal),
            SlotProposalIds = Index(proposalMap.Values.Select(p => (new CompactVersionKey(p.CompactId, p.Version), p.ProposalId))),
            LiveProposalIdsByCounterparty = Index(proposalMap.Values.Where(p => p.Status.IsLive()).Select(p => (p.CounterpartyAgent, p.ProposalId))),
            BoundCompactIdsByAgent = Index(bindingMap.Values.SelectMany(b => new[] { (b.AgentA, b.CompactId), (b.AgentB, b.CompactId) })),
            RevocationIdsByCompact = Index(revocationMap.Values.Select(r => (r.CompactId, r.RevocationId))),
            MarkerIdsByCompact = Index(markerMap.Values.Select(m => (m.CompactId, m.MarkerId))),
            DependentIdsByUpstream = Index(lifecycleMap.Values.SelectMany(l => (l.Terms?.Upstream ?? []).Select(u => (u.CompactId, l.CompactId)))),
        };
        return state with { Pending = DeadlineSet.Of(state.RecomputePendingDeadlines()) };
    }

    /// <summary>The one-to-many index of these (key, id) pairs, each key's ids in ordinal order, as <see cref="IdIndex"/> keeps it.</summary>
    private static ImmutableDictionary<TKey, ImmutableSortedSet<string>> Index<TKey>(IEnumerable<(TKey Key, string Id)> pairs)
        where TKey : notnull =>
        pairs.GroupBy(p => p.Key).ToImmutableDictionary(g => g.Key, g => g.Select(p => p.Id).ToImmutableSortedSet(StringComparer.Ordinal));
}
