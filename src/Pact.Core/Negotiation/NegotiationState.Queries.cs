using Pact.Core.Bundles;
using Pact.Core.Lifecycle;
using Pact.Core.Mandates;
using Pact.Core.Sessions;
using Pact.Core.Terms;

namespace Pact.Core.Negotiation;

// The questions decisions and the daemon ask of the state, answered from its indexes.
public sealed partial record NegotiationState
{
    /// <summary>The open and withdrawal-pending proposals whose counterparty is <paramref name="agent"/>, in id (creation) order.</summary>
    public IEnumerable<ProposalRecord> LiveProposalsAwaiting(string agent)
    {
        var ids = LiveProposalIdsByCounterparty.Get(agent);
        CheckIndex(ids, Proposals.Values.Where(p => p.Status.IsLive() && p.CounterpartyAgent == agent).Select(p => p.ProposalId), "live proposals of " + agent);
        return ids.Select(id => Proposals[id]);
    }

    /// <summary>The ids of the compacts <paramref name="agent"/> is bound to as party a or b, in id order.</summary>
    public IEnumerable<string> CompactIdsOf(string agent)
    {
        var ids = BoundCompactIdsByAgent.Get(agent);
        CheckIndex(ids, Bindings.Values.Where(b => b.AgentA == agent || b.AgentB == agent).Select(b => b.CompactId).Order(StringComparer.Ordinal), "compacts of " + agent);
        return ids;
    }

    /// <summary>Every revocation of any version of <paramref name="compactId"/>, in id (creation) order.</summary>
    public IEnumerable<RevocationRecord> RevocationsOf(string compactId)
    {
        var ids = RevocationIdsByCompact.Get(compactId);
        CheckIndex(ids, Revocations.Values.Where(r => r.CompactId == compactId).Select(r => r.RevocationId), "revocations of " + compactId);
        return ids.Select(id => Revocations[id]);
    }

    /// <summary>Every marker of <paramref name="compactId"/>, in id (creation) order.</summary>
    public IEnumerable<MarkerRecord> MarkersOf(string compactId)
    {
        var ids = MarkerIdsByCompact.Get(compactId);
        CheckIndex(ids, Markers.Values.Where(m => m.CompactId == compactId).Select(m => m.MarkerId), "markers of " + compactId);
        return ids.Select(id => Markers[id]);
    }

    /// <summary>The ids of the compacts some signed version of which names <paramref name="upstreamId"/> as upstream, in id order.</summary>
    public IEnumerable<string> DependentsOf(string upstreamId)
    {
        var ids = DependentIdsByUpstream.Get(upstreamId);
        CheckIndex(ids, Lifecycles.Values.Where(l => l.Terms?.Upstream.Any(u => u.CompactId == upstreamId) == true)
            .Select(l => l.CompactId).Distinct().Order(StringComparer.Ordinal), "dependents of " + upstreamId);
        return ids;
    }

    // Debug builds (every test run) prove each look-up index equal to the scan it replaces, each time it is read.
    [System.Diagnostics.Conditional("DEBUG")]
    private static void CheckIndex(IEnumerable<string> indexed, IEnumerable<string> scanned, string what)
    {
        if (!indexed.SequenceEqual(scanned))
            throw new InvalidOperationException($"The index of {what} drifted: index [{string.Join(", ", indexed)}], scan [{string.Join(", ", scanned)}].");
    }

    /// <summary>Every mandate <paramref name="agent"/> granted, in id (creation) order.</summary>
    public IEnumerable<MandateRecord> MandatesOf(string agent)
    {
        var ids = MandateIdsByAgent.Get(agent);
        CheckIndex(ids, Mandates.Values.Where(m => m.Agent == agent).Select(m => m.MandateId), "mandates of " + agent);
        return ids.Select(id => Mandates[id]);
    }

    /// <summary>
    /// The mandate that answers for <paramref name="agent"/> on a proposal in <paramref name="sessionId"/> for
    /// <paramref name="compactId"/> from <paramref name="counterparty"/> (§14 "When it applies"): active at
    /// <paramref name="now"/>, in scope, and of those the one granted last (highest seq of <c>mandate.granted</c>).
    /// <paramref name="acknowledging"/> further requires that kind in its <c>acknowledge</c>.
    /// </summary>
    public MandateRecord? ApplyingMandate(string agent, string sessionId, string counterparty, string compactId, DateTimeOffset now,
        string? acknowledging = null) =>
        MandatesOf(agent)
            .Where(m => m.IsActiveAt(now) && m.Scope.Covers(sessionId, counterparty, compactId) && (acknowledging is null || m.Acknowledges(acknowledging)))
            .MaxBy(m => m.GrantSeq);

    public MandateRecord? Mandate(string mandateId) => Mandates.GetValueOrDefault(mandateId);

    public RevocationRecord? Revocation(string revocationId) => Revocations.GetValueOrDefault(revocationId);

    public MarkerRecord? Marker(string markerId) => Markers.GetValueOrDefault(markerId);

    public CompactVersionLifecycle? Lifecycle(string compactId, long version) => Lifecycles.GetValueOrDefault(new CompactVersionKey(compactId, version));

