using Pact.Core.Negotiation;
using Pact.Core.Terms;

namespace Pact.Core.Lifecycle;

/// <summary>A revocation's status as the §11 revocation resource spells it.</summary>
public enum RevocationStatus
{
    Initiated,
    Acknowledged,
    Escalated,
    Active,
    Lapsed,
}

/// <summary>A marker's status as the §11 marker resource spells it.</summary>
public enum MarkerStatus
{
    Recorded,
    Effective,
}

/// <summary>How a compact version stopped being in force, and when.</summary>
/// <param name="Event">
/// The disposition that governs from then on: <see cref="LifecycleEvent.Revocation"/> (its own revocation became
/// active), <see cref="LifecycleEvent.Upstream"/> (revoked by a cascade), <see cref="LifecycleEvent.Expiration"/>,
/// <see cref="LifecycleEvent.Supersession"/>.
/// </param>
/// <param name="At">The instant of the change: the deadline's dueAt for deadline events, else the event's time.</param>
public sealed record CompactEnd(LifecycleEvent Event, DateTimeOffset At);

/// <summary>The upstream event that revoked a dependent compact (§6.4).</summary>
public sealed record UpstreamCause(string CompactId, long Version, UpstreamTrigger Event, DateTimeOffset At);

/// <summary>
/// What the lifecycle keeps of one signed compact version beside <see cref="CompactVersionInfo"/>: its terms
/// (parsed once from the compact.in-force record; null only for records without readable terms, which the
/// daemon never writes), the authoritative inForceAt, and how it ended.
/// <para>
/// Restored from a state snapshot, the terms stay undecoded until first read (ADR 0016): the restore needs only their
/// end (<see cref="ExpiresAt"/>, the compact's expiry deadline) and the compacts they name upstream
/// (<see cref="UpstreamIds"/>, the cascade index), which the snapshot keeps beside them. Equality is by value, terms included.
/// </para>
/// </summary>
public sealed record CompactVersionLifecycle(
    string CompactId,
    long Version,
    CompactTerms? Terms,
    DateTimeOffset InForceAt,
    CompactEnd? End = null,
    UpstreamCause? TriggeredBy = null)
{
    private readonly CompactTerms? _terms = Terms;
    private readonly UndecodedTerms? _undecoded;

    /// <summary>A lifecycle whose terms are decoded on first use from <paramref name="terms"/>.</summary>
    internal CompactVersionLifecycle(string compactId, long version, UndecodedTerms terms, DateTimeOffset inForceAt, CompactEnd? end, UpstreamCause? triggeredBy)
        : this(compactId, version, (CompactTerms?)null, inForceAt, end, triggeredBy) => _undecoded = terms;

    public CompactTerms? Terms
    {
        get => _undecoded?.Terms ?? _terms;
        init => (_terms, _undecoded) = (value, null);
    }

    /// <summary>The end of the terms' effective interval (scope.effective.until), without decoding them.</summary>
    public DateTimeOffset? ExpiresAt => _undecoded is { } u ? u.ExpiresAt : _terms?.Scope.Effective.Until;

    /// <summary>The compact ids the terms name upstream, in their order, without decoding them.</summary>
    public IEnumerable<string> UpstreamIds => _undecoded is { } u ? u.UpstreamIds : (_terms?.Upstream ?? []).Select(x => x.CompactId);

    public bool Equals(CompactVersionLifecycle? other) =>
        other is not null && CompactId == other.CompactId && Version == other.Version && Equals(Terms, other.Terms)
        && InForceAt == other.InForceAt && Equals(End, other.End) && Equals(TriggeredBy, other.TriggeredBy);

    public override int GetHashCode() => HashCode.Combine(CompactId, Version, InForceAt);
}

/// <summary>Terms kept as the snapshot encoded them, decoded once on first use, with what a restore needs of them read beside.</summary>
internal sealed class UndecodedTerms(DateTimeOffset expiresAt, IReadOnlyList<string> upstreamIds, Func<CompactTerms> decode)
{
    private readonly Lazy<CompactTerms> _terms = new(decode);

    public DateTimeOffset ExpiresAt { get; } = expiresAt;

    public IReadOnlyList<string> UpstreamIds { get; } = upstreamIds;

    public CompactTerms Terms => _terms.Value;
}

