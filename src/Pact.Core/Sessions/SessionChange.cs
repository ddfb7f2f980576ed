using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Pact.Core.Terms;
using Pact.Core.Events;
using Pact.Core.Negotiation;

namespace Pact.Core.Sessions;

/// <summary>
/// Which proposals are bundle members (§15), and the coordinator's role in each: a member's proposal.created carries
/// no envelope (its proposer is the bundle's coordinator), and its proposal.signed prepares it instead of signing it.
/// The bundle.created event before them says so; whoever folds a stream from its middle answers from what it knows.
/// </summary>
public interface IBundleMembership
{
    /// <summary>The coordinator's role in a member's terms, or null when the proposal is no bundle member.</summary>
    PartyRole? CoordinatorRoleOf(string proposalId);
}

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

    /// <summary>bundle.created: the members to come, with the coordinator's role in each (no state member changes).</summary>
    public sealed record BundleOpened(string BundleId, ImmutableArray<(string ProposalId, PartyRole CoordinatorRole)> Members) : SessionChange;

    /// <summary>bundle.committed: the selected members are signed.</summary>
    public sealed record ProposalsSigned(ImmutableArray<string> ProposalIds) : SessionChange;

    /// <summary>A compact version came into force in this session.</summary>
    public sealed record CompactInForce(SessionCompact Compact) : SessionChange;

    /// <summary>A compact version moved to another status.</summary>
    public sealed record CompactStatusChanged(CompactVersionKey Key, CompactVersionStatus Status) : SessionChange;

    /// <summary>
    /// The change <paramref name="e"/> makes, or null for an event recorded in the stream that changes no member of
    /// the state (session.created starts a state rather than changing one: see <see cref="SessionState.Created"/>).
    /// </summary>
    /// <param name="members">Answers for bundle members; needed only for a member's proposal.created and proposal.signed.</param>
    public static SessionChange? Of(TranscriptEvent e, IBundleMembership? members = null)
    {
        var data = e.Data;
        return e.Type switch
        {
            EventTypes.ProposalCreated when data["bundleId"] is not null => new ProposalOpened(OpenedMember(e, members)),
            EventTypes.ProposalSigned when RoleOf(data, members) is not null => ProposalMoved(data, Negotiation.ProposalStatus.Prepared),
            EventTypes.BundleCreated => OpenedBundle(e),
            EventTypes.BundleCommitted => new ProposalsSigned([.. data["selected"]!.AsArray().Select(n => n!.GetValue<string>())]),
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

    private static PartyRole? RoleOf(JsonObject data, IBundleMembership? members) =>
        members?.CoordinatorRoleOf(data["proposalId"]!.GetValue<string>());

    private static SessionProposal OpenedMember(TranscriptEvent e, IBundleMembership? members)
    {
        var data = e.Data;
        var proposalId = data["proposalId"]!.GetValue<string>();
        var role = members?.CoordinatorRoleOf(proposalId)
            ?? throw new InvalidOperationException($"Event {e.Seq}: proposal {proposalId} of bundle {data["bundleId"]} is not known as a member.");
        return new SessionProposal(proposalId, data["compactId"]!.GetValue<string>(), JsonRead.Integer(data["version"]),
            data["termsHash"]!.GetValue<string>(), role, Negotiation.ProposalStatus.Open);
    }

    private static BundleOpened OpenedBundle(TranscriptEvent e)
    {
        var data = e.Data;
        var ids = data["proposalIds"]!.AsArray();
        var members = data["envelope"]!["payload"]!["members"]!.AsArray();
        return new BundleOpened(data["bundleId"]!.GetValue<string>(),
            [.. ids.Select((id, i) => (id!.GetValue<string>(), Wire.Parse<PartyRole>(members[i]!["signature"]!["party"]!.GetValue<string>())))]);
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
