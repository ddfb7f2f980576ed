using System.Collections.Immutable;
using Pact.Core.Bundles;
using Pact.Core.Lifecycle;
using Pact.Core.Mandates;

namespace Pact.Core.Negotiation;

/// <summary>
/// The slice of the daemon's world a negotiation decision reads. The daemon can build it from its tables
/// by key with the <c>With…</c> methods, loading for a command:
/// <list type="bullet">
/// <item>create: the session, every proposal of the (compactId, version) slot, the compactId's binding,
/// the compactId's in-force version (for version n+1), and the replaced proposal;</item>
/// <item>sign: the proposal, its session, and for version n+1 the version n record;</item>
/// <item>decline, withdraw, withdrawal ack: the proposal and its session;</item>
/// <item>deadlines: the open and withdrawal-pending proposals (with their sessions).</item>
/// </list>
/// Replay builds the same state by folding events with <see cref="Apply"/>.
/// <para>
/// The compact lifecycle (§6) lives here too, so one fold feeds every decision: the parsed terms and
/// inForceAt of each version and how it ended (<see cref="Lifecycles"/>), revocations and markers. Deadlines
/// of all six kinds come from <see cref="PendingDeadlines"/>.
/// </para>
/// </summary>
public sealed partial record NegotiationState(
    RecordDictionary<string, SessionInfo> Sessions,
    RecordDictionary<string, ProposalRecord> Proposals,
    RecordDictionary<string, CompactBinding> Bindings,
    RecordDictionary<CompactVersionKey, CompactVersionInfo> Compacts) : Sessions.IBundleMembership
{
    // Every table and index is in key order (ordinal for ids) with a frozen base a restore reads as decoded (ADR 0016).
    private static readonly IComparer<string> Ordinal = StringComparer.Ordinal;
    private static readonly IComparer<CompactVersionKey> ByVersion = Comparer<CompactVersionKey>.Default;

    public static NegotiationState Empty { get; } = new(
        RecordDictionary.Empty<string, SessionInfo>(Ordinal),
        RecordDictionary.Empty<string, ProposalRecord>(Ordinal),
        RecordDictionary.Empty<string, CompactBinding>(Ordinal),
        RecordDictionary.Empty<CompactVersionKey, CompactVersionInfo>(ByVersion));

    /// <summary>Terms, inForceAt and end of every signed version, by (compactId, version).</summary>
    public RecordDictionary<CompactVersionKey, CompactVersionLifecycle> Lifecycles { get; init; } = RecordDictionary.Empty<CompactVersionKey, CompactVersionLifecycle>(ByVersion);

    /// <summary>Every revocation ever initiated, by id (creation order).</summary>
    public RecordDictionary<string, RevocationRecord> Revocations { get; init; } = RecordDictionary.Empty<string, RevocationRecord>(Ordinal);

    /// <summary>Every marker ever recorded, by id (creation order).</summary>
    public RecordDictionary<string, MarkerRecord> Markers { get; init; } = RecordDictionary.Empty<string, MarkerRecord>(Ordinal);

    /// <summary>Every mandate ever granted, by id (creation order), as its stream says (§14).</summary>
    public RecordDictionary<string, MandateRecord> Mandates { get; init; } = RecordDictionary.Empty<string, MandateRecord>(Ordinal);

    /// <summary>
    /// The decision a mandate recorded on each proposal it judged (§14), by proposal id: what the agent's pending list shows
    /// for a proposal the mandate escalated. A counter's second decision (on the daemon's own counter) is not one of them.
    /// </summary>
    public ImmutableDictionary<string, System.Text.Json.Nodes.JsonObject> MandateDecisions { get; init; } =
        ImmutableDictionary.Create<string, System.Text.Json.Nodes.JsonObject>(StringComparer.Ordinal);

    /// <summary>Every bundle ever created, by id (creation order), §15.</summary>
    public RecordDictionary<string, BundleRecord> Bundles { get; init; } = RecordDictionary.Empty<string, BundleRecord>(Ordinal);

    /// <summary>
    /// The dueAt of the deadline operation being folded, and the time it was recorded at. The daemon events that
    /// follow a deadline event in the same operation (a compact.revoked after an escalation, a cascade, a lapse
    /// after an expiry) carry no dueAt of their own; they happened at that dueAt (§0), not at the later instant
    /// the daemon may have recorded them.
    /// </summary>
    internal OperationClock? Clock { get; init; }

    public NegotiationState With(SessionInfo session) => this with { Sessions = Sessions.SetItem(session.SessionId, session) };

    public NegotiationState With(ProposalRecord proposal)
    {
        var before = Proposal(proposal.ProposalId);
        static string? AwaitedBy(ProposalRecord? p) => p is not null && p.Status.IsLive() ? p.CounterpartyAgent : null;
        return this with
        {
            Proposals = Proposals.SetItem(proposal.ProposalId, proposal),
            Pending = Pending.Remove(before?.PendingDeadline).Add(proposal.PendingDeadline),
            SlotProposalIds = SlotProposalIds.Add(new CompactVersionKey(proposal.CompactId, proposal.Version), proposal.ProposalId),
            LiveProposalIdsByCounterparty = LiveProposalIdsByCounterparty.Move(AwaitedBy(before), AwaitedBy(proposal), proposal.ProposalId),
        };
    }

    public NegotiationState With(CompactBinding binding)
    {
        var before = Bindings.GetValueOrDefault(binding.CompactId);
        if (before == binding) return this;
        var byAgent = BoundCompactIdsByAgent;
        if (before is not null)
            byAgent = byAgent.Remove(before.AgentA, before.CompactId).Remove(before.AgentB, before.CompactId);
        return this with
        {
            Bindings = Bindings.SetItem(binding.CompactId, binding),
            BoundCompactIdsByAgent = byAgent.Add(binding.AgentA, binding.CompactId).Add(binding.AgentB, binding.CompactId),
        };
    }

    public NegotiationState With(CompactVersionInfo compact)
    {
        var key = new CompactVersionKey(compact.CompactId, compact.Version);
        var before = Compacts.GetValueOrDefault(key);
        var next = this with { Compacts = Compacts.SetItem(key, compact), VersionNumbers = VersionNumbers.Add(compact.CompactId, compact.Version) };
        var pending = Pending.Remove(before is null ? null : LifecycleFold.ExpiryOf(this, before)).Add(LifecycleFold.ExpiryOf(next, compact));
        var wasInForce = before?.Status == CompactVersionStatus.InForce;
        var isInForce = compact.Status == CompactVersionStatus.InForce;
        if (wasInForce != isInForce)
        {
            // A revocation's deadlines wait only while its version is in force.
            foreach (var r in RevocationsOf(compact.CompactId))
            {
                if (r.Version != compact.Version) continue;
                pending = isInForce ? pending.Add(r.PendingDeadline) : pending.Remove(r.PendingDeadline);
            }
        }
        return next with { Pending = pending };
    }

    public NegotiationState With(CompactVersionLifecycle lifecycle)
    {
        var key = new CompactVersionKey(lifecycle.CompactId, lifecycle.Version);
        var dependents = DependentIdsByUpstream;
        foreach (var upstream in lifecycle.UpstreamIds) dependents = dependents.Add(upstream, lifecycle.CompactId);
        var next = this with { Lifecycles = Lifecycles.SetItem(key, lifecycle), DependentIdsByUpstream = dependents };
        if (Compacts.GetValueOrDefault(key) is not { } compact) return next;
        return next with { Pending = Pending.Remove(LifecycleFold.ExpiryOf(this, compact)).Add(LifecycleFold.ExpiryOf(next, compact)) };
    }

    public NegotiationState With(RevocationRecord revocation)
    {
        var before = Revocation(revocation.RevocationId);
        var inForce = Compact(revocation.CompactId, revocation.Version)?.Status == CompactVersionStatus.InForce;
        return this with
        {
            Revocations = Revocations.SetItem(revocation.RevocationId, revocation),
            Pending = inForce ? Pending.Remove(before?.PendingDeadline).Add(revocation.PendingDeadline) : Pending,
            RevocationIdsByCompact = RevocationIdsByCompact.Move(before?.CompactId, revocation.CompactId, revocation.RevocationId),
        };
    }

    public NegotiationState With(BundleRecord bundle)
    {
        var before = Bundle(bundle.BundleId);
        return this with
        {
            Bundles = Bundles.SetItem(bundle.BundleId, bundle),
            Pending = Pending.Remove(before?.PendingDeadline).Add(bundle.PendingDeadline),
        };
    }

    public NegotiationState With(MarkerRecord marker)
    {
        var before = Marker(marker.MarkerId);
        return this with
        {
            Markers = Markers.SetItem(marker.MarkerId, marker),
            Pending = Pending.Remove(before?.PendingDeadline).Add(marker.PendingDeadline),
            MarkerIdsByCompact = MarkerIdsByCompact.Move(before?.CompactId, marker.CompactId, marker.MarkerId),
        };
    }

    public NegotiationState With(MandateRecord mandate)
    {
        var before = Mandate(mandate.MandateId);
        return this with
        {
            Mandates = Mandates.SetItem(mandate.MandateId, mandate),
            Pending = Pending.Remove(before?.PendingDeadline).Add(mandate.PendingDeadline),
            MandateIdsByAgent = MandateIdsByAgent.Move(before?.Agent, mandate.Agent, mandate.MandateId),
        };
    }

    /// <summary>
    /// Every pending deadline, kept in step by the <c>With</c> methods (the only way records change), so finding
    /// the next one is O(log n) however long the history; a multiset, since two in-force versions may share an expiry.
    /// </summary>
    private DeadlineSet Pending { get; init; } = DeadlineSet.Empty;

    // Look-up indexes kept by the With methods, so per-compact and per-slot questions do not scan the whole history.
    private SetIndex<string, long> VersionNumbers { get; init; } = SetIndex<string, long>.Empty(Ordinal, Comparer<long>.Default);

    private SetIndex<CompactVersionKey, string> SlotProposalIds { get; init; } = SetIndex<CompactVersionKey, string>.Empty(ByVersion, Ordinal);

    // Open and withdrawal-pending proposals by the agent whose answer they wait for.
    private SetIndex<string, string> LiveProposalIdsByCounterparty { get; init; } = SetIndex<string, string>.Empty(Ordinal, Ordinal);

    // Compact ids by each agent bound to them (as a or b).
    private SetIndex<string, string> BoundCompactIdsByAgent { get; init; } = SetIndex<string, string>.Empty(Ordinal, Ordinal);

    private SetIndex<string, string> RevocationIdsByCompact { get; init; } = SetIndex<string, string>.Empty(Ordinal, Ordinal);

    private SetIndex<string, string> MarkerIdsByCompact { get; init; } = SetIndex<string, string>.Empty(Ordinal, Ordinal);

    // Mandates by their granting agent.
    private SetIndex<string, string> MandateIdsByAgent { get; init; } = SetIndex<string, string>.Empty(Ordinal, Ordinal);

    // Compact ids whose terms (of any signed version) name an upstream compact id; a version's terms never change,
    // so entries are only ever added.
    private SetIndex<string, string> DependentIdsByUpstream { get; init; } = SetIndex<string, string>.Empty(Ordinal, Ordinal);
}
