using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Core.Negotiation;
using Pact.Core.Terms;
using Pact.Core.Time;

namespace Pact.Core.Lifecycle;

/// <summary>
/// The dueAt of the deadline operation being folded and the event time it was recorded at (see
/// <see cref="NegotiationState.Clock"/>). A daemon event without dueAt inherits it only when it was recorded at
/// the same time; any event with a signer starts a new operation.
/// </summary>
internal sealed record OperationClock(DateTimeOffset DueAt, string Time)
{
    /// <summary>The instant <paramref name="e"/> happened at, and the clock for the next event.</summary>
    public static (DateTimeOffset Instant, OperationClock? Next) Advance(OperationClock? current, TranscriptEvent e)
    {
        if (e.Data["dueAt"] is JsonValue v && v.TryGetValue<string>(out var text) && Timestamp.TryParse(text, out var due))
            return (due, new OperationClock(due, e.Time));
        if (e.Actor == TranscriptEvent.DaemonActor && current is not null && current.Time == e.Time)
            return (current.DueAt, current);
        return (Timestamp.Parse(e.Time), null);
    }
}

/// <summary>How the lifecycle events of §8.2 change <see cref="NegotiationState"/>; called from its Apply.</summary>
internal static class LifecycleFold
{
    /// <summary>Lifecycle deadlines (kinds 3–6) still pending, unordered.</summary>
    public static IEnumerable<Deadline> PendingDeadlines(NegotiationState state)
    {
        foreach (var r in state.Revocations.Values)
        {
            // A revocation only waits while its version is in force; otherwise it lapsed or became active.
            if (r.PendingDeadline is { } d && state.Compact(r.CompactId, r.Version)?.Status == CompactVersionStatus.InForce)
                yield return d;
        }
        foreach (var m in state.Markers.Values)
        {
            if (m.PendingDeadline is { } d) yield return d;
        }
        foreach (var c in state.Compacts.Values)
        {
            if (ExpiryOf(state, c) is { } d) yield return d;
        }
    }

    /// <summary>The kind 6 deadline of an in-force version: scope.effective.until, under the compactId.</summary>
    public static Deadline? ExpiryOf(NegotiationState state, CompactVersionInfo c) =>
        c.Status == CompactVersionStatus.InForce && state.Lifecycle(c.CompactId, c.Version)?.ExpiresAt is { } until
            ? new Deadline(until, DeadlineKind.CompactExpiry, c.CompactId)
            : null;

    public static NegotiationState InForce(NegotiationState state, TranscriptEvent e, DateTimeOffset instant)
    {
        var data = e.Data;
        var compactId = data["compactId"]!.GetValue<string>();
        var version = JsonRead.Integer(data["version"]);
        var record = data["record"] as JsonObject;
        var terms = record?["terms"] is JsonObject t ? TermsReader.Read(t).Terms : null;
        var inForceAt = record?["inForceAt"] is JsonValue v && v.TryGetValue<string>(out var text) && Timestamp.TryParse(text, out var at)
            ? at
            : instant;
        return state.With(new CompactVersionLifecycle(compactId, version, terms, inForceAt));
    }

    /// <summary>
    /// compact.superseded, compact.revoked, compact.expired: records how and when the version ended. A revocation
    /// named by compact.revoked becomes active; an upstream cascade lapses the version's own open revocation.
    /// </summary>
    public static NegotiationState Ended(NegotiationState state, TranscriptEvent e, DateTimeOffset instant, NegotiationState? before = null)
    {
        var data = e.Data;
        var compactId = data["compactId"]!.GetValue<string>();
        var version = JsonRead.Integer(data["version"]);
        var cause = data["cause"]?.GetValue<string>();
        var lifecycleEvent = e.Type switch
        {
            EventTypes.CompactSuperseded => LifecycleEvent.Supersession,
            EventTypes.CompactExpired => LifecycleEvent.Expiration,
            _ when cause == LifecycleEventTypes.CauseUpstream => LifecycleEvent.Upstream,
            _ => LifecycleEvent.Revocation,
        };
        var next = state;
        if (next.Lifecycle(compactId, version) is { } lifecycle && lifecycle.End is null)
            next = next.With(lifecycle with { End = new CompactEnd(lifecycleEvent, instant) });

        if (e.Type == EventTypes.CompactRevoked)
        {
            if (data["revocationId"] is JsonValue idValue && idValue.TryGetValue<string>(out var revocationId)
                && next.Revocation(revocationId) is { } r)
            {
                next = next.With(r with { Status = RevocationStatus.Active, ActiveAt = instant });
            }
            else if (before?.OpenRevocation(compactId, version) is { IsOpen: true } open)
            {
                // §8.2 records no lapse for a version revoked by its upstream; its own revocation can no longer
                // become active, so the state closes it here.
                next = next.With(open with { Status = RevocationStatus.Lapsed, LapsedAt = instant, LapseReason = LifecycleEventTypes.LapsedUpstream });
            }
        }
        return next;
    }

