using Pact.Core.Errors;
using Pact.Core.Lifecycle;
using Pact.Core.Negotiation;
using Pact.Core.Terms;
using Pact.Core.Time;

namespace Pact.Core.Compliance;

/// <summary>
/// The compliance check of §6.3: eight steps in order, the first failure answers, default-deny.
/// <list type="number">
/// <item><c>compact-status</c>: before inForceAt fails COMPACT_NOT_IN_FORCE. After the version ended (revoked —
/// by its own revocation or an upstream cascade —, expired, superseded) the category's disposition for that event
/// governs: derive and propagate fail here unless it is a <c>transition</c> (a category outside the slice has none).</item>
/// <item><c>effective</c>: <c>at</c> ≥ scope.effective.from, else NOT_YET_EFFECTIVE (judged in every phase).</item>
/// <item><c>lifecycle-gap</c>: a revocation initiated by the other party and not yet active or lapsed at <c>at</c>
/// suspends the whole slice: SUSPENDED_LIFECYCLE_GAP.</item>
/// <item><c>retention</c>: the category is in the party's slice, else NOT_IN_RETENTION.</item>
/// <item><c>retention-period</c>: an until-marker category is DISPOSED once its marker is in effect (in every
/// phase); in force, a period retention ends at anchor + period (RETENTION_ELAPSED); after the end, <c>delete</c>
/// is DISPOSED and a <c>retain</c> or <c>transition</c> period counted from the ending event is DISPOSED once over.</item>
/// <item><c>derivation</c> (derive): the operation is listed for the category — in force in the entry's derive,
/// after the end in the transition's.</item>
/// <item><c>propagation</c> (propagate): an edge to the recipient exists (entry, or transition after the end).</item>
/// <item><c>recipient-compact</c> (propagate): recipientCompactTier ≥ the edge's minTier; a missing tier fails.</item>
/// </list>
/// Periods are added with calendar arithmetic (<see cref="IsoDuration.AddTo"/>).
/// </summary>
public static class ComplianceCheck
{
    /// <summary>
    /// Answers a request about <paramref name="compactId"/>: the version defaults to the current one, <c>at</c> to
    /// <paramref name="now"/>. The state is projected to max(now, at) first, so reached deadlines count as fired
    /// and a future <c>at</c> is judged with the deadlines scheduled so far. 404 when the compact or version does
    /// not exist; visibility is the caller's to check (<see cref="LifecycleMachine.CanSee"/>).
    /// </summary>
    public static (ComplianceDecision? Decision, PactError? Error) Evaluate(
        NegotiationState state, string compactId, ComplianceRequest request, DateTimeOffset now)
    {
        now = Timestamp.Truncate(now);
        var at = Timestamp.Truncate(request.At ?? now);
        var projected = LifecycleMachine.AsOf(state, at > now ? at : now);
        var version = request.Version ?? projected.CurrentVersion(compactId)?.Version;
        if (version is null) return (null, PactError.NotFound($"Compact {compactId}"));
        var timeline = CompactTimeline.From(projected, compactId, version.Value);
        if (timeline is null) return (null, PactError.NotFound($"Compact {compactId} version {version}"));
        return (Evaluate(timeline, request, at), null);
    }

    /// <summary>Runs the eight steps against a timeline at <paramref name="at"/>.</summary>
    public static ComplianceDecision Evaluate(CompactTimeline timeline, ComplianceRequest request, DateTimeOffset at) =>
        new Evaluation(timeline, request, Timestamp.Truncate(at)).Run();

    private sealed class Evaluation(CompactTimeline timeline, ComplianceRequest request, DateTimeOffset at)
    {
        private readonly List<TraceStep> _trace = [];
        private readonly string _party = request.Party.ToWire();
        private readonly string _compact = $"{timeline.CompactId} version {timeline.Version}";

