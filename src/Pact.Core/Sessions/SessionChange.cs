using System.Text.Json.Nodes;
using Pact.Core.Terms;
using Pact.Core.Events;
using Pact.Core.Negotiation;

namespace Pact.Core.Sessions;

/// <summary>
/// What one event of a session's stream changes in its §7 state. <see cref="SessionState.Apply"/> folds these,
/// and read models write them as they are, so the mapping from event types to statuses exists once.
/// </summary>
public abstract record SessionChange
{
    private SessionChange() { }

    /// <summary>The session's own status (suspended, resumed, terminated).</summary>
    public sealed record StatusChanged(SessionStatus Status) : SessionChange;

    /// <summary>A new proposal, open.</summary>
    public sealed record ProposalOpened(SessionProposal Proposal) : SessionChange;

    /// <summary>A proposal moved to another status.</summary>
    public sealed record ProposalStatusChanged(string ProposalId, ProposalStatus Status) : SessionChange;

    /// <summary>A compact version came into force in this session.</summary>
    public sealed record CompactInForce(SessionCompact Compact) : SessionChange;

    /// <summary>A compact version moved to another status.</summary>
    public sealed record CompactStatusChanged(CompactVersionKey Key, CompactVersionStatus Status) : SessionChange;

    /// <summary>
    /// The change <paramref name="e"/> makes, or null for an event recorded in the stream that changes no member of
    /// the state (session.created starts a state rather than changing one: see <see cref="SessionState.Created"/>).
    /// </summary>
    public static SessionChange? Of(TranscriptEvent e)
    {
        var data = e.Data;
        return e.Type switch
        {
            EventTypes.SessionSuspended => new StatusChanged(SessionStatus.Suspended),
            EventTypes.SessionResumed => new StatusChanged(SessionStatus.Active),
            EventTypes.SessionTerminated => new StatusChanged(SessionStatus.Terminated),
            EventTypes.ProposalCreated => new ProposalOpened(OpenedProposal(e)),
            EventTypes.ProposalCountered => ProposalMoved(data, Negotiation.ProposalStatus.Countered),
            EventTypes.ProposalSigned => ProposalMoved(data, Negotiation.ProposalStatus.Signed),
            EventTypes.ProposalDeclined => ProposalMoved(data, Negotiation.ProposalStatus.Declined),
            EventTypes.WithdrawalInitiated => ProposalMoved(data, Negotiation.ProposalStatus.WithdrawalPending),
            EventTypes.ProposalWithdrawn => ProposalMoved(data, Negotiation.ProposalStatus.Withdrawn),
            EventTypes.ProposalExpired => ProposalMoved(data, Negotiation.ProposalStatus.Expired),
            EventTypes.ProposalRetired => ProposalMoved(data, Negotiation.ProposalStatus.Retired),
            EventTypes.CompactInForce => new CompactInForce(new SessionCompact(
                data["compactId"]!.GetValue<string>(), JsonRead.Integer(data["version"]), data["compactHash"]!.GetValue<string>(), CompactVersionStatus.InForce)),
            EventTypes.CompactSuperseded => CompactMoved(data, CompactVersionStatus.Superseded),
            EventTypes.CompactRevoked => CompactMoved(data, CompactVersionStatus.Revoked),
            EventTypes.CompactExpired => CompactMoved(data, CompactVersionStatus.Expired),
            // session.checkpointed, withdrawal acknowledgment/escalation, revocations, markers, failures and
            // upstream triggers are recorded in the stream but change no member of the state.
            _ => null,
        };
    }

    private static SessionProposal OpenedProposal(TranscriptEvent e)
    {
        var data = e.Data;
        // A counter made under a mandate (§14) carries its signature in the event, not in an envelope.
        var payload = data["envelope"]?["payload"]?.AsObject() ?? data;
        if (!Wire.TryParse<PartyRole>(payload["signature"]?["party"]?.GetValue<string>(), out var proposer))
            throw new ArgumentException($"Event {e.Seq}: the proposal's signature.party is not \"a\" or \"b\".", nameof(e));
        return new SessionProposal(
            data["proposalId"]!.GetValue<string>(),
            data["compactId"]!.GetValue<string>(),
            JsonRead.Integer(data["version"]),
            data["termsHash"]!.GetValue<string>(),
            proposer,
            Negotiation.ProposalStatus.Open);
    }

    private static ProposalStatusChanged ProposalMoved(JsonObject data, Negotiation.ProposalStatus status) =>
        new(data["proposalId"]!.GetValue<string>(), status);

    private static CompactStatusChanged CompactMoved(JsonObject data, CompactVersionStatus status) =>
        new(new CompactVersionKey(data["compactId"]!.GetValue<string>(), JsonRead.Integer(data["version"])), status);
}
