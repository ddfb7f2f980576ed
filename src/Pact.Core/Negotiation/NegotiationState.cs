using Pact.Core.Terms;
using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Core.Lifecycle;
using Pact.Core.Sessions;
using Pact.Core.Time;

namespace Pact.Core.Negotiation;

/// <summary>What negotiation needs to know of a session: its status and participants.</summary>
public sealed record SessionInfo(string SessionId, SessionStatus Status, ImmutableArray<string> Participants)
{
    public bool IsParticipant(string did) => Participants.Contains(did, StringComparer.Ordinal);
}

/// <summary>A pending withdrawal: when it was initiated and the hash of its initiated event (the withdrawalHash).</summary>
public sealed record WithdrawalInfo(DateTimeOffset InitiatedAt, string InitiationHash);

/// <summary>
/// One proposal as negotiation sees it. <see cref="CreatedEventHash"/> is the hash of its
/// proposal.created event (failure evidence); <see cref="Withdrawal"/> is set once a withdrawal was initiated.
/// </summary>
public sealed record ProposalRecord(
    string ProposalId,
    string SessionId,
    string CompactId,
    long Version,
    string TermsHash,
    PartyRole Proposer,
    string AgentA,
    string AgentB,
    ProposalStatus Status,
    DateTimeOffset? ExpiresAt,
    IsoDuration? AckTimeout,
    PredecessorRef? Predecessor,
    string CreatedEventHash,
    WithdrawalInfo? Withdrawal = null)
{
    public string AgentOf(PartyRole role) => role == PartyRole.A ? AgentA : AgentB;

    public string ProposerAgent => AgentOf(Proposer);

    public string CounterpartyAgent => AgentOf(Proposer.Other());

    /// <summary>
    /// The one deadline this proposal waits on, if any: while withdrawal-pending, escalation at initiation +
    /// ackTimeout when that comes strictly before expiresAt; otherwise, while open or pending, expiry at expiresAt.
    /// </summary>
    public Deadline? PendingDeadline
    {
        get
        {
            if (!Status.IsLive()) return null;
            if (Status == ProposalStatus.WithdrawalPending && Withdrawal is { } w && AckTimeout is { } ack)
            {
                var escalatesAt = ack.AddTo(w.InitiatedAt);
                if (ExpiresAt is null || escalatesAt < ExpiresAt)
                    return new Deadline(escalatesAt, DeadlineKind.WithdrawalEscalation, ProposalId);
            }
            return ExpiresAt is { } at ? new Deadline(at, DeadlineKind.ProposalExpiry, ProposalId) : null;
        }
    }

    /// <summary>The status as of <paramref name="now"/>, as if every reached deadline had already fired (§0).</summary>
    public ProposalStatus StatusAt(DateTimeOffset now) => PendingDeadline switch
    {
        { } d when d.IsReached(now) => d.Kind == DeadlineKind.WithdrawalEscalation ? ProposalStatus.Withdrawn : ProposalStatus.Expired,
        _ => Status,
    };
}

/// <summary>The first proposal naming a compactId binds it to these agents in roles a and b (§5).</summary>
public sealed record CompactBinding(string CompactId, string AgentA, string AgentB);

/// <summary>(compactId, version), ordered by compactId (ordinal) then version.</summary>
public readonly record struct CompactVersionKey(string CompactId, long Version) : IComparable<CompactVersionKey>
{
    public int CompareTo(CompactVersionKey other)
    {
        var c = string.CompareOrdinal(CompactId, other.CompactId);
        return c != 0 ? c : Version.CompareTo(other.Version);
    }

    public static bool operator <(CompactVersionKey left, CompactVersionKey right) => left.CompareTo(right) < 0;

    public static bool operator >(CompactVersionKey left, CompactVersionKey right) => left.CompareTo(right) > 0;

    public static bool operator <=(CompactVersionKey left, CompactVersionKey right) => left.CompareTo(right) <= 0;

    public static bool operator >=(CompactVersionKey left, CompactVersionKey right) => left.CompareTo(right) >= 0;
}

