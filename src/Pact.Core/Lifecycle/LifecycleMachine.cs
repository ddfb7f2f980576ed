using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Events;
using Pact.Core.Negotiation;
using Pact.Core.Terms;
using Pact.Core.Time;

namespace Pact.Core.Lifecycle;

/// <summary>
/// The compact lifecycle of §6 as pure functions over <see cref="NegotiationState"/>: revocations with their
/// acknowledgment, escalation and lapse, markers, expiry and the upstream cascade.
/// <para>
/// Time: <c>now</c> is the instant the appender will stamp on the events. Commands are judged against
/// <see cref="AsOf"/>(state, now), i.e. as if every deadline reached by <c>now</c> had fired (§0); Decide does
/// not record those deadlines, so the daemon first appends <see cref="NegotiationMachine.FireDue(NegotiationState, DateTimeOffset)"/>'s
/// events and then decides (after which the projection changes nothing).
/// </para>
/// <para>
/// The refusals, in §11's precedence, live in <see cref="LifecycleRules"/>; the deadlines and the cascade in
/// <see cref="LifecycleDeadlines"/>; this class judges commands and builds their events.
/// </para>
/// </summary>
public static class LifecycleMachine
{
    /// <summary>Runs every check of the command and answers the first refusal, or null.</summary>
    public static PactError? Check(NegotiationState state, LifecycleCommand command, DateTimeOffset now) =>
        LifecycleRules.Refusal(AsOf(state, Timestamp.Truncate(now)), command);

    /// <summary>Judges the command and returns its events (§8.2) in append order, or the refusal.</summary>
    public static Verdict Decide(NegotiationState state, LifecycleCommand command, DateTimeOffset now)
    {
        now = Timestamp.Truncate(now);
        var s = AsOf(state, now);
        if (LifecycleRules.Refusal(s, command) is { } error) return error;
        return command switch
        {
            RevokeCompact c => Revoked(s, c, now),
            AcknowledgeRevocation c => RevocationAcknowledged(s, c, now),
            RecordMarker c => Decision.Of(new StreamEvent(s.CurrentVersion(c.CompactId)!.SessionId, LifecycleDrafts.Signed(LifecycleEventTypes.MarkerRecorded, c, new JsonObject
            {
                ["compactId"] = c.CompactId,
                ["markerId"] = c.MarkerId,
                ["marker"] = c.Marker,
            }))),
            AcknowledgeMarker c => Decision.Of(new StreamEvent(s.Marker(c.MarkerId)!.SessionId, LifecycleDrafts.Signed(LifecycleEventTypes.MarkerAcknowledged, c, new JsonObject
            {
                ["markerId"] = c.MarkerId,
                ["initiationHash"] = c.InitiationHash,
            }))),
            _ => throw new ArgumentException($"Unknown lifecycle command {command.GetType().Name}.", nameof(command)),
        };
    }

    /// <summary>
    /// The state as it will be once every deadline reached at <paramref name="now"/> is recorded: what reads
    /// (resources, the compliance check, dispositions) and decisions must look at. Nothing is recorded.
    /// </summary>
    public static NegotiationState AsOf(NegotiationState state, DateTimeOffset now) => NegotiationMachine.RunDue(state, now, null).State;

    /// <summary>
    /// What <paramref name="agentDid"/> may acknowledge at <paramref name="now"/>: initiated revocations and recorded
    /// markers of compacts it is a party of, started by the other party; each carries its deadline
    /// (ackDeadline). For GET /v1/agents/me/pending.
    /// </summary>
    public static (IReadOnlyList<RevocationRecord> Revocations, IReadOnlyList<MarkerRecord> Markers) AwaitingAcknowledgment(
        NegotiationState state, string agentDid, DateTimeOffset now)
    {
        var s = AsOf(state, Timestamp.Truncate(now));
        var compacts = s.CompactIdsOf(agentDid).ToList();
        var revocations = compacts.SelectMany(s.RevocationsOf)
            .Where(r => r.Status == RevocationStatus.Initiated && r.InitiatedBy != agentDid)
            .OrderBy(r => r.RevocationId, StringComparer.Ordinal).ToList();
        var markers = compacts.SelectMany(s.MarkersOf)
            .Where(m => m.Status == MarkerStatus.Recorded && m.RecordedBy != agentDid)
            .OrderBy(m => m.MarkerId, StringComparer.Ordinal).ToList();
        return (revocations, markers);
    }

    /// <summary>
    /// Whether <paramref name="agentDid"/> may see the compact (§3): it is a party, or a participant of the session
    /// of one of its versions. False for a compact with no signed version. Reads (GET, check, dispositions) answer
    /// 404 when this is false.
    /// </summary>
    public static bool CanSee(NegotiationState state, string compactId, string agentDid) => LifecycleRules.Visible(state, compactId, agentDid) is not null;

    private static Decision Revoked(NegotiationState s, RevokeCompact c, DateTimeOffset now)
    {
        var version = s.Compact(c.CompactId, c.Version)!;
        var terms = LifecycleRules.TermsOf(s, version).Revocation;
        // An emergency revocation the terms allow skips the notice period (the check refused any other).
        var effectiveAt = c.Emergency ? now : terms.NoticePeriodDuration.AddToOrEndOfTime(now);
        var ackDeadline = terms.AckTimeoutDuration.AddToOrEndOfTime(now);
        return Decision.Of(new StreamEvent(version.SessionId, LifecycleDrafts.Signed(EventTypes.RevocationInitiated, c, new JsonObject
        {
            ["compactId"] = c.CompactId,
            ["version"] = c.Version,
            ["revocationId"] = c.RevocationId,
            ["effectiveAt"] = Timestamp.ToText(effectiveAt),
            ["ackDeadline"] = Timestamp.ToText(ackDeadline),
        })));
    }

    private static Decision RevocationAcknowledged(NegotiationState s, AcknowledgeRevocation c, DateTimeOffset now)
    {
        var r = s.Revocation(c.RevocationId)!;
        var version = s.Compact(r.CompactId, r.Version)!;
        var events = new List<StreamEvent>
        {
            new(version.SessionId, LifecycleDrafts.Signed(LifecycleEventTypes.RevocationAcknowledged, c, new JsonObject
            {
                ["revocationId"] = r.RevocationId,
                ["initiationHash"] = c.InitiationHash,
            })),
        };
        // Active at max(acknowledgment, effectiveAt): at once when the notice period is over, else at effectiveAt (kind 4).
        if (r.EffectiveAt <= now)
        {
            events.Add(new(version.SessionId, LifecycleDrafts.Revoked(r, null)));
            events.AddRange(LifecycleDeadlines.Cascade(s, version, UpstreamTrigger.Revocation));
        }
        return new Decision([.. events]);
    }
}
