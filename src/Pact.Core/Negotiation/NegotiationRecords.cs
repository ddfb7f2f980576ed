using Pact.Core.Terms;
using System.Collections.Immutable;
using Pact.Core.Sessions;
using Pact.Core.Time;

namespace Pact.Core.Negotiation;

/// <summary>What negotiation needs to know of a session: its status and participants.</summary>
public sealed record SessionInfo(string SessionId, SessionStatus Status, ImmutableArray<string> Participants, string? Topic = null)
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
    WithdrawalInfo? Withdrawal = null,
    string? BundleId = null)
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
            // A bundle member never expires on its own: it ends with its bundle (§15).
            if (!Status.IsLive() || BundleId is not null) return null;
            if (Status == ProposalStatus.WithdrawalPending && Withdrawal is { } w && AckTimeout is { } ack)
            {
                var escalatesAt = ack.AddToOrEndOfTime(w.InitiatedAt);
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
