namespace Pact.Core.Lifecycle;

/// <summary>
/// The §8.2 event types of the compact lifecycle that <see cref="Negotiation.EventTypes"/> does not list.
/// compact.revoked, compact.expired, compact.superseded, compact.revocation.initiated and
/// compact.revocation.lapsed are there already.
/// </summary>
public static class LifecycleEventTypes
{
    public const string RevocationAcknowledged = "compact.revocation.acknowledged";
    public const string RevocationEscalated = "compact.revocation.escalated";
    public const string MarkerRecorded = "compact.marker";
    public const string MarkerAcknowledged = "compact.marker.acknowledged";
    public const string MarkerEffective = "compact.marker.effective";
    public const string UpstreamTriggered = "compact.upstream-triggered";

    /// <summary>compact.revoked's <c>cause</c> when a revocation of this compact became active.</summary>
    public const string CauseRevocation = "revocation";

    /// <summary>compact.revoked's <c>cause</c> when an upstream compact's end cascaded to this one (§6.4).</summary>
    public const string CauseUpstream = "upstream";

    /// <summary>compact.revocation.lapsed reasons.</summary>
    public const string LapsedSuperseded = "superseded";
    public const string LapsedAckTimeout = "ack-timeout";
    public const string LapsedExpired = "expired";

    /// <summary>
    /// Not written in any event: the reason the state gives an open revocation whose version was revoked by
    /// an upstream cascade (§8.2 lists no lapse event for that case; the version simply stops being in force).
    /// </summary>
    public const string LapsedUpstream = "upstream";
}
