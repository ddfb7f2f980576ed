using System.Text.Json.Nodes;
using Pact.Core.Lifecycle;
using Pact.Core.Negotiation;
using Pact.Core.Terms;
using Pact.Core.Time;

namespace Pact.Core.Compliance;

/// <summary>The duties of GET /v1/compacts/{id}/dispositions (§6).</summary>
public static class DutyKinds
{
    /// <summary>The material must be gone (since <c>since</c>).</summary>
    public const string Delete = "delete";

    /// <summary>Kept until <c>until</c>, then deleted.</summary>
    public const string RetainUntil = "retain-until";

    /// <summary>Kept with exactly the listed <c>derive</c> and <c>propagate</c> rights, until <c>until</c> (null: no end).</summary>
    public const string Transition = "transition";

    /// <summary>Kept with no end.</summary>
    public const string Indefinite = "indefinite";

    /// <summary>No disposal duty yet: the category is kept while the compact is in force, or until a marker not yet in effect.</summary>
    public const string None = "none";
}

/// <summary>
/// One party's duty for one category at an instant.
/// <para>Served as <see cref="Pact.Core.Contracts.Responses.DutyInfo"/> — every member always present, null where it does not apply:</para>
/// <list type="bullet">
/// <item><c>duty</c>: one of <see cref="DutyKinds"/>.</item>
/// <item><c>until</c>: end of a <c>retain-until</c> or of a <c>transition</c> with a period.</item>
/// <item><c>since</c>: for <c>delete</c>, the instant the duty began (the ending event, the end of a period, or the marker).</item>
/// <item><c>derive</c>, <c>propagate</c>: a <c>transition</c>'s rights (operation ids; edges { to, requiresCompact: { minTier } }).</item>
/// <item><c>basis</c>: what sets the duty — <c>"retention"</c> (the entry's retain rule, while in force), the ending
/// event whose disposition governs (<c>"revocation"</c>, <c>"expiration"</c>, <c>"supersession"</c>,
/// <c>"upstream"</c>), or <c>"marker:&lt;id&gt;"</c>.</item>
/// <item><c>suspended</c>: true while a revocation by the other party is pending (§6.2): retain, derive and propagate
/// on the slice are suspended, the duty itself is unchanged.</item>
/// </list>
/// </summary>
public sealed record CategoryDuty(
    string Category,
    string Duty,
    DateTimeOffset? Until,
    DateTimeOffset? Since,
    IReadOnlyList<string>? Derive,
    IReadOnlyList<PropagationEdge>? Propagate,
    string Basis,
    bool Suspended);

/// <summary>
/// The answer of GET /v1/compacts/{id}/dispositions.
/// <para>Served as <see cref="Pact.Core.Contracts.Responses.Dispositions"/>: <c>status</c> is the version's at <c>at</c>;
/// <c>governedBy</c> is <c>"retention"</c> while in force, else the ending event whose dispositions apply; <c>endedAt</c> is when the version ended (null while in force); each
/// party's duties follow its slice's category order (<see cref="CategoryDuty"/>).</para>
/// </summary>
public sealed record DispositionReport(
    string CompactId,
    long Version,
    string CompactHash,
    string Status,
    DateTimeOffset At,
    string GovernedBy,
    DateTimeOffset? EndedAt,
    IReadOnlyList<CategoryDuty> A,
    IReadOnlyList<CategoryDuty> B)
{
    public IReadOnlyList<CategoryDuty> this[PartyRole role] => role == PartyRole.A ? A : B;
}

