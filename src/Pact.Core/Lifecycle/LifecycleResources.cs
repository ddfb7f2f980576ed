using System.Text.Json.Nodes;
using Pact.Core.Negotiation;
using Pact.Core.Time;

namespace Pact.Core.Lifecycle;

/// <summary>
/// The revocation and marker resources of §11, built from state. Pass records taken from
/// <see cref="LifecycleMachine.AsOf"/>(state, now) so that a deadline already reached shows as fired.
/// Members beyond §11's are additive and listed on each method.
/// </summary>
public static class LifecycleResources
{
    /// <summary>
    /// { revocationId, compactId, version, initiatedBy, status, effectiveAt, ackDeadline, initiationHash } as §11
    /// writes it, then: reason, condition, emergency (from the request, null when left out), acknowledgedAt,
    /// activeAt, lapsedAt, lapseReason (null until they happen). The revoke response (201) is this object too: its
    /// §6 members are a subset.
    /// </summary>
    public static JsonObject Revocation(RevocationRecord r) => new()
    {
        ["revocationId"] = r.RevocationId,
        ["compactId"] = r.CompactId,
        ["version"] = r.Version,
        ["initiatedBy"] = r.InitiatedBy,
        ["status"] = r.Status.ToWire(),
        ["effectiveAt"] = Timestamp.ToText(r.EffectiveAt),
        ["ackDeadline"] = Timestamp.ToText(r.AckDeadline),
        ["initiationHash"] = r.InitiationHash,
        ["reason"] = r.Reason,
        ["condition"] = r.Condition,
        ["emergency"] = r.Emergency,
        ["acknowledgedAt"] = Text(r.AcknowledgedAt),
        ["activeAt"] = Text(r.ActiveAt),
        ["lapsedAt"] = Text(r.LapsedAt),
        ["lapseReason"] = r.LapseReason,
    };

    /// <summary>
    /// { markerId, compactId, marker, recordedBy, status, initiationHash, effectiveAt } as §11 writes it, then
    /// recordedAt and ackDeadline. <c>effectiveAt</c> is when the marker took effect once it is <c>effective</c>;
    /// while <c>recorded</c> it is when it will take effect without an acknowledgment (= ackDeadline).
    /// </summary>
    public static JsonObject Marker(MarkerRecord m) => new()
    {
        ["markerId"] = m.MarkerId,
        ["compactId"] = m.CompactId,
        ["marker"] = m.Marker,
        ["recordedBy"] = m.RecordedBy,
        ["status"] = m.Status.ToWire(),
        ["initiationHash"] = m.InitiationHash,
        ["effectiveAt"] = Text(m.EffectiveAt ?? m.AckDeadline),
        ["recordedAt"] = Timestamp.ToText(m.RecordedAt),
        ["ackDeadline"] = Text(m.AckDeadline),
    };

    /// <summary>The revocation resource at <paramref name="now"/>, or null when there is no such revocation.</summary>
    public static JsonObject? Revocation(NegotiationState state, string revocationId, DateTimeOffset now) =>
        LifecycleMachine.AsOf(state, now).Revocation(revocationId) is { } r ? Revocation(r) : null;

    /// <summary>The marker resource at <paramref name="now"/>, or null when there is no such marker.</summary>
    public static JsonObject? Marker(NegotiationState state, string markerId, DateTimeOffset now) =>
        LifecycleMachine.AsOf(state, now).Marker(markerId) is { } m ? Marker(m) : null;

    private static string? Text(DateTimeOffset? instant) => instant is { } i ? Timestamp.ToText(i) : null;
}
