using Pact.Core.Lifecycle;
using Pact.Core.Negotiation;
using Pact.Core.Terms;

namespace Pact.Core.Compliance;

/// <summary>Where a compact version stands at an instant.</summary>
public enum CompactPhase
{
    /// <summary>Before inForceAt.</summary>
    NotYetInForce,

    /// <summary>From inForceAt until the version ends.</summary>
    InForce,

    /// <summary>At or after the end: the disposition for the ending event governs.</summary>
    Ended,
}

/// <summary>The lifecycle gap one revocation opened: from initiation until it became active or lapsed (null while open).</summary>
public sealed record RevocationSpan(string RevocationId, PartyRole? Initiator, DateTimeOffset From, DateTimeOffset? Until)
{
    public bool IsOpenAt(DateTimeOffset at) => at >= From && (Until is null || at < Until);
}

/// <summary>
/// Everything the compliance check and the dispositions need of one compact version, with times, so that a
/// question about any instant (past or, as far as the transcript and the scheduled deadlines tell, future) is
/// answered from the history: the terms, inForceAt, how and when the version ended, the lifecycle gaps its
/// revocations opened, and when each marker of the compact took effect (markers apply to every version).
/// Build it with <see cref="From"/> from a state projected to the instant of interest
/// (<see cref="LifecycleMachine.AsOf"/>).
/// </summary>
public sealed record CompactTimeline(
    string CompactId,
    long Version,
    string CompactHash,
    CompactTerms Terms,
    DateTimeOffset InForceAt,
    CompactEnd? End,
    IReadOnlyList<RevocationSpan> Revocations,
    IReadOnlyDictionary<string, DateTimeOffset> Markers)
{
    /// <summary>The timeline of a signed version, or null when the state has no such version (or no terms for it).</summary>
    public static CompactTimeline? From(NegotiationState state, string compactId, long version)
    {
        var info = state.Compact(compactId, version);
        var lifecycle = state.Lifecycle(compactId, version);
        if (info is null || lifecycle?.Terms is null) return null;
        var revocations = state.RevocationsOf(compactId)
            .Where(r => r.Version == version)
            .Select(r => new RevocationSpan(r.RevocationId, r.InitiatorRole, r.InitiatedAt, r.ClosedAt))
            .ToList();
        var markers = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var m in state.MarkersOf(compactId).Where(m => m.EffectiveAt is not null))
        {
            if (!markers.TryGetValue(m.Marker, out var earlier) || m.EffectiveAt!.Value < earlier) markers[m.Marker] = m.EffectiveAt!.Value;
        }
        return new CompactTimeline(compactId, version, info.CompactHash, lifecycle.Terms, lifecycle.InForceAt, lifecycle.End, revocations, markers);
    }

    public CompactPhase PhaseAt(DateTimeOffset at) =>
        at < InForceAt ? CompactPhase.NotYetInForce
        : End is { } end && at >= end.At ? CompactPhase.Ended
        : CompactPhase.InForce;

    /// <summary>The version's status at <paramref name="at"/> in §6.1's words (before inForceAt: "not-in-force").</summary>
    public string StatusAt(DateTimeOffset at) => PhaseAt(at) switch
    {
        CompactPhase.NotYetInForce => "not-in-force",
        CompactPhase.InForce => CompactVersionStatus.InForce.ToWire(),
        _ => EndStatus(End!.Event),
    };

    /// <summary>The open revocation, initiated by the other party, that suspends <paramref name="party"/>'s slice at <paramref name="at"/>.</summary>
    public RevocationSpan? GapAt(DateTimeOffset at, PartyRole party) =>
        Revocations.FirstOrDefault(r => r.Initiator != party && r.IsOpenAt(at));

    /// <summary>When <paramref name="marker"/> took effect for this compact, if it has.</summary>
    public DateTimeOffset? MarkerEffectiveAt(string marker) => Markers.TryGetValue(marker, out var at) ? at : null;

    /// <summary>The instant a retain period is counted from: inForceAt, scope.effective.from, or the scheduled until.</summary>
    public DateTimeOffset Anchor(RetainAnchor anchor) => anchor switch
    {
        RetainAnchor.InForce => InForceAt,
        RetainAnchor.EffectiveStart => Terms.Scope.Effective.From,
        _ => Terms.Scope.Effective.Until,
    };

    /// <summary>The version status an ending event leaves: revoked (also by upstream), expired, superseded.</summary>
    public static string EndStatus(LifecycleEvent ending) => ending switch
    {
        LifecycleEvent.Expiration => CompactVersionStatus.Expired.ToWire(),
        LifecycleEvent.Supersession => CompactVersionStatus.Superseded.ToWire(),
        _ => CompactVersionStatus.Revoked.ToWire(),
    };
}