/// <summary>
/// One revocation (§6.2). <see cref="EffectiveAt"/> and <see cref="AckDeadline"/> are the values recorded in the
/// initiated event; <see cref="InitiationHash"/> is that event's hash. The timestamps of later steps are set as
/// they happen.
/// </summary>
public sealed record RevocationRecord(
    string RevocationId,
    string CompactId,
    long Version,
    string SessionId,
    string InitiatedBy,
    PartyRole? InitiatorRole,
    DateTimeOffset InitiatedAt,
    DateTimeOffset EffectiveAt,
    DateTimeOffset AckDeadline,
    string InitiationHash,
    RevocationMode Mode,
    string? Reason,
    string? Condition,
    bool Emergency,
    RevocationStatus Status,
    DateTimeOffset? AcknowledgedAt = null,
    DateTimeOffset? EscalatedAt = null,
    DateTimeOffset? ActiveAt = null,
    DateTimeOffset? LapsedAt = null,
    string? LapseReason = null)
{
    /// <summary>Initiated, acknowledged or escalated: not active yet and not lapsed (the lifecycle gap is open).</summary>
    public bool IsOpen => Status is RevocationStatus.Initiated or RevocationStatus.Acknowledged or RevocationStatus.Escalated;

    /// <summary>When an acknowledged or escalated revocation becomes active: max(ack or ackDeadline, effectiveAt).</summary>
    public DateTimeOffset? ActivatesAt => Status switch
    {
        RevocationStatus.Acknowledged when AcknowledgedAt is { } ack => Max(ack, EffectiveAt),
        RevocationStatus.Escalated => Max(AckDeadline, EffectiveAt),
        _ => null,
    };

    /// <summary>
    /// The deadline this revocation waits on: escalation (or, in mutual mode, lapse) at ackDeadline while
    /// initiated (kind 3); activation (kind 4) once acknowledged or escalated.
    /// </summary>
    public Deadline? PendingDeadline => Status switch
    {
        RevocationStatus.Initiated => new Deadline(AckDeadline, DeadlineKind.RevocationEscalation, RevocationId),
        RevocationStatus.Acknowledged or RevocationStatus.Escalated => new Deadline(ActivatesAt!.Value, DeadlineKind.RevocationEffective, RevocationId),
        _ => null,
    };

    /// <summary>The end of the lifecycle gap this revocation opened: when it became active or lapsed; null while open.</summary>
    public DateTimeOffset? ClosedAt => ActiveAt ?? LapsedAt;

    private static DateTimeOffset Max(DateTimeOffset x, DateTimeOffset y) => x >= y ? x : y;
}

/// <summary>
/// One marker (§6.4): recorded by a party, effective when the other party acknowledges it or at
/// <see cref="AckDeadline"/> (recording + the in-force version's ackTimeout). It belongs to the compact, not to
/// a version; <see cref="SessionId"/> is the stream of the version in force when it was recorded, which carries
/// all its events.
/// </summary>
public sealed record MarkerRecord(
    string MarkerId,
    string CompactId,
    string Marker,
    long Version,
    string SessionId,
    string RecordedBy,
    PartyRole? RecorderRole,
    DateTimeOffset RecordedAt,
    string InitiationHash,
    DateTimeOffset? AckDeadline,
    MarkerStatus Status,
    DateTimeOffset? EffectiveAt = null)
{
    /// <summary>The kind 5 deadline while the marker waits for its acknowledgment.</summary>
    public Deadline? PendingDeadline =>
        Status == MarkerStatus.Recorded && AckDeadline is { } due ? new Deadline(due, DeadlineKind.MarkerEffective, MarkerId) : null;
}

/// <summary>Wire names of the lifecycle enumerations.</summary>
public static class LifecycleWireNames
{
    public static string ToWire(this RevocationStatus status) => status switch
    {
        RevocationStatus.Initiated => "initiated",
        RevocationStatus.Acknowledged => "acknowledged",
        RevocationStatus.Escalated => "escalated",
        RevocationStatus.Active => "active",
        RevocationStatus.Lapsed => "lapsed",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static string ToWire(this MarkerStatus status) => status switch
    {
        MarkerStatus.Recorded => "recorded",
        MarkerStatus.Effective => "effective",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}
