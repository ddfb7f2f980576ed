using Pact.Core.Compliance;
using Pact.Core.Terms;

namespace Pact.Core.Contracts.Responses;

// The compliance check (§6.3) answers Pact.Core.Compliance.ComplianceDecision as it is: that record is the answer.

/// <summary>201 of <c>compact.revoke</c> (§6.2): the acknowledgment names <paramref name="InitiationHash"/>.</summary>
/// <param name="Status">"initiated".</param>
public sealed record RevocationInitiated(
    string RevocationId, string Status, DateTimeOffset? EffectiveAt, DateTimeOffset? AckDeadline, string InitiationHash, string CompactId, long Version);

/// <summary>
/// A revocation (§11): <c>{ revocationId, compactId, version, initiatedBy, status, effectiveAt, ackDeadline, initiationHash }</c>,
/// then reason, condition, emergency (from the request, null when left out), acknowledgedAt, activeAt, lapsedAt and
/// lapseReason (null until they happen). The acknowledgment answers it too.
/// </summary>
/// <param name="Status">initiated, acknowledged, escalated, active or lapsed.</param>
public sealed record RevocationInfo(
    string RevocationId,
    string CompactId,
    long Version,
    string InitiatedBy,
    string Status,
    DateTimeOffset EffectiveAt,
    DateTimeOffset AckDeadline,
    string InitiationHash,
    string? Reason,
    string? Condition,
    bool Emergency,
    DateTimeOffset? AcknowledgedAt,
    DateTimeOffset? ActiveAt,
    DateTimeOffset? LapsedAt,
    string? LapseReason);

/// <summary>201 of <c>compact.marker</c> (§6.4): the acknowledgment names <paramref name="InitiationHash"/>.</summary>
/// <param name="Status">"recorded".</param>
public sealed record MarkerRecorded(string MarkerId, string Status, string InitiationHash, string CompactId, string Marker);

/// <summary>
/// A marker (§11): <c>{ markerId, compactId, marker, recordedBy, status, initiationHash, effectiveAt }</c>, then recordedAt
/// and ackDeadline. <paramref name="EffectiveAt"/> is when it took effect once <c>effective</c>; while <c>recorded</c>,
/// when it will take effect without an acknowledgment. The acknowledgment answers it too.
/// </summary>
public sealed record MarkerInfo(
    string MarkerId,
    string CompactId,
    string Marker,
    string RecordedBy,
    string Status,
    string InitiationHash,
    DateTimeOffset? EffectiveAt,
    DateTimeOffset RecordedAt,
    DateTimeOffset? AckDeadline);

/// <summary>
/// <c>GET /v1/compacts/{id}/dispositions</c>: per party and category, the duty in force at <paramref name="At"/>.
/// <paramref name="Status"/> is the version's at that instant; <paramref name="GovernedBy"/> is "retention" while in
/// force, else the ending event whose dispositions apply; <paramref name="EndedAt"/> is null while in force.
/// </summary>
public sealed record Dispositions(
    string CompactId, long Version, string CompactHash, string Status, DateTimeOffset At, string GovernedBy, DateTimeOffset? EndedAt, PartyDuties Parties)
{
    public static Dispositions From(DispositionReport report) => new(
        report.CompactId, report.Version, report.CompactHash, report.Status, report.At, report.GovernedBy, report.EndedAt,
        new PartyDuties([.. report.A.Select(DutyInfo.From)], [.. report.B.Select(DutyInfo.From)]));
}

/// <summary>Each party's duties, in its slice's category order.</summary>
public sealed record PartyDuties(IReadOnlyList<DutyInfo> A, IReadOnlyList<DutyInfo> B);

/// <summary>
/// One party's duty for one category; every member present, null where it does not apply (see
/// <see cref="CategoryDuty"/> for what each means).
/// </summary>
/// <param name="Duty">delete, retain-until, transition, indefinite or none.</param>
/// <param name="Derive">A transition's derivation rights (operation ids).</param>
/// <param name="Propagate">A transition's propagation rights.</param>
/// <param name="Basis">"retention", the ending event ("revocation", "expiration", "supersession", "upstream") or "marker:&lt;id&gt;".</param>
/// <param name="Suspended">True while a revocation by the other party is pending (§6.2).</param>
public sealed record DutyInfo(
    string Category,
    string Duty,
    DateTimeOffset? Until,
    DateTimeOffset? Since,
    IReadOnlyList<string>? Derive,
    IReadOnlyList<PropagationRight>? Propagate,
    string Basis,
    bool Suspended)
{
    public static DutyInfo From(CategoryDuty d) => new(
        d.Category, d.Duty, d.Until, d.Since, d.Derive, d.Propagate?.Select(PropagationRight.From).ToList(), d.Basis, d.Suspended);
}

/// <summary>A propagation right: the category may go to recipient <paramref name="To"/> bound by a compact of at least the given tier.</summary>
public sealed record PropagationRight(string To, CompactRequirement RequiresCompact)
{
    public static PropagationRight From(PropagationEdge edge) => new(edge.To, new CompactRequirement(edge.MinTier.ToWire()));
}

/// <summary>The least tier (minimal, standard, advanced) of the compact a recipient must be bound by.</summary>
public sealed record CompactRequirement(string MinTier);