    public static NegotiationState Initiated(NegotiationState state, TranscriptEvent e, DateTimeOffset instant)
    {
        var data = e.Data;
        var compactId = data["compactId"]!.GetValue<string>();
        var version = JsonRead.Integer(data["version"]);
        var payload = data["envelope"]?["payload"] as JsonObject;
        var terms = state.Lifecycle(compactId, version)?.Terms;
        var binding = state.Bindings.GetValueOrDefault(compactId);
        PartyRole? role = binding is null ? null : binding.AgentA == e.Actor ? PartyRole.A : binding.AgentB == e.Actor ? PartyRole.B : null;
        var session = state.Compact(compactId, version)?.SessionId ?? e.Stream;
        return state.With(new RevocationRecord(
            data["revocationId"]!.GetValue<string>(),
            compactId,
            version,
            session,
            e.Actor,
            role,
            instant,
            Timestamp.Parse(data["effectiveAt"]!.GetValue<string>()),
            Timestamp.Parse(data["ackDeadline"]!.GetValue<string>()),
            e.Hash,
            // Records always carry terms; a hand-built state without them is read as unilateral.
            terms?.Revocation.Mode ?? RevocationMode.Unilateral,
            Text(payload?["reason"]),
            Text(payload?["condition"]),
            payload?["emergency"] is JsonValue em && em.TryGetValue<bool>(out var emergency) && emergency,
            RevocationStatus.Initiated));
    }

    public static NegotiationState Lapsed(NegotiationState state, TranscriptEvent e, DateTimeOffset instant)
    {
        var id = e.Data["revocationId"]!.GetValue<string>();
        return state.Revocation(id) is { } r
            ? state.With(r with { Status = RevocationStatus.Lapsed, LapsedAt = instant, LapseReason = Text(e.Data["reason"]) })
            : state;
    }

    /// <summary>The lifecycle events that need no change to the negotiation members.</summary>
    public static NegotiationState Apply(NegotiationState state, TranscriptEvent e, DateTimeOffset instant)
    {
        var data = e.Data;
        switch (e.Type)
        {
            case LifecycleEventTypes.RevocationAcknowledged:
                return state.Revocation(data["revocationId"]!.GetValue<string>()) is { } acked
                    ? state.With(acked with { Status = RevocationStatus.Acknowledged, AcknowledgedAt = instant })
                    : state;
            case LifecycleEventTypes.RevocationEscalated:
                return state.Revocation(data["revocationId"]!.GetValue<string>()) is { } escalated
                    ? state.With(escalated with { Status = RevocationStatus.Escalated, EscalatedAt = instant })
                    : state;
            case LifecycleEventTypes.UpstreamTriggered:
                {
                    var lifecycle = state.Lifecycle(data["compactId"]!.GetValue<string>(), JsonRead.Integer(data["version"]));
                    var upstream = data["upstream"]!.AsObject();
                    if (lifecycle is null || !Wire.TryParse<UpstreamTrigger>(Text(upstream["event"]), out var trigger)) return state;
                    return state.With(lifecycle with
                    {
                        TriggeredBy = new UpstreamCause(upstream["compactId"]!.GetValue<string>(), JsonRead.Integer(upstream["version"]), trigger, instant),
                    });
                }
            case LifecycleEventTypes.MarkerRecorded:
                {
                    var compactId = data["compactId"]!.GetValue<string>();
                    var current = state.InForce(compactId) ?? state.CurrentVersion(compactId);
                    var ackTimeout = current is null ? null : state.Lifecycle(compactId, current.Version)?.Terms?.Revocation.AckTimeoutDuration;
                    var binding = state.Bindings.GetValueOrDefault(compactId);
                    PartyRole? role = binding is null ? null : binding.AgentA == e.Actor ? PartyRole.A : binding.AgentB == e.Actor ? PartyRole.B : null;
                    return state.With(new MarkerRecord(
                        data["markerId"]!.GetValue<string>(), compactId, data["marker"]!.GetValue<string>(),
                        current?.Version ?? 0, e.Stream, e.Actor, role, instant, e.Hash,
                        ackTimeout?.AddToOrEndOfTime(instant), MarkerStatus.Recorded));
                }
            case LifecycleEventTypes.MarkerAcknowledged:
            case LifecycleEventTypes.MarkerEffective:
                return state.Marker(data["markerId"]!.GetValue<string>()) is { Status: MarkerStatus.Recorded } m
                    ? state.With(m with { Status = MarkerStatus.Effective, EffectiveAt = instant })
                    : state;
            default:
                return state;
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