/// <summary>
/// A signed compact version: its hash, the session whose stream carries its events, its status and the
/// revocation open on it (which lapses when a successor goes in force).
/// </summary>
public sealed record CompactVersionInfo(
    string CompactId,
    long Version,
    string CompactHash,
    string SessionId,
    CompactVersionStatus Status,
    string? OpenRevocationId = null);

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
public sealed record NegotiationState(
    ImmutableDictionary<string, SessionInfo> Sessions,
    ImmutableSortedDictionary<string, ProposalRecord> Proposals,
    ImmutableDictionary<string, CompactBinding> Bindings,
    ImmutableSortedDictionary<CompactVersionKey, CompactVersionInfo> Compacts)
{
    public static NegotiationState Empty { get; } = new(
        ImmutableDictionary.Create<string, SessionInfo>(StringComparer.Ordinal),
        ImmutableSortedDictionary.Create<string, ProposalRecord>(StringComparer.Ordinal),
        ImmutableDictionary.Create<string, CompactBinding>(StringComparer.Ordinal),
        ImmutableSortedDictionary.Create<CompactVersionKey, CompactVersionInfo>());

    /// <summary>Terms, inForceAt and end of every signed version, by (compactId, version).</summary>
    public ImmutableSortedDictionary<CompactVersionKey, CompactVersionLifecycle> Lifecycles { get; init; } =
        ImmutableSortedDictionary.Create<CompactVersionKey, CompactVersionLifecycle>();

    /// <summary>Every revocation ever initiated, by id (creation order).</summary>
    public ImmutableSortedDictionary<string, RevocationRecord> Revocations { get; init; } =
        ImmutableSortedDictionary.Create<string, RevocationRecord>(StringComparer.Ordinal);

    /// <summary>Every marker ever recorded, by id (creation order).</summary>
    public ImmutableSortedDictionary<string, MarkerRecord> Markers { get; init; } =
        ImmutableSortedDictionary.Create<string, MarkerRecord>(StringComparer.Ordinal);

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
            SlotProposalIds = IdIndex.Add(SlotProposalIds, new CompactVersionKey(proposal.CompactId, proposal.Version), proposal.ProposalId),
            LiveProposalIdsByCounterparty = IdIndex.Move(LiveProposalIdsByCounterparty, AwaitedBy(before), AwaitedBy(proposal), proposal.ProposalId),
        };
    }

    public NegotiationState With(CompactBinding binding)
    {
        var before = Bindings.GetValueOrDefault(binding.CompactId);
        if (before == binding) return this;
        var byAgent = BoundCompactIdsByAgent;
        if (before is not null)
            byAgent = IdIndex.Remove(IdIndex.Remove(byAgent, before.AgentA, before.CompactId), before.AgentB, before.CompactId);
        return this with
        {
            Bindings = Bindings.SetItem(binding.CompactId, binding),
            BoundCompactIdsByAgent = IdIndex.Add(IdIndex.Add(byAgent, binding.AgentA, binding.CompactId), binding.AgentB, binding.CompactId),
        };
    }

    public NegotiationState With(CompactVersionInfo compact)
    {
        var key = new CompactVersionKey(compact.CompactId, compact.Version);
        var before = Compacts.GetValueOrDefault(key);
        var numbers = VersionNumbers.GetValueOrDefault(compact.CompactId, ImmutableSortedSet<long>.Empty).Add(compact.Version);
        var next = this with { Compacts = Compacts.SetItem(key, compact), VersionNumbers = VersionNumbers.SetItem(compact.CompactId, numbers) };
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
        foreach (var upstream in lifecycle.Terms?.Upstream ?? []) dependents = IdIndex.Add(dependents, upstream.CompactId, lifecycle.CompactId);
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
            RevocationIdsByCompact = IdIndex.Move(RevocationIdsByCompact, before?.CompactId, revocation.CompactId, revocation.RevocationId),
        };
    }

    public NegotiationState With(MarkerRecord marker)
    {
        var before = Marker(marker.MarkerId);
        return this with
        {
            Markers = Markers.SetItem(marker.MarkerId, marker),
            Pending = Pending.Remove(before?.PendingDeadline).Add(marker.PendingDeadline),
            MarkerIdsByCompact = IdIndex.Move(MarkerIdsByCompact, before?.CompactId, marker.CompactId, marker.MarkerId),
        };
    }

    /// <summary>
    /// Every pending deadline, kept in step by the <c>With</c> methods (the only way records change), so finding
    /// the next one is O(log n) however long the history; a multiset, since two in-force versions may share an expiry.
    /// </summary>
    private DeadlineSet Pending { get; init; } = DeadlineSet.Empty;

    // Look-up indexes kept by the With methods, so per-compact and per-slot questions do not scan the whole history.
    private ImmutableDictionary<string, ImmutableSortedSet<long>> VersionNumbers { get; init; } =
        ImmutableDictionary.Create<string, ImmutableSortedSet<long>>(StringComparer.Ordinal);

    private ImmutableDictionary<CompactVersionKey, ImmutableSortedSet<string>> SlotProposalIds { get; init; } =
        ImmutableDictionary<CompactVersionKey, ImmutableSortedSet<string>>.Empty;

    // Open and withdrawal-pending proposals by the agent whose answer they wait for.
    private ImmutableDictionary<string, ImmutableSortedSet<string>> LiveProposalIdsByCounterparty { get; init; } = IdIndex.Empty<string>();

    // Compact ids by each agent bound to them (as a or b).
    private ImmutableDictionary<string, ImmutableSortedSet<string>> BoundCompactIdsByAgent { get; init; } = IdIndex.Empty<string>();

    private ImmutableDictionary<string, ImmutableSortedSet<string>> RevocationIdsByCompact { get; init; } = IdIndex.Empty<string>();

    private ImmutableDictionary<string, ImmutableSortedSet<string>> MarkerIdsByCompact { get; init; } = IdIndex.Empty<string>();

    // Compact ids whose terms (of any signed version) name an upstream compact id; a version's terms never change,
    // so entries are only ever added.
    private ImmutableDictionary<string, ImmutableSortedSet<string>> DependentIdsByUpstream { get; init; } = IdIndex.Empty<string>();

    /// <summary>The open and withdrawal-pending proposals whose counterparty is <paramref name="agent"/>, in id (creation) order.</summary>
    public IEnumerable<ProposalRecord> LiveProposalsAwaiting(string agent)
    {
        var ids = IdIndex.Get(LiveProposalIdsByCounterparty, agent);
        CheckIndex(ids, Proposals.Values.Where(p => p.Status.IsLive() && p.CounterpartyAgent == agent).Select(p => p.ProposalId), "live proposals of " + agent);
        return ids.Select(id => Proposals[id]);
    }

    /// <summary>The ids of the compacts <paramref name="agent"/> is bound to as party a or b, in id order.</summary>
    public IEnumerable<string> CompactIdsOf(string agent)
    {
        var ids = IdIndex.Get(BoundCompactIdsByAgent, agent);
        CheckIndex(ids, Bindings.Values.Where(b => b.AgentA == agent || b.AgentB == agent).Select(b => b.CompactId).Order(StringComparer.Ordinal), "compacts of " + agent);
        return ids;
    }

    /// <summary>Every revocation of any version of <paramref name="compactId"/>, in id (creation) order.</summary>
    public IEnumerable<RevocationRecord> RevocationsOf(string compactId)
    {
        var ids = IdIndex.Get(RevocationIdsByCompact, compactId);
        CheckIndex(ids, Revocations.Values.Where(r => r.CompactId == compactId).Select(r => r.RevocationId), "revocations of " + compactId);
        return ids.Select(id => Revocations[id]);
    }

    /// <summary>Every marker of <paramref name="compactId"/>, in id (creation) order.</summary>
    public IEnumerable<MarkerRecord> MarkersOf(string compactId)
    {
        var ids = IdIndex.Get(MarkerIdsByCompact, compactId);
        CheckIndex(ids, Markers.Values.Where(m => m.CompactId == compactId).Select(m => m.MarkerId), "markers of " + compactId);
        return ids.Select(id => Markers[id]);
    }

    /// <summary>The ids of the compacts some signed version of which names <paramref name="upstreamId"/> as upstream, in id order.</summary>
    public IEnumerable<string> DependentsOf(string upstreamId)
    {
        var ids = IdIndex.Get(DependentIdsByUpstream, upstreamId);
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

    public RevocationRecord? Revocation(string revocationId) => Revocations.GetValueOrDefault(revocationId);

    public MarkerRecord? Marker(string markerId) => Markers.GetValueOrDefault(markerId);

    public CompactVersionLifecycle? Lifecycle(string compactId, long version) => Lifecycles.GetValueOrDefault(new CompactVersionKey(compactId, version));

    /// <summary>Every signed version of <paramref name="compactId"/>, oldest first.</summary>
    public IEnumerable<CompactVersionInfo> Versions(string compactId) =>
        VersionNumbers.TryGetValue(compactId, out var numbers) ? numbers.Select(v => Compacts[new CompactVersionKey(compactId, v)]) : [];

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
        _ => null,
    };

    public SessionInfo? Session(string sessionId) => Sessions.GetValueOrDefault(sessionId);

    public ProposalRecord? Proposal(string proposalId) => Proposals.GetValueOrDefault(proposalId);

    public CompactVersionInfo? Compact(string compactId, long version) => Compacts.GetValueOrDefault(new CompactVersionKey(compactId, version));

    /// <summary>The version of <paramref name="compactId"/> currently in force, if any.</summary>
    public CompactVersionInfo? InForce(string compactId) => Versions(compactId).FirstOrDefault(c => c.Status == CompactVersionStatus.InForce);

    /// <summary>Every proposal ever made for (compactId, version), in id (creation) order.</summary>
    public IEnumerable<ProposalRecord> SlotProposals(string compactId, long version) =>
        SlotProposalIds.TryGetValue(new CompactVersionKey(compactId, version), out var ids) ? ids.Select(id => Proposals[id]) : [];

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
    internal List<Deadline> RecomputePendingDeadlines() =>
        Proposals.Values.Select(p => p.PendingDeadline).OfType<Deadline>().Concat(LifecycleFold.PendingDeadlines(this)).Order().ToList();

    /// <summary>Folds one transcript event (of any stream) into the state; events it does not read change nothing.</summary>
    public NegotiationState Apply(TranscriptEvent e)
    {
        var (instant, clock) = OperationClock.Advance(Clock, e);
        var next = ApplyCore(e, instant);
        return next.Clock == clock ? next : next with { Clock = clock };
    }

    private NegotiationState ApplyCore(TranscriptEvent e, DateTimeOffset instant)
    {
        var data = e.Data;
        switch (e.Type)
        {
            case EventTypes.SessionCreated:
                return With(new SessionInfo(e.Stream, SessionStatus.Active,
                    data["participants"]!.AsArray().Select(n => n!.GetValue<string>()).ToImmutableArray()));
            case EventTypes.SessionSuspended:
                return WithSessionStatus(e.Stream, SessionStatus.Suspended);
            case EventTypes.SessionResumed:
                return WithSessionStatus(e.Stream, SessionStatus.Active);
            case EventTypes.SessionTerminated:
                return WithSessionStatus(e.Stream, SessionStatus.Terminated);

            case EventTypes.ProposalCreated:
                {
                    var payload = data["envelope"]!["payload"]!.AsObject();
                    var facts = ProposalFacts.FromCreatePayload(payload, data["termsHash"]!.GetValue<string>());
                    var expiresAt = data["expiresAt"]?.GetValue<string>();
                    var proposal = new ProposalRecord(
                        data["proposalId"]!.GetValue<string>(), e.Stream, facts.CompactId, facts.Version, facts.TermsHash,
                        facts.Proposer, facts.AgentA, facts.AgentB, ProposalStatus.Open,
                        expiresAt is null ? null : Timestamp.Parse(expiresAt), facts.AckTimeout, facts.Predecessor, e.Hash);
                    var next = With(proposal);
                    return Bindings.ContainsKey(facts.CompactId)
                        ? next
                        : next.With(new CompactBinding(facts.CompactId, facts.AgentA, facts.AgentB));
                }
            case EventTypes.ProposalCountered:
                return WithProposalStatus(data, ProposalStatus.Countered);
            case EventTypes.ProposalSigned:
                return WithProposalStatus(data, ProposalStatus.Signed);
            case EventTypes.ProposalDeclined:
                return WithProposalStatus(data, ProposalStatus.Declined);
            case EventTypes.WithdrawalInitiated:
                {
                    var id = data["proposalId"]!.GetValue<string>();
                    return Proposals.TryGetValue(id, out var p)
                        ? With(p with { Status = ProposalStatus.WithdrawalPending, Withdrawal = new WithdrawalInfo(Timestamp.Parse(e.Time), e.Hash) })
                        : this;
                }
            case EventTypes.ProposalWithdrawn:
                return WithProposalStatus(data, ProposalStatus.Withdrawn);
            case EventTypes.ProposalExpired:
                return WithProposalStatus(data, ProposalStatus.Expired);
            case EventTypes.ProposalRetired:
                return WithProposalStatus(data, ProposalStatus.Retired);

            case EventTypes.CompactInForce:
                return LifecycleFold.InForce(With(new CompactVersionInfo(
                    data["compactId"]!.GetValue<string>(), JsonRead.Integer(data["version"]),
                    data["compactHash"]!.GetValue<string>(), e.Stream, CompactVersionStatus.InForce)), e, instant);
            case EventTypes.CompactSuperseded:
                return LifecycleFold.Ended(WithCompactStatus(data, CompactVersionStatus.Superseded), e, instant);
            case EventTypes.CompactRevoked:
                return LifecycleFold.Ended(WithCompactStatus(data, CompactVersionStatus.Revoked), e, instant, this);
            case EventTypes.CompactExpired:
                return LifecycleFold.Ended(WithCompactStatus(data, CompactVersionStatus.Expired), e, instant);
            case EventTypes.RevocationInitiated:
                {
                    var c = Compact(data["compactId"]!.GetValue<string>(), JsonRead.Integer(data["version"]));
                    var next = c is null ? this : With(c with { OpenRevocationId = data["revocationId"]!.GetValue<string>() });
                    return LifecycleFold.Initiated(next, e, instant);
                }
            case EventTypes.RevocationLapsed:
                {
                    var id = data["revocationId"]!.GetValue<string>();
                    var c = Revocation(id) is { } r && Compact(r.CompactId, r.Version) is { } v && v.OpenRevocationId == id ? v : null;
                    var next = c is null ? this : With(c with { OpenRevocationId = null });
                    return LifecycleFold.Lapsed(next, e, instant);
                }
            default:
                return LifecycleFold.Apply(this, e, instant);
        }
    }

    /// <summary>Folds events in order.</summary>
    public NegotiationState ApplyAll(IEnumerable<TranscriptEvent> events) => events.Aggregate(this, (s, e) => s.Apply(e));

    private NegotiationState WithSessionStatus(string sessionId, SessionStatus status) =>
        Sessions.TryGetValue(sessionId, out var s) ? With(s with { Status = status }) : this;

    private NegotiationState WithProposalStatus(JsonObject data, ProposalStatus status) =>
        Proposals.TryGetValue(data["proposalId"]!.GetValue<string>(), out var p) ? With(p with { Status = status }) : this;

    private NegotiationState WithCompactStatus(JsonObject data, CompactVersionStatus status)
    {
        var c = Compact(data["compactId"]!.GetValue<string>(), JsonRead.Integer(data["version"]));
        if (c is null) return this;
        // A revoked version's revocation became active; superseded and expired versions get a lapsed event that clears it.
        return With(c with { Status = status, OpenRevocationId = status == CompactVersionStatus.Revoked ? null : c.OpenRevocationId });
    }
}