    /// <summary>Every signed version of <paramref name="compactId"/>, oldest first.</summary>
    public IEnumerable<CompactVersionInfo> Versions(string compactId) =>
        VersionNumbers.Get(compactId).Select(v => Compacts[new CompactVersionKey(compactId, v)]);

    /// <summary>The compact's current version: its highest signed one (the compact's status is that version's, §6.1).</summary>
    public CompactVersionInfo? CurrentVersion(string compactId) => Versions(compactId).LastOrDefault();

    /// <summary>The open revocation of a version (initiated, acknowledged or escalated), if any.</summary>
    public RevocationRecord? OpenRevocation(string compactId, long version) =>
        Compact(compactId, version)?.OpenRevocationId is { } id ? Revocation(id) : null;

    /// <summary>
    /// The session and compact a deadline concerns (for locking): the proposal's session and compactId, the
    /// revoked or expiring version's session, the marker's stream. Null when the id is unknown.
    /// A revocation or expiry may cascade into dependent compacts' sessions as well.
    /// </summary>
    public (string SessionId, string CompactId)? SubjectOf(Deadline deadline) => deadline.Kind switch
    {
        DeadlineKind.ProposalExpiry or DeadlineKind.WithdrawalEscalation =>
            Proposal(deadline.Id) is { } p ? (p.SessionId, p.CompactId) : null,
        DeadlineKind.RevocationEscalation or DeadlineKind.RevocationEffective =>
            Revocation(deadline.Id) is { } r ? (r.SessionId, r.CompactId) : null,
        DeadlineKind.MarkerEffective => Marker(deadline.Id) is { } m ? (m.SessionId, m.CompactId) : null,
        DeadlineKind.CompactExpiry => InForce(deadline.Id) is { } c ? (c.SessionId, c.CompactId) : null,
        DeadlineKind.BundleClose => Bundle(deadline.Id) is { } b ? (b.SessionId, b.BundleId) : null,
        _ => null,
    };

    public SessionInfo? Session(string sessionId) => Sessions.GetValueOrDefault(sessionId);

    public ProposalRecord? Proposal(string proposalId) => Proposals.GetValueOrDefault(proposalId);

    public CompactVersionInfo? Compact(string compactId, long version) => Compacts.GetValueOrDefault(new CompactVersionKey(compactId, version));

    /// <summary>The version of <paramref name="compactId"/> currently in force, if any.</summary>
    public CompactVersionInfo? InForce(string compactId) => Versions(compactId).FirstOrDefault(c => c.Status == CompactVersionStatus.InForce);

    /// <summary>Every proposal ever made for (compactId, version), in id (creation) order.</summary>
    public IEnumerable<ProposalRecord> SlotProposals(string compactId, long version) =>
        SlotProposalIds.Get(new CompactVersionKey(compactId, version)).Select(id => Proposals[id]);

    /// <summary>
    /// Every deadline still pending, of all six kinds, in firing order: proposal expiry and withdrawal escalation
    /// (§5), revocation escalation and activation, marker effect and compact expiry (§6, §8.2).
    /// </summary>
    public IEnumerable<Deadline> PendingDeadlines()
    {
#if DEBUG
        // Debug builds (every test run) prove the index equal to a full recomputation each time it is read.
        var full = RecomputePendingDeadlines();
        if (!full.SequenceEqual(Pending.InOrder()))
            throw new InvalidOperationException($"The pending-deadline index drifted: index [{string.Join(", ", Pending.InOrder())}], full [{string.Join(", ", full)}].");
#endif
        return Pending.InOrder();
    }

    /// <summary>The pending deadlines computed from every record, as the index must always hold them.</summary>
    internal List<Deadline> RecomputePendingDeadlines() => EveryPendingDeadline().Order().ToList();

    /// <summary>The pending deadlines computed from every record, unordered.</summary>
    private IEnumerable<Deadline> EveryPendingDeadline() =>
        Proposals.Values.Select(p => p.PendingDeadline).OfType<Deadline>()
            .Concat(Bundles.Values.Select(b => b.PendingDeadline).OfType<Deadline>())
            .Concat(LifecycleFold.PendingDeadlines(this))
            .Concat(Mandates.Values.Select(m => m.PendingDeadline).OfType<Deadline>());

    public BundleRecord? Bundle(string bundleId) => Bundles.GetValueOrDefault(bundleId);

    /// <summary>The coordinator's role in a bundle member's terms (§15), or null for a proposal outside bundles.</summary>
    public PartyRole? CoordinatorRoleOf(string proposalId) =>
        Proposal(proposalId) is { BundleId: { } id } p ? Bundle(id)?.Member(p.ProposalId)?.CoordinatorRole : null;

    /// <summary>The bundle a proposal is a member of, if any.</summary>
    public BundleRecord? BundleOf(ProposalRecord proposal) => proposal.BundleId is { } id ? Bundle(id) : null;

    /// <summary>The open bundles of a session, in id (creation) order.</summary>
    public IEnumerable<BundleRecord> OpenBundles(string sessionId) =>
        Bundles.Values.Where(b => b.SessionId == sessionId && b.Status == BundleStatus.Open);
}