/// <summary>
/// Per party and category, the duty in force at an instant: while the version is in force its retain rule
/// (a period gives <c>retain-until</c> anchor + period, then <c>delete</c>); after it ended, the disposition for the
/// ending event (<c>delete</c>; <c>retain</c> → <c>retain-until</c> end + period, then <c>delete</c>;
/// <c>retain-indefinitely</c> → <c>indefinite</c>; <c>transition</c> with its rights, until end + period when it has one).
/// An until-marker category is <c>delete</c> from the moment its marker is in effect. Calendar arithmetic throughout.
/// </summary>
public static class DispositionDuties
{
    /// <summary>
    /// The report for <paramref name="compactId"/> (current version unless <paramref name="version"/> is given) at
    /// <paramref name="now"/>, with reached deadlines counted as fired; null when there is no such version.
    /// </summary>
    public static DispositionReport? Compute(NegotiationState state, string compactId, DateTimeOffset now, long? version = null)
    {
        now = Timestamp.Truncate(now);
        var projected = LifecycleMachine.AsOf(state, now);
        var v = version ?? projected.CurrentVersion(compactId)?.Version;
        if (v is null) return null;
        var timeline = CompactTimeline.From(projected, compactId, v.Value);
        return timeline is null ? null : Compute(timeline, now);
    }

    /// <summary>The report for a timeline at <paramref name="at"/>.</summary>
    public static DispositionReport Compute(CompactTimeline timeline, DateTimeOffset at)
    {
        at = Timestamp.Truncate(at);
        var phase = timeline.PhaseAt(at);
        var end = phase == CompactPhase.Ended ? timeline.End : null;
        IReadOnlyList<CategoryDuty> Slice(PartyRole party)
        {
            var suspended = timeline.GapAt(at, party) is not null;
            return timeline.Terms.Retention[party].Select(e => DutyOf(timeline, e, phase, end, at) with { Suspended = suspended }).ToList();
        }
        return new DispositionReport(timeline.CompactId, timeline.Version, timeline.CompactHash, timeline.StatusAt(at), at,
            end is null ? "retention" : end.Event.ToWire(), end?.At, Slice(PartyRole.A), Slice(PartyRole.B));
    }

    private static CategoryDuty DutyOf(CompactTimeline timeline, RetentionEntry entry, CompactPhase phase, CompactEnd? end, DateTimeOffset at)
    {
        var category = entry.Category;
        var retain = entry.Retain;
        if (retain.Mode == RetainMode.UntilMarker && timeline.MarkerEffectiveAt(retain.Marker!) is { } markedAt && markedAt <= at)
            return Delete(category, markedAt, "marker:" + retain.Marker);

        if (phase == CompactPhase.NotYetInForce) return new CategoryDuty(category, DutyKinds.None, null, null, null, null, "retention", false);

        if (end is null)
        {
            return retain.Mode switch
            {
                RetainMode.Period => Until(category, retain.PeriodDuration!.AddToOrEndOfTime(timeline.Anchor(retain.Anchor!.Value)), at, "retention"),
                RetainMode.Indefinite => new CategoryDuty(category, DutyKinds.Indefinite, null, null, null, null, "retention", false),
                _ => new CategoryDuty(category, DutyKinds.None, null, null, null, null, "retention", false),
            };
        }

        var basis = end.Event.ToWire();
        var rule = entry.Disposition[end.Event];
        var periodEnd = rule?.PeriodDuration?.AddToOrEndOfTime(end.At);
        switch (rule?.Action)
        {
            case DispositionAction.Retain:
                return Until(category, periodEnd!.Value, at, basis);
            case DispositionAction.RetainIndefinitely:
                return new CategoryDuty(category, DutyKinds.Indefinite, null, null, null, null, basis, false);
            case DispositionAction.Transition:
                return periodEnd is { } transitionEnd && at >= transitionEnd
                    ? Delete(category, transitionEnd, basis)
                    : new CategoryDuty(category, DutyKinds.Transition, periodEnd, null, rule.Derive ?? [], rule.Propagate ?? [], basis, false);
            default:
                // delete, or no disposition for this event at all (default-deny)
                return Delete(category, end.At, basis);
        }
    }

    private static CategoryDuty Until(string category, DateTimeOffset until, DateTimeOffset at, string basis) =>
        at < until
            ? new CategoryDuty(category, DutyKinds.RetainUntil, until, null, null, null, basis, false)
            : Delete(category, until, basis);

    private static CategoryDuty Delete(string category, DateTimeOffset since, string basis) =>
        new(category, DutyKinds.Delete, null, since, null, null, basis, false);
}
