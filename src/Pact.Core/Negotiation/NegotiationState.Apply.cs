using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Pact.Core.Bundles;
using Pact.Core.Events;
using Pact.Core.Lifecycle;
using Pact.Core.Mandates;
using Pact.Core.Sessions;
using Pact.Core.Time;

namespace Pact.Core.Negotiation;

// The fold: one transcript event at a time, the same for live commits and replay (ADR 0004).
public sealed partial record NegotiationState
{
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
                    data["participants"]!.AsArray().Select(n => n!.GetValue<string>()).ToImmutableArray(), data["topic"]?.GetValue<string>()));
            case EventTypes.SessionSuspended:
                return WithSessionStatus(e.Stream, SessionStatus.Suspended);
            case EventTypes.SessionResumed:
                return WithSessionStatus(e.Stream, SessionStatus.Active);
            case EventTypes.SessionTerminated:
                return WithSessionStatus(e.Stream, SessionStatus.Terminated);

            case EventTypes.ProposalCreated when data["bundleId"]?.GetValue<string>() is { } bundleId:
                {
                    var member = BundleFold.Member(this, e, bundleId);
                    var next = With(member);
                    return Bindings.ContainsKey(member.CompactId)
                        ? next
                        : next.With(new CompactBinding(member.CompactId, member.AgentA, member.AgentB));
                }
            case EventTypes.ProposalSigned when Proposal(data["proposalId"]!.GetValue<string>()) is { BundleId: not null } member:
                return BundleFold.Prepared(this, member, e);
            case EventTypes.BundleCreated:
                return BundleFold.Created(this, e);
            case EventTypes.BundleCommitted:
                return BundleFold.Committed(this, e);
            case EventTypes.BundleAborted:
                return BundleFold.Aborted(this, e);

            case EventTypes.ProposalCreated:
                {
                    // A counter made under a mandate (§14) carries its terms and signature in the event itself, not in an envelope.
                    var payload = data["envelope"]?["payload"]?.AsObject() ?? data;
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
            case EventTypes.ProposalCountered or EventTypes.ProposalSigned or EventTypes.ProposalDeclined
                or EventTypes.ProposalWithdrawn or EventTypes.ProposalExpired or EventTypes.ProposalRetired:
                // The status each of these events sets is SessionChange's: the one mapping the read models project too.
                return SessionChange.Of(e) is SessionChange.ProposalStatusChanged moved ? WithProposalStatus(data, moved.Status) : this;
            case EventTypes.WithdrawalInitiated:
                {
                    var id = data["proposalId"]!.GetValue<string>();
                    return Proposals.TryGetValue(id, out var p)
                        ? With(p with { Status = ProposalStatus.WithdrawalPending, Withdrawal = new WithdrawalInfo(Timestamp.Parse(e.Time), e.Hash) })
                        : this;
                }

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
            case EventTypes.MandateGranted:
                return MandateRecord.FromGranted(data, e.Seq) is { } granted ? With(granted) : this;
            case EventTypes.MandateRevoked:
                return WithMandate(data, m => m with { Status = MandateStatus.Revoked });
            case EventTypes.MandateExpired:
                return WithMandate(data, m => m with { Status = MandateStatus.Expired });
            case EventTypes.PolicyDecided:
                {
                    var counted = WithMandate(data, m => m with { Actions = m.Actions + 1 });
                    return data["judged"] is null && data["proposalId"]?.GetValue<string>() is { } judged && data["decision"] is JsonObject decision
                        ? counted with { MandateDecisions = counted.MandateDecisions.SetItem(judged, decision) }
                        : counted;
                }
            default:
                // An acknowledgment made under a mandate counts as one of its actions (§14).
                var folded = LifecycleFold.Apply(this, e, instant);
                return data["mandate"]?["mandateId"] is not null && e.Type.EndsWith(".acknowledged", StringComparison.Ordinal)
                    ? folded.WithMandate(data["mandate"]!.AsObject(), m => m with { Actions = m.Actions + 1 })
                    : folded;
        }
    }

    /// <summary>Folds events in order.</summary>
    public NegotiationState ApplyAll(IEnumerable<TranscriptEvent> events) => events.Aggregate(this, (s, e) => s.Apply(e));

    private NegotiationState WithMandate(JsonObject data, Func<MandateRecord, MandateRecord> change) =>
        data["mandateId"]?.GetValue<string>() is { } id && Mandates.TryGetValue(id, out var m) ? With(change(m)) : this;

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
