using Pact.Core.Negotiation;
using Pact.Core.Terms;
using Pact.Core.Tests.Lifecycle;
using Pact.Core.Time;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Compliance;

/// <summary>
/// One compact (Lab terms: signed 2026-11-21T12:00, effective 2026-12-01 to 2027-12-01, notice P30D, ackTimeout P7D)
/// brought into each lifecycle phase by real commands and deadlines. Alice is party a, Bob party b.
/// </summary>
internal static class CompliancePhases
{
    public const string Id = "cmp_lab-check-01";

    public static readonly string[] All =
    [
        "not yet in force", "before effective", "in force", "in force, P90D over", "in force, P6M over",
        "revocation pending", "revoked", "revoked, P1M over", "revoked, P7Y over",
        "expired", "expired, P30D over", "superseded", "superseded, P1Y over",
        "marker recorded", "marker acknowledged", "marker timed out",
    ];

    /// <summary>The world in the phase, the version to ask about (null: the current one), and the instant to ask at.</summary>
    public static (LifecycleWorld World, long? Version, DateTimeOffset At) Build(string phase)
    {
        var w = new LifecycleWorld();
        var session = w.SignCompact(Alice, Bob, Lab.Terms(Id, Alice, Bob));
        long? version = null;
        DateTimeOffset? at = null;
        switch (phase)
        {
            case "not yet in force":
                at = Timestamp.Parse("2026-11-20T00:00:00.000Z");
                break;
            case "before effective":
                w.At("2026-11-25T00:00:00.000Z");
                break;
            case "in force":
                w.At("2027-01-15T00:00:00.000Z");
                break;
            case "in force, P90D over":
                w.At("2027-03-01T00:00:00.000Z");
                break;
            case "in force, P6M over":
                w.At("2027-07-01T00:00:00.000Z");
                break;
            case "revocation pending":
                w.At("2027-01-15T00:00:00.000Z");
                w.Revoked(Alice, Id);
                w.At("2027-01-16T00:00:00.000Z");
                break;
            case "revoked":
            case "revoked, P1M over":
            case "revoked, P7Y over":
                {
                    w.At("2027-01-15T00:00:00.000Z");
                    var id = w.Revoked(Alice, Id);
                    w.At("2027-01-16T00:00:00.000Z");
                    w.Must(w.AckRevocation(Bob, Id, id)); // active 2027-02-14
                    w.At(phase switch
                    {
                        "revoked" => "2027-03-01T00:00:00.000Z",
                        "revoked, P1M over" => "2027-03-20T00:00:00.000Z",
                        _ => "2034-03-01T00:00:00.000Z",
                    });
                    break;
                }
            case "expired":
                w.At("2027-12-15T00:00:00.000Z");
                break;
            case "expired, P30D over":
                w.At("2028-01-15T00:00:00.000Z");
                break;
            case "superseded":
            case "superseded, P1Y over":
                w.At("2027-01-15T00:00:00.000Z");
                w.SignCompact(Alice, Bob, Lab.Terms(Id, Alice, Bob, version: 2, predecessor: new PredecessorRef(1, w.CompactHash(Id))), session);
                version = 1; // the superseded version; the current one is 2
                w.At(phase == "superseded" ? "2027-01-20T00:00:00.000Z" : "2028-01-20T00:00:00.000Z");
                break;
            case "marker recorded":
                w.At("2027-01-15T00:00:00.000Z");
                w.Marked(Alice, Id);
                w.At("2027-01-21T23:59:59.999Z");
                break;
            case "marker acknowledged":
                {
                    w.At("2027-01-15T00:00:00.000Z");
                    var id = w.Marked(Alice, Id);
                    w.At("2027-01-16T00:00:00.000Z");
                    w.Must(w.AckMarker(Bob, Id, id));
                    w.At("2027-01-17T00:00:00.000Z");
                    break;
                }
            case "marker timed out":
                w.At("2027-01-15T00:00:00.000Z");
                w.Marked(Alice, Id);
                w.At("2027-01-22T00:00:00.000Z");
                break;
            default:
                throw new ArgumentException(phase, nameof(phase));
        }
        // The daemon records reached deadlines on its timer; checks must not depend on it having run.
        return (w, version, at ?? w.Now);
    }

    public static PartyRole Party(string p) => Wire.Parse<PartyRole>(p);
}