        public ComplianceDecision Run()
        {
            var terms = timeline.Terms;
            var entry = terms.Retention[request.Party].FirstOrDefault(e => e.Category == request.Category);
            var phase = timeline.PhaseAt(at);
            var end = phase == CompactPhase.Ended ? timeline.End : null;
            var rule = end is null ? null : entry?.Disposition[end.Event];
            var when = Ts(at);

            // 1 compact-status
            switch (phase)
            {
                case CompactPhase.NotYetInForce:
                    return Fail(ComplianceSteps.CompactStatus, ComplianceCodes.CompactNotInForce, $"in force from {Ts(timeline.InForceAt)}",
                        $"{Denied()}: compact {_compact} was not yet in force at {when} (in force from {Ts(timeline.InForceAt)}).");
                case CompactPhase.InForce:
                    Pass(ComplianceSteps.CompactStatus, "in-force");
                    break;
                default:
                    {
                        var status = $"{CompactTimeline.EndStatus(end!.Event)} at {Ts(end.At)}";
                        var governing = rule is null ? "no disposition" : $"{end.Event.ToWire()} disposition {rule.Action.ToWire()}";
                        if (request.Action != ComplianceAction.Retain && rule?.Action != DispositionAction.Transition)
                        {
                            return Fail(ComplianceSteps.CompactStatus, ComplianceCodes.CompactNotInForce, $"{status}; {governing} allows retain only",
                                $"{Denied()}: compact {_compact} was {status}, and " +
                                (rule is null
                                    ? $"{request.Category} has no disposition in party {_party}'s slice."
                                    : $"its {end.Event.ToWire()} disposition ({rule.Action.ToWire()}) allows no {Dimension()}."));
                        }
                        Pass(ComplianceSteps.CompactStatus, $"{status}; {governing} governs");
                        break;
                    }
            }

            // 2 effective
            var from = terms.Scope.Effective.From;
            if (at < from)
            {
                return Fail(ComplianceSteps.Effective, ComplianceCodes.NotYetEffective, $"effective from {Ts(from)}",
                    $"{Denied()}: compact {_compact} is not effective before {Ts(from)}.");
            }
            Pass(ComplianceSteps.Effective, $"effective from {Ts(from)}");

            // 3 lifecycle-gap
            if (timeline.GapAt(at, request.Party) is { } gap)
            {
                var initiator = gap.Initiator is { } role ? $"party {role.ToWire()}" : "the other party";
                return Fail(ComplianceSteps.LifecycleGap, ComplianceCodes.SuspendedLifecycleGap,
                    $"revocation {gap.RevocationId} by {initiator} pending since {Ts(gap.From)}",
                    $"{Denied()}: revocation {gap.RevocationId} by {initiator} is pending, which suspends party {_party}'s slice until it is active or lapses.");
            }
            Pass(ComplianceSteps.LifecycleGap, $"no pending revocation suspends party {_party}");

            // 4 retention
            if (entry is null)
            {
                return Fail(ComplianceSteps.Retention, ComplianceCodes.NotInRetention, $"{request.Category} is not in party {_party}'s slice",
                    $"{Denied()}: {request.Category} is not in its slice.");
            }
            Pass(ComplianceSteps.Retention, $"{request.Category} is in party {_party}'s slice");

            // 5 retention-period
            if (RetentionPeriod(entry, end, rule) is { } failed) return failed;

            // 6 derivation
            if (request.Action == ComplianceAction.Derive)
            {
                var listed = end is null ? entry.Derive : rule!.Derive ?? [];
                var under = end is null ? "" : $" under its {end.Event.ToWire()} transition";
                if (request.Operation is null)
                    return Fail(ComplianceSteps.Derivation, ComplianceCodes.OperationNotAllowed, "no operation named", $"{Denied()}: no operation was named.");
                if (!listed.Contains(request.Operation, StringComparer.Ordinal))
                {
                    return Fail(ComplianceSteps.Derivation, ComplianceCodes.OperationNotAllowed, $"{request.Operation} is not listed for {request.Category}{under}",
                        $"{Denied()}: the operation is not listed for the category{under}.");
                }
                Pass(ComplianceSteps.Derivation, $"{request.Operation} is listed for {request.Category}{under}");
            }
            else
            {
                Skip(ComplianceSteps.Derivation, "not a derive");
            }

            // 7 propagation, 8 recipient-compact
            if (request.Action == ComplianceAction.Propagate)
            {
                var edges = end is null ? entry.Propagate : rule!.Propagate ?? [];
                var edge = request.Recipient is null ? null : edges.FirstOrDefault(e => e.To == request.Recipient);
                if (request.Recipient is null)
                    return Fail(ComplianceSteps.Propagation, ComplianceCodes.RecipientNotAllowed, "no recipient named", $"{Denied()}: no recipient was named.");
                if (edge is null)
                {
                    return Fail(ComplianceSteps.Propagation, ComplianceCodes.RecipientNotAllowed, $"no edge to {request.Recipient}",
                        $"{Denied()}: no such edge in its slice.");
                }
                Pass(ComplianceSteps.Propagation, $"edge to {edge.To} requires a {edge.MinTier.ToWire()} compact");
                var given = request.RecipientCompactTier;
                if (given is null || given.Value < edge.MinTier)
                {
                    var givenText = given is { } g ? $"{g.ToWire()} given" : "none given";
                    return Fail(ComplianceSteps.RecipientCompact, ComplianceCodes.RecipientCompactRequired, $"needs {edge.MinTier.ToWire()}, {givenText}",
                        $"{Denied()}: the recipient must be bound by a compact of at least the {edge.MinTier.ToWire()} tier ({givenText}).");
                }
                Pass(ComplianceSteps.RecipientCompact, $"{given.Value.ToWire()} meets {edge.MinTier.ToWire()}");
            }
            else
            {
                Skip(ComplianceSteps.Propagation, "not a propagate");
                Skip(ComplianceSteps.RecipientCompact, "not a propagate");
            }

            return new ComplianceDecision(true, ComplianceCodes.Allowed, null, $"Party {_party} may {Act()} at {when}.", _trace,
                timeline.CompactHash, timeline.Version, at);
        }