/// <summary>An immutable sorted multiset of deadlines (the pending-deadline index of <see cref="NegotiationState"/>).</summary>
internal sealed class DeadlineSet
{
    public static readonly DeadlineSet Empty = new(ImmutableSortedDictionary<Deadline, int>.Empty);

    private readonly ImmutableSortedDictionary<Deadline, int> _counts;

    private DeadlineSet(ImmutableSortedDictionary<Deadline, int> counts) => _counts = counts;

    public DeadlineSet Add(Deadline? deadline) =>
        deadline is null ? this : new(_counts.SetItem(deadline, _counts.GetValueOrDefault(deadline) + 1));

    public DeadlineSet Remove(Deadline? deadline)
    {
        if (deadline is null || !_counts.TryGetValue(deadline, out var count)) return this;
        return new(count == 1 ? _counts.Remove(deadline) : _counts.SetItem(deadline, count - 1));
    }

    /// <summary>Earliest first, each as often as it is pending; lazy, so taking the first few costs O(log n).</summary>
    public IEnumerable<Deadline> InOrder()
    {
        foreach (var (deadline, count) in _counts)
        {
            for (var i = 0; i < count; i++) yield return deadline;
        }
    }
}

/// <summary>An immutable one-to-many index of ids, each key's ids kept in ordinal order; a key without ids is absent.</summary>
internal static class IdIndex
{
    private static readonly ImmutableSortedSet<string> NoIds = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    public static ImmutableDictionary<TKey, ImmutableSortedSet<string>> Empty<TKey>()
        where TKey : notnull => ImmutableDictionary<TKey, ImmutableSortedSet<string>>.Empty;

