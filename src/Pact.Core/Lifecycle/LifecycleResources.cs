using Pact.Core.Contracts.Responses;
using Pact.Core.Negotiation;

namespace Pact.Core.Lifecycle;

/// <summary>
/// The revocation and marker resources of §11, built from state: the one place lifecycle records become
/// responses. Pass records taken from <see cref="LifecycleMachine.AsOf"/>(state, now) so that a deadline already
/// reached shows as fired.
/// </summary>
public static class LifecycleResources
{
    /// <summary>The revocation resource; its §11 members first, then the additive ones (see <see cref="RevocationInfo"/>).</summary>
    public static RevocationInfo Revocation(RevocationRecord r) => new(
        r.RevocationId, r.CompactId, r.Version, r.InitiatedBy, r.Status.ToWire(), r.EffectiveAt, r.AckDeadline, r.InitiationHash,
        r.Reason, r.Condition, r.Emergency, r.AcknowledgedAt, r.ActiveAt, r.LapsedAt, r.LapseReason);

    /// <summary>
    /// The marker resource. <c>effectiveAt</c> is when the marker took effect once it is <c>effective</c>; while
    /// <c>recorded</c> it is when it will take effect without an acknowledgment (= ackDeadline).
    /// </summary>
    public static MarkerInfo Marker(MarkerRecord m) => new(
        m.MarkerId, m.CompactId, m.Marker, m.RecordedBy, m.Status.ToWire(), m.InitiationHash, m.EffectiveAt ?? m.AckDeadline, m.RecordedAt, m.AckDeadline);

    /// <summary>The revocation resource at <paramref name="now"/>, or null when there is no such revocation.</summary>
    public static RevocationInfo? Revocation(NegotiationState state, string revocationId, DateTimeOffset now) =>
        LifecycleMachine.AsOf(state, now).Revocation(revocationId) is { } r ? Revocation(r) : null;

    /// <summary>The marker resource at <paramref name="now"/>, or null when there is no such marker.</summary>
    public static MarkerInfo? Marker(NegotiationState state, string markerId, DateTimeOffset now) =>
        LifecycleMachine.AsOf(state, now).Marker(markerId) is { } m ? Marker(m) : null;
}
