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
/// Refusal precedence (§11): visibility (404: unknown compact, version, revocation or marker, or one the signer may
/// not see), right to act (205: not a party; acknowledging one's own revocation or marker), compact, revocation and
/// marker state (304), referenced hash (110), terms (111 for revocations; 101 for a marker the terms do not use).
/// Session state (305) does not apply to the lifecycle: a compact outlives the session it was negotiated in.
/// </para>
/// </summary>
public static class LifecycleMachine
{
    /// <summary>Runs every check of the command and answers the first refusal, or null.</summary>
    public static PactError? Check(NegotiationState state, LifecycleCommand command, DateTimeOffset now)
    {
        now = Timestamp.Truncate(now);
        var s = AsOf(state, now);
        return command switch
        {
            RevokeCompact c => CheckRevoke(s, c),
            AcknowledgeRevocation c => CheckRevocationAck(s, c),
            RecordMarker c => CheckMarker(s, c),
            AcknowledgeMarker c => CheckMarkerAck(s, c),
            _ => throw new ArgumentException($"Unknown lifecycle command {command.GetType().Name}.", nameof(command)),
        };
    }

    /// <summary>Judges the command and returns its events (§8.2) in append order, or the refusal.</summary>
    public static Verdict Decide(NegotiationState state, LifecycleCommand command, DateTimeOffset now)
    {
        now = Timestamp.Truncate(now);
        var s = AsOf(state, now);
        var error = command switch
        {
            RevokeCompact c => CheckRevoke(s, c),
            AcknowledgeRevocation c => CheckRevocationAck(s, c),
            RecordMarker c => CheckMarker(s, c),
            AcknowledgeMarker c => CheckMarkerAck(s, c),
            _ => throw new ArgumentException($"Unknown lifecycle command {command.GetType().Name}.", nameof(command)),
        };
        if (error is not null) return error;
        return command switch
        {
            RevokeCompact c => Revoked(s, c, now),
            AcknowledgeRevocation c => RevocationAcknowledged(s, c, now),
            RecordMarker c => Decision.Of(new StreamEvent(s.CurrentVersion(c.CompactId)!.SessionId, Draft(LifecycleEventTypes.MarkerRecorded, c, new JsonObject
            {
                ["compactId"] = c.CompactId,
                ["markerId"] = c.MarkerId,
                ["marker"] = c.Marker,
            }))),
            AcknowledgeMarker c => Decision.Of(new StreamEvent(s.Marker(c.MarkerId)!.SessionId, Draft(LifecycleEventTypes.MarkerAcknowledged, c, new JsonObject
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

    // ---- deadlines (kinds 3–6) -------------------------------------------------------------------

    /// <summary>
    /// The events of one lifecycle deadline (§8.2 kinds 3–6), or none when it is not reached or no longer pending.
    /// Every compact.revoked and compact.expired is followed by its cascade. Failure drafts need
    /// <see cref="FailureEvents.Seal"/>.
    /// </summary>
    internal static Decision Fire(NegotiationState state, Deadline deadline, DateTimeOffset now)
    {
        if (!deadline.IsReached(Timestamp.Truncate(now))) return Decision.Empty;
        var dueAt = Timestamp.ToText(deadline.DueAt);
        switch (deadline.Kind)
        {
            case DeadlineKind.RevocationEscalation:
            case DeadlineKind.RevocationEffective:
                {
                    var r = state.Revocation(deadline.Id);
                    if (r is null || r.PendingDeadline != deadline) return Decision.Empty;
                    var c = state.Compact(r.CompactId, r.Version);
                    if (c is null || c.Status != CompactVersionStatus.InForce) return Decision.Empty;
                    if (deadline.Kind == DeadlineKind.RevocationEffective)
                        return Decision.Of([new StreamEvent(c.SessionId, RevokedDraft(r, dueAt)), .. Cascade(state, c, UpstreamTrigger.Revocation)]);

                    var failure = new StreamEvent(c.SessionId, FailureEvents.Draft(PactCodes.AcknowledgmentTimeout, FailureEvents.LifecycleStage,
                        FailureEvents.NonTerminal, "event:" + r.InitiationHash, "compact:" + c.CompactHash));
                    if (r.Mode == RevocationMode.Mutual)
                    {
                        // Mutual revocation needs the counterparty: silence lapses it and the compact stays in force.
                        return Decision.Of(
                            new StreamEvent(c.SessionId, Daemon(EventTypes.RevocationLapsed, new JsonObject
                            {
                                ["revocationId"] = r.RevocationId,
                                ["reason"] = LifecycleEventTypes.LapsedAckTimeout,
                                ["dueAt"] = dueAt,
                            })),
                            failure);
                    }
                    var events = new List<StreamEvent>
                    {
                        new(c.SessionId, Daemon(LifecycleEventTypes.RevocationEscalated, new JsonObject { ["revocationId"] = r.RevocationId, ["dueAt"] = dueAt })),
                        failure,
                    };
                    // Active at max(ackDeadline, effectiveAt): now if the notice period is over, else a kind 4 deadline later.
                    if (r.EffectiveAt <= deadline.DueAt)
                    {
                        events.Add(new(c.SessionId, RevokedDraft(r, null)));
                        events.AddRange(Cascade(state, c, UpstreamTrigger.Revocation));
                    }
                    return new Decision([.. events]);
                }
            case DeadlineKind.MarkerEffective:
                {
                    var m = state.Marker(deadline.Id);
                    if (m is null || m.PendingDeadline != deadline) return Decision.Empty;
                    return Decision.Of(new StreamEvent(m.SessionId, Daemon(LifecycleEventTypes.MarkerEffective, new JsonObject
                    {
                        ["markerId"] = m.MarkerId,
                        ["dueAt"] = dueAt,
                    })));
                }
            case DeadlineKind.CompactExpiry:
                {
                    var c = state.InForce(deadline.Id);
                    if (c is null || LifecycleFold.ExpiryOf(state, c) != deadline) return Decision.Empty;
                    var events = new List<StreamEvent>
                    {
                        new(c.SessionId, Daemon(EventTypes.CompactExpired, new JsonObject
                        {
                            ["compactId"] = c.CompactId,
                            ["version"] = c.Version,
                            ["dueAt"] = dueAt,
                        })),
                    };
                    if (c.OpenRevocationId is { } open)
                    {
                        events.Add(new(c.SessionId, Daemon(EventTypes.RevocationLapsed, new JsonObject
                        {
                            ["revocationId"] = open,
                            ["reason"] = LifecycleEventTypes.LapsedExpired,
                        })));
                    }
                    events.AddRange(Cascade(state, c, UpstreamTrigger.Expiration));
                    return new Decision([.. events]);
                }
            default:
                return Decision.Empty;
        }
    }

    /// <summary>
    /// The cascade of §6.4 after <paramref name="ended"/> was revoked or expired: breadth-first over in-force
    /// compacts whose upstream names the ended compact (at its version or an earlier one — a reference follows
    /// supersession) with the event in <c>on</c>; each level in compactId order; each dependent gets
    /// compact.upstream-triggered then compact.revoked (cause upstream) in its own stream, and its revocation
    /// triggers the next level. A dependent reached from several compacts of one level names the first of them
    /// (compactId order) as its upstream.
    /// </summary>
    internal static IReadOnlyList<StreamEvent> Cascade(NegotiationState state, CompactVersionInfo ended, UpstreamTrigger trigger)
    {
        var events = new List<StreamEvent>();
        var visited = new HashSet<string>(StringComparer.Ordinal) { ended.CompactId };
        var level = new List<(CompactVersionInfo Compact, UpstreamTrigger Trigger)> { (ended, trigger) };
        while (level.Count > 0)
        {
            var next = new SortedDictionary<string, (CompactVersionInfo Dependent, CompactVersionInfo Upstream, UpstreamTrigger Trigger)>(StringComparer.Ordinal);
            foreach (var (upstream, upstreamTrigger) in level)
            {
                foreach (var candidate in state.DependentsOf(upstream.CompactId).SelectMany(state.Versions))
                {
                    if (candidate.Status != CompactVersionStatus.InForce || visited.Contains(candidate.CompactId) || next.ContainsKey(candidate.CompactId))
                        continue;
                    var terms = state.Lifecycle(candidate.CompactId, candidate.Version)?.Terms;
                    if (terms is null) continue;
                    if (terms.Upstream.Any(u => u.CompactId == upstream.CompactId && u.Version <= upstream.Version && u.On.Contains(upstreamTrigger)))
                        next[candidate.CompactId] = (candidate, upstream, upstreamTrigger);
                }
            }
            level = [];
            foreach (var (dependentId, (dependent, upstream, upstreamTrigger)) in next)
            {
                visited.Add(dependentId);
                events.Add(new StreamEvent(dependent.SessionId, Daemon(LifecycleEventTypes.UpstreamTriggered, new JsonObject
                {
                    ["compactId"] = dependent.CompactId,
                    ["version"] = dependent.Version,
                    ["upstream"] = new JsonObject
                    {
                        ["compactId"] = upstream.CompactId,
                        ["version"] = upstream.Version,
                        ["event"] = upstreamTrigger.ToWire(),
                    },
                })));
                events.Add(new StreamEvent(dependent.SessionId, Daemon(EventTypes.CompactRevoked, new JsonObject
                {
                    ["compactId"] = dependent.CompactId,
                    ["version"] = dependent.Version,
                    ["revocationId"] = null,
                    ["cause"] = LifecycleEventTypes.CauseUpstream,
                })));
                level.Add((dependent, UpstreamTrigger.Revocation));
            }
        }
        return events;
    }

    // ---- checks ----------------------------------------------------------------------------------

    private static PactError? CheckRevoke(NegotiationState s, RevokeCompact c)
    {
        if (Visible(s, c.CompactId, c.Signer) is not { } binding) return Refusals.NotFound($"Compact {c.CompactId}");
        var version = s.Compact(c.CompactId, c.Version);
        if (version is null) return Refusals.NotFound($"Compact {c.CompactId} version {c.Version}");
        if (RoleOf(binding, c.Signer) is null) return Refusals.Forbidden($"Only a party of {c.CompactId} may revoke it.");
        if (version.Status != CompactVersionStatus.InForce)
            return Refusals.CompactState($"{c.CompactId} version {c.Version} is {version.Status.ToWire()}.");
        if (s.OpenRevocation(c.CompactId, c.Version) is { } open)
            return Refusals.CompactState($"Revocation {open.RevocationId} of {c.CompactId} version {c.Version} is {open.Status.ToWire()}; only one may be open per version.");

        var terms = TermsOf(s, version).Revocation;
        if (c.Emergency && !terms.Emergency)
            return NotAllowed("/payload/emergency", $"The terms of {c.CompactId} version {c.Version} do not allow emergency revocation.");
        if (terms.Mode == RevocationMode.Conditional && (c.Condition is null || !terms.Conditions.Contains(c.Condition, StringComparer.Ordinal)))
            return NotAllowed("/payload/condition", $"{c.CompactId} version {c.Version} may only be revoked naming one of its listed conditions.");
        if (c.Condition is not null && !terms.Conditions.Contains(c.Condition, StringComparer.Ordinal))
            return NotAllowed("/payload/condition", $"'{c.Condition}' is not a condition listed in the terms of {c.CompactId} version {c.Version}.");
        return null;
    }

    private static PactError? CheckRevocationAck(NegotiationState s, AcknowledgeRevocation c)
    {
        if (Visible(s, c.CompactId, c.Signer) is not { } binding) return Refusals.NotFound($"Compact {c.CompactId}");
        var r = s.Revocation(c.RevocationId);
        if (r is null || r.CompactId != c.CompactId) return Refusals.NotFound($"Revocation {c.RevocationId}");
        if (RoleOf(binding, c.Signer) is null) return Refusals.Forbidden($"Only a party of {c.CompactId} may acknowledge its revocation.");
        if (r.InitiatedBy == c.Signer) return Refusals.Forbidden("Only the other party may acknowledge a revocation.");
        if (r.Status != RevocationStatus.Initiated)
            return Refusals.CompactState($"Revocation {r.RevocationId} is {r.Status.ToWire()}.");
        if (c.InitiationHash != r.InitiationHash)
            return Refusals.HashMismatch("/payload/initiationHash", "initiationHash is not the hash of the compact.revocation.initiated event.");
        return null;
    }

    private static PactError? CheckMarker(NegotiationState s, RecordMarker c)
    {
        if (Visible(s, c.CompactId, c.Signer) is not { } binding) return Refusals.NotFound($"Compact {c.CompactId}");
        if (RoleOf(binding, c.Signer) is null) return Refusals.Forbidden($"Only a party of {c.CompactId} may record a marker.");
        var current = s.CurrentVersion(c.CompactId)!;
        if (current.Status != CompactVersionStatus.InForce)
            return Refusals.CompactState($"{c.CompactId} is {current.Status.ToWire()}; markers are recorded while it is in force.");
        if (s.MarkersOf(c.CompactId).FirstOrDefault(m => m.Marker == c.Marker) is { } earlier)
            return Refusals.CompactState($"Marker {c.Marker} of {c.CompactId} was already recorded as {earlier.MarkerId}.");
        var terms = TermsOf(s, current);
        if (!UsesMarker(terms, c.Marker))
        {
            return PactError.InvalidPayload(
                $"The terms of {c.CompactId} version {current.Version} name no marker '{c.Marker}' (retain mode until-marker).", "/payload/marker");
        }
        return null;
    }

    private static PactError? CheckMarkerAck(NegotiationState s, AcknowledgeMarker c)
    {
        if (Visible(s, c.CompactId, c.Signer) is not { } binding) return Refusals.NotFound($"Compact {c.CompactId}");
        var m = s.Marker(c.MarkerId);
        if (m is null || m.CompactId != c.CompactId) return Refusals.NotFound($"Marker {c.MarkerId}");
        if (RoleOf(binding, c.Signer) is null) return Refusals.Forbidden($"Only a party of {c.CompactId} may acknowledge its marker.");
        if (m.RecordedBy == c.Signer) return Refusals.Forbidden("Only the other party may acknowledge a marker.");
        if (m.Status != MarkerStatus.Recorded) return Refusals.CompactState($"Marker {m.MarkerId} is {m.Status.ToWire()}.");
        if (c.InitiationHash != m.InitiationHash)
            return Refusals.HashMismatch("/payload/initiationHash", "initiationHash is not the hash of the compact.marker event.");
        return null;
    }

    /// <summary>
    /// Whether <paramref name="agentDid"/> may see the compact (§3): it is a party, or a participant of the session
    /// of one of its versions. False for a compact with no signed version. Reads (GET, check, dispositions) answer
    /// 404 when this is false.
    /// </summary>
    public static bool CanSee(NegotiationState state, string compactId, string agentDid) => Visible(state, compactId, agentDid) is not null;

    /// <summary>True when a retention entry of either party keeps a category until this marker.</summary>
    public static bool UsesMarker(CompactTerms terms, string marker) =>
        terms.Retention.A.Concat(terms.Retention.B).Any(e => e.Retain.Mode == RetainMode.UntilMarker && e.Retain.Marker == marker);

    /// <summary>
    /// The compact's binding when the signer may see it: a party, or a participant of the session of one of its
    /// versions (§3). Null for an unknown compact (no signed version) or one the signer may not see.
    /// </summary>
    private static CompactBinding? Visible(NegotiationState s, string compactId, string signer)
    {
        var binding = s.Bindings.GetValueOrDefault(compactId);
        if (binding is null || s.CurrentVersion(compactId) is null) return null;
        if (RoleOf(binding, signer) is not null) return binding;
        return s.Versions(compactId).Any(v => s.Session(v.SessionId)?.IsParticipant(signer) == true) ? binding : null;
    }

    private static PartyRole? RoleOf(CompactBinding binding, string agent) =>
        binding.AgentA == agent ? PartyRole.A : binding.AgentB == agent ? PartyRole.B : null;

    private static CompactTerms TermsOf(NegotiationState s, CompactVersionInfo version) =>
        s.Lifecycle(version.CompactId, version.Version)?.Terms
        ?? throw new InvalidOperationException($"{version.CompactId} version {version.Version} has no readable terms in its compact.in-force record.");

    private static PactError NotAllowed(string pointer, string detail) =>
        new(PactCodes.RevocationNotAllowed, 422, "Revocation not allowed by the terms", detail,
            [new FieldError(pointer, PactCodes.RevocationNotAllowed, detail)]);

    // ---- events ----------------------------------------------------------------------------------

    private static Decision Revoked(NegotiationState s, RevokeCompact c, DateTimeOffset now)
    {
        var version = s.Compact(c.CompactId, c.Version)!;
        var terms = TermsOf(s, version).Revocation;
        // An emergency revocation the terms allow skips the notice period (the check refused any other).
        var effectiveAt = c.Emergency ? now : terms.NoticePeriodDuration.AddTo(now);
        var ackDeadline = terms.AckTimeoutDuration.AddTo(now);
        return Decision.Of(new StreamEvent(version.SessionId, Draft(EventTypes.RevocationInitiated, c, new JsonObject
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
            new(version.SessionId, Draft(LifecycleEventTypes.RevocationAcknowledged, c, new JsonObject
            {
                ["revocationId"] = r.RevocationId,
                ["initiationHash"] = c.InitiationHash,
            })),
        };
        // Active at max(acknowledgment, effectiveAt): at once when the notice period is over, else at effectiveAt (kind 4).
        if (r.EffectiveAt <= now)
        {
            events.Add(new(version.SessionId, RevokedDraft(r, null)));
            events.AddRange(Cascade(s, version, UpstreamTrigger.Revocation));
        }
        return new Decision([.. events]);
    }

    private static EventDraft RevokedDraft(RevocationRecord r, string? dueAt)
    {
        var data = new JsonObject
        {
            ["compactId"] = r.CompactId,
            ["version"] = r.Version,
            ["revocationId"] = r.RevocationId,
            ["cause"] = LifecycleEventTypes.CauseRevocation,
        };
        if (dueAt is not null) data["dueAt"] = dueAt;
        return Daemon(EventTypes.CompactRevoked, data);
    }

    /// <summary>An event carrying the request's envelope: actor is the signer, data starts with the envelope.</summary>
    private static EventDraft Draft(string type, LifecycleCommand c, JsonObject members)
    {
        var data = new JsonObject { ["envelope"] = c.Envelope.DeepClone() };
        foreach (var (key, value) in members.ToList())
        {
            members.Remove(key);
            data[key] = value;
        }
        return new EventDraft(type, c.Signer, data);
    }

    private static EventDraft Daemon(string type, JsonObject data) => new(type, TranscriptEvent.DaemonActor, data);
}