    public static ImmutableDictionary<TKey, ImmutableSortedSet<string>> Add<TKey>(ImmutableDictionary<TKey, ImmutableSortedSet<string>> index, TKey key, string id)
        where TKey : notnull => index.SetItem(key, index.GetValueOrDefault(key, NoIds).Add(id));

    public static ImmutableDictionary<TKey, ImmutableSortedSet<string>> Remove<TKey>(ImmutableDictionary<TKey, ImmutableSortedSet<string>> index, TKey key, string id)
        where TKey : notnull
    {
        if (!index.TryGetValue(key, out var ids)) return index;
        ids = ids.Remove(id);
        return ids.IsEmpty ? index.Remove(key) : index.SetItem(key, ids);
    }

    /// <summary>
    /// Files <paramref name="id"/> under <paramref name="to"/> instead of <paramref name="from"/> (null: under no key);
    /// unchanged when both are the same, so an update that keeps the key costs nothing.
    /// </summary>
    public static ImmutableDictionary<string, ImmutableSortedSet<string>> Move(ImmutableDictionary<string, ImmutableSortedSet<string>> index, string? from, string? to, string id)
    {
        if (from == to) return index;
        if (from is not null) index = Remove(index, from, id);
        return to is null ? index : Add(index, to, id);
    }

    public static IEnumerable<string> Get<TKey>(ImmutableDictionary<TKey, ImmutableSortedSet<string>> index, TKey key)
        where TKey : notnull => index.TryGetValue(key, out var ids) ? ids : NoIds;
}