        private ComplianceDecision? RetentionPeriod(RetentionEntry entry, CompactEnd? end, DispositionRule? rule)
        {
            var retain = entry.Retain;
            if (retain.Mode == RetainMode.UntilMarker && timeline.MarkerEffectiveAt(retain.Marker!) is { } markedAt && markedAt <= at)
            {
                return Fail(ComplianceSteps.RetentionPeriod, ComplianceCodes.Disposed, $"marker {retain.Marker} in effect since {Ts(markedAt)}",
                    $"{Denied()}: {entry.Category} is kept only until the marker {retain.Marker}, in effect since {Ts(markedAt)}.");
            }
            if (end is null)
            {
                switch (retain.Mode)
                {
                    case RetainMode.Period:
                        {
                            var until = retain.PeriodDuration!.AddToOrEndOfTime(timeline.Anchor(retain.Anchor!.Value));
                            if (at >= until)
                            {
                                return Fail(ComplianceSteps.RetentionPeriod, ComplianceCodes.RetentionElapsed,
                                    $"{retain.Period} from {retain.Anchor!.Value.ToWire()} ended at {Ts(until)}",
                                    $"{Denied()}: its retention period for {entry.Category} ended at {Ts(until)}.");
                            }
                            Pass(ComplianceSteps.RetentionPeriod, $"retained until {Ts(until)}");
                            break;
                        }
                    case RetainMode.Effective:
                        Pass(ComplianceSteps.RetentionPeriod, "retained while in force");
                        break;
                    case RetainMode.UntilMarker:
                        Pass(ComplianceSteps.RetentionPeriod, $"retained until marker {retain.Marker}");
                        break;
                    default:
                        Pass(ComplianceSteps.RetentionPeriod, "retained indefinitely");
                        break;
                }
                return null;
            }

            var ending = end.Event.ToWire();
            if (rule is null || rule.Action == DispositionAction.Delete)
            {
                return Fail(ComplianceSteps.RetentionPeriod, ComplianceCodes.Disposed, $"{ending} disposition delete",
                    $"{Denied()}: the {ending} disposition of {entry.Category} is delete, since {Ts(end.At)}.");
            }
            if (rule.PeriodDuration is { } period)
            {
                var until = period.AddToOrEndOfTime(end.At);
                if (at >= until)
                {
                    return Fail(ComplianceSteps.RetentionPeriod, ComplianceCodes.Disposed, $"{ending} disposition {rule.Action.ToWire()} {rule.Period} ended at {Ts(until)}",
                        $"{Denied()}: the {ending} disposition kept {entry.Category} only until {Ts(until)}.");
                }
                Pass(ComplianceSteps.RetentionPeriod, $"kept under the {ending} disposition until {Ts(until)}");
                return null;
            }
            Pass(ComplianceSteps.RetentionPeriod, $"kept indefinitely under the {ending} disposition");
            return null;
        }

        private void Pass(string step, string detail) => _trace.Add(new TraceStep(step, TraceStep.Pass, detail));

        private void Skip(string step, string detail) => _trace.Add(new TraceStep(step, TraceStep.Skip, detail));

        private ComplianceDecision Fail(string step, string code, string detail, string explanation)
        {
            _trace.Add(new TraceStep(step, TraceStep.Fail, detail));
            return new ComplianceDecision(false, code, step, explanation, _trace, timeline.CompactHash, timeline.Version, at);
        }

        private string Denied() => $"Party {_party} may not {Act()}";

        private string Act() => request.Action switch
        {
            ComplianceAction.Retain => $"retain {request.Category}",
            ComplianceAction.Derive => $"derive {request.Operation ?? "anything"} from {request.Category}",
            _ => $"propagate {request.Category} to {request.Recipient ?? "anyone"}",
        };

        private string Dimension() => request.Action == ComplianceAction.Derive ? "derivation" : "propagation";

        private static string Ts(DateTimeOffset instant) => Timestamp.ToText(instant);
    }
}
