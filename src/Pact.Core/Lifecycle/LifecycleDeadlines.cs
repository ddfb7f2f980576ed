using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Events;
using Pact.Core.Negotiation;
using Pact.Core.Terms;
using Pact.Core.Time;

namespace Pact.Core.Lifecycle;

/// <summary>
/// The lifecycle's deadlines (§8.2 kinds 3–6: revocation escalation and effect, marker effect, compact expiry) and
/// the upstream cascade (§6.4) that follows every compact.revoked and compact.expired.
/// </summary>
internal static class LifecycleDeadlines
{
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
                        return Decision.Of([new StreamEvent(c.SessionId, LifecycleDrafts.Revoked(r, dueAt)), .. Cascade(state, c, UpstreamTrigger.Revocation)]);

                    var failure = new StreamEvent(c.SessionId, FailureEvents.Draft(PactCodes.AcknowledgmentTimeout, FailureEvents.LifecycleStage,
                        FailureEvents.NonTerminal, "event:" + r.InitiationHash, "compact:" + c.CompactHash, Acknowledger(state, r)));
                    if (r.Mode == RevocationMode.Mutual)
                    {
                        // Mutual revocation needs the counterparty: silence lapses it and the compact stays in force.
                        return Decision.Of(
                            new StreamEvent(c.SessionId, LifecycleDrafts.Daemon(EventTypes.RevocationLapsed, new JsonObject
                            {
                                ["revocationId"] = r.RevocationId,
                                ["reason"] = LifecycleEventTypes.LapsedAckTimeout,
                                ["dueAt"] = dueAt,
                            })),
                            failure);
                    }
                    var events = new List<StreamEvent>
                    {
                        new(c.SessionId, LifecycleDrafts.Daemon(LifecycleEventTypes.RevocationEscalated, new JsonObject { ["revocationId"] = r.RevocationId, ["dueAt"] = dueAt })),
                        failure,
                    };
                    // Active at max(ackDeadline, effectiveAt): now if the notice period is over, else a kind 4 deadline later.
                    if (r.EffectiveAt <= deadline.DueAt)
                    {
                        events.Add(new(c.SessionId, LifecycleDrafts.Revoked(r, null)));
                        events.AddRange(Cascade(state, c, UpstreamTrigger.Revocation));
                    }
                    return new Decision([.. events]);
                }
            case DeadlineKind.MarkerEffective:
                {
                    var m = state.Marker(deadline.Id);
                    if (m is null || m.PendingDeadline != deadline) return Decision.Empty;
                    return Decision.Of(new StreamEvent(m.SessionId, LifecycleDrafts.Daemon(LifecycleEventTypes.MarkerEffective, new JsonObject
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
                        new(c.SessionId, LifecycleDrafts.Daemon(EventTypes.CompactExpired, new JsonObject
                        {
                            ["compactId"] = c.CompactId,
                            ["version"] = c.Version,
                            ["dueAt"] = dueAt,
                        })),
                    };
                    if (c.OpenRevocationId is { } open)
                    {
                        events.Add(new(c.SessionId, LifecycleDrafts.Daemon(EventTypes.RevocationLapsed, new JsonObject
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

    /// <summary>The party that had to acknowledge a revocation: the compact's party other than its initiator (§16).</summary>
    private static string Acknowledger(NegotiationState state, RevocationRecord r)
    {
        var binding = state.Bindings.GetValueOrDefault(r.CompactId)
            ?? throw new InvalidOperationException($"Revocation {r.RevocationId} names {r.CompactId}, which has no binding.");
        return binding.AgentA == r.InitiatedBy ? binding.AgentB : binding.AgentA;
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
                events.Add(new StreamEvent(dependent.SessionId, LifecycleDrafts.Daemon(LifecycleEventTypes.UpstreamTriggered, new JsonObject
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
                events.Add(new StreamEvent(dependent.SessionId, LifecycleDrafts.Daemon(EventTypes.CompactRevoked, new JsonObject
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
}
