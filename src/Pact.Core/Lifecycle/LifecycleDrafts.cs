using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Core.Negotiation;

namespace Pact.Core.Lifecycle;

/// <summary>The lifecycle's event drafts: a signer's event carrying its envelope, a daemon event, a compact.revoked.</summary>
internal static class LifecycleDrafts
{
    public static EventDraft Revoked(RevocationRecord r, string? dueAt)
    {
        var data = new JsonObject
        {
            ["compactId"] = r.CompactId,
            ["version"] = r.Version,
            ["revocationId"] = r.RevocationId,
            ["cause"] = LifecycleEventTypes.CauseRevocation,
        };
        if (dueAt is not null) data["dueAt"] = dueAt;
        return Daemon(EventTypes.CompactRevoked, data);
    }

    public static EventDraft Signed(string type, LifecycleCommand c, JsonObject members) => EventDraft.Signed(type, c.Envelope, c.Signer, members);

    public static EventDraft Daemon(string type, JsonObject data) => EventDraft.ByDaemon(type, data);
}
