using Pact.Core.Terms;
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pact.Core.Contracts.Responses;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.Negotiation;

namespace Pact.Core.Sessions;

/// <summary>One proposal as the session state shows it (§7).</summary>
public sealed record SessionProposal(string ProposalId, string CompactId, long Version, string TermsHash, PartyRole Proposer, ProposalStatus Status);

/// <summary>One compact version negotiated in the session, as the session state shows it (§7).</summary>
public sealed record SessionCompact(string CompactId, long Version, string CompactHash, CompactVersionStatus Status);

/// <summary>
/// The session state of §7, folded from the session's own stream. <see cref="Apply"/> serves replay
/// (<c>state?at=k</c>: <see cref="FromJson"/> of a checkpoint's state, then Apply of the events after it),
/// exports and their offline verification. The daemon's live state is its read-model rows, kept per entry
/// with the same statuses (<see cref="Of"/> assembles it); its tests compare the two.
/// </summary>
public sealed record SessionState(
    string SessionId,
    SessionStatus Status,
    string? Topic,
    ImmutableArray<string> Participants,
    ImmutableSortedDictionary<string, SessionProposal> Proposals,
    ImmutableSortedDictionary<CompactVersionKey, SessionCompact> Compacts) : IBundleMembership
{
    public const string HashDomain = "pact-state-v1\n";

    /// <summary>
    /// The bundle members this state has seen created (bundle.created), with the coordinator's role: not part of §7's
    /// state, so equality and the snapshot ignore it.
    /// </summary>
    public ImmutableDictionary<string, PartyRole> BundleMembers { get; init; } = ImmutableDictionary<string, PartyRole>.Empty;

    PartyRole? IBundleMembership.CoordinatorRoleOf(string proposalId) => BundleMembers.TryGetValue(proposalId, out var role) ? role : null;

    public bool Equals(SessionState? other) =>
        other is not null && SessionId == other.SessionId && Status == other.Status && Topic == other.Topic
        && EqualityComparer<ImmutableArray<string>>.Default.Equals(Participants, other.Participants)
        && EqualityComparer<ImmutableSortedDictionary<string, SessionProposal>>.Default.Equals(Proposals, other.Proposals)
        && EqualityComparer<ImmutableSortedDictionary<CompactVersionKey, SessionCompact>>.Default.Equals(Compacts, other.Compacts);

    public override int GetHashCode() => HashCode.Combine(SessionId, Status, Topic, Participants, Proposals, Compacts);

    /// <summary>The state right after a session.created event.</summary>
    public static SessionState Created(TranscriptEvent created)
    {
        if (created.Type != EventTypes.SessionCreated)
            throw new ArgumentException($"A session starts with {EventTypes.SessionCreated}, not {created.Type}.", nameof(created));
        var data = created.Data;
        return new SessionState(
            created.Stream,
            SessionStatus.Active,
            data["topic"]?.GetValue<string>(),
            data["participants"]!.AsArray().Select(n => n!.GetValue<string>()).ToImmutableArray(),
            ImmutableSortedDictionary.Create<string, SessionProposal>(StringComparer.Ordinal),
            ImmutableSortedDictionary.Create<CompactVersionKey, SessionCompact>());
    }

    /// <summary>Folds a whole stream from its first event (session.created).</summary>
    public static SessionState Replay(IEnumerable<TranscriptEvent> events)
    {
        SessionState? state = null;
        foreach (var e in events) state = state is null ? Created(e) : state.Apply(e);
        return state ?? throw new ArgumentException("A stream has at least its session.created event.", nameof(events));
    }

    /// <summary>
    /// Folds one event of this session's stream. Event types that do not touch the state change nothing. Bundle members
    /// are known from the bundle.created events folded before, or from <paramref name="members"/> (a fold that starts at a
    /// checkpoint after a bundle's creation).
    /// </summary>
    public SessionState Apply(TranscriptEvent e, IBundleMembership? members = null)
    {
        if (e.Stream != SessionId)
            throw new ArgumentException($"Event {e.Seq} belongs to stream {e.Stream}, not {SessionId}.", nameof(e));
        if (e.Type == EventTypes.SessionCreated)
            throw new InvalidOperationException($"Session {SessionId} is created twice (event {e.Seq}).");
        return SessionChange.Of(e, members is null ? this : new EitherMembership(this, members)) is { } change ? Apply(change) : this;
    }

    /// <summary>Folds one change (what <see cref="SessionChange.Of"/> says an event does).</summary>
    public SessionState Apply(SessionChange change) => change switch
    {
        SessionChange.StatusChanged s => this with { Status = s.Status },
        SessionChange.BundleOpened b => this with { BundleMembers = BundleMembers.SetItems(b.Members.Select(m => KeyValuePair.Create(m.ProposalId, m.CoordinatorRole))) },
        SessionChange.ProposalsSigned p => this with
        {
            Proposals = Proposals.SetItems(p.ProposalIds.Where(Proposals.ContainsKey).Select(id => KeyValuePair.Create(id, Proposals[id] with { Status = ProposalStatus.Signed }))),
        },
        SessionChange.ProposalOpened p => this with { Proposals = Proposals.SetItem(p.Proposal.ProposalId, p.Proposal) },
        SessionChange.ProposalStatusChanged p => Proposals.TryGetValue(p.ProposalId, out var proposal)
            ? this with { Proposals = Proposals.SetItem(p.ProposalId, proposal with { Status = p.Status }) }
            : this,
        SessionChange.CompactInForce c => this with { Compacts = Compacts.SetItem(new CompactVersionKey(c.Compact.CompactId, c.Compact.Version), c.Compact) },
        SessionChange.CompactStatusChanged c => Compacts.TryGetValue(c.Key, out var compact)
            ? this with { Compacts = Compacts.SetItem(c.Key, compact with { Status = c.Status }) }
            : this,
        _ => throw new ArgumentOutOfRangeException(nameof(change)),
    };

    public SessionState ApplyAll(IEnumerable<TranscriptEvent> events) => events.Aggregate(this, (s, e) => s.Apply(e));

    private sealed class EitherMembership(IBundleMembership first, IBundleMembership second) : IBundleMembership
    {
        public PartyRole? CoordinatorRoleOf(string proposalId) => first.CoordinatorRoleOf(proposalId) ?? second.CoordinatorRoleOf(proposalId);
    }

    /// <summary>Open or withdrawal-pending proposals, in id order (the ones terminating retires).</summary>
    public IEnumerable<SessionProposal> LiveProposals => Proposals.Values.Where(p => p.Status.IsLive());

    public bool IsParticipant(string did) => Participants.Contains(did, StringComparer.Ordinal);

    /// <summary>What negotiation needs of this session.</summary>
    public SessionInfo Info => new(SessionId, Status, Participants, Topic);

    /// <summary>The state exactly as §7 writes it: participants in creation order, proposals by id, compacts by (compactId, version).</summary>
    public SessionSnapshot Snapshot() => new(
        SessionId,
        Status.ToWire(),
        Topic,
        Participants,
        [.. Proposals.Values.Select(p => new SessionProposalInfo(p.ProposalId, p.CompactId, p.Version, p.TermsHash, p.Proposer.ToWire(), p.Status.ToWire()))],
        [.. Compacts.Values.Select(c => new SessionCompactInfo(c.CompactId, c.Version, c.CompactHash, c.Status.ToWire()))]);

    /// <summary>The <see cref="Snapshot"/> as JSON: what <see cref="StateHash"/> covers and checkpoints store.</summary>
    public JsonObject ToJson() => JsonSerializer.SerializeToNode(Snapshot(), PactJson.Options)!.AsObject();

    /// <summary>Reads a state written by <see cref="ToJson"/> (a stored checkpoint state).</summary>
    public static SessionState FromJson(JsonObject o)
    {
        if (!SessionStatusNames.TryParseSessionStatus(o["status"]?.GetValue<string>(), out var status))
            throw new FormatException("The state's status is not a session status.");
        var proposals = o["proposals"]!.AsArray().Select(node =>
        {
            var p = node!.AsObject();
            return ParseProposal(p["proposalId"]!.GetValue<string>(), p["compactId"]!.GetValue<string>(), JsonRead.Integer(p["version"]),
                p["termsHash"]!.GetValue<string>(), p["proposer"]?.GetValue<string>(), p["status"]?.GetValue<string>());
        });
        var compacts = o["compacts"]!.AsArray().Select(node =>
        {
            var c = node!.AsObject();
            return ParseCompact(c["compactId"]!.GetValue<string>(), JsonRead.Integer(c["version"]), c["compactHash"]!.GetValue<string>(), c["status"]?.GetValue<string>());
        });
        return Of(o["sessionId"]!.GetValue<string>(), status, o["topic"]?.GetValue<string>(),
            o["participants"]!.AsArray().Select(n => n!.GetValue<string>()), proposals, compacts);
    }

    /// <summary>A state from its members, in any order (a checkpoint's JSON, or the daemon's read-model rows).</summary>
    public static SessionState Of(string sessionId, SessionStatus status, string? topic, IEnumerable<string> participants,
        IEnumerable<SessionProposal> proposals, IEnumerable<SessionCompact> compacts)
    {
        var byId = ImmutableSortedDictionary.CreateBuilder<string, SessionProposal>(StringComparer.Ordinal);
        foreach (var p in proposals) byId[p.ProposalId] = p;
        var byVersion = ImmutableSortedDictionary.CreateBuilder<CompactVersionKey, SessionCompact>();
        foreach (var c in compacts) byVersion[new CompactVersionKey(c.CompactId, c.Version)] = c;
        return new SessionState(sessionId, status, topic, participants.ToImmutableArray(), byId.ToImmutable(), byVersion.ToImmutable());
    }

    /// <summary>One proposal of the state from its wire spellings; FormatException for an unknown proposer or status.</summary>
    public static SessionProposal ParseProposal(string proposalId, string compactId, long version, string termsHash, string? proposer, string? status) =>
        Wire.TryParse<PartyRole>(proposer, out var role) && WireNames.TryParseProposalStatus(status, out var proposalStatus)
            ? new SessionProposal(proposalId, compactId, version, termsHash, role, proposalStatus)
            : throw new FormatException($"Proposal {proposalId} of the state has an unknown proposer or status.");

    /// <summary>One compact version of the state from its wire spellings; FormatException for an unknown status.</summary>
    public static SessionCompact ParseCompact(string compactId, long version, string compactHash, string? status) =>
        WireNames.TryParseCompactVersionStatus(status, out var compactStatus)
            ? new SessionCompact(compactId, version, compactHash, compactStatus)
            : throw new FormatException($"Compact {compactId} version {version} of the state has an unknown status.");

    /// <summary>stateHash = hex SHA-256( "pact-state-v1\n" ‖ JCS(state) ).</summary>
    public string StateHash() => Jcs.DomainHash(HashDomain, ToJson());
}
