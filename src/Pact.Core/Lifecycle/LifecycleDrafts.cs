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

    /// <summary>An event carrying the request's envelope: actor is the signer, data starts with the envelope.</summary>
    public static EventDraft Signed(string type, LifecycleCommand c, JsonObject members)
    {
        var data = new JsonObject { ["envelope"] = c.Envelope.DeepClone() };
        foreach (var (key, value) in members.ToList())
        {
            members.Remove(key);
            data[key] = value;
        }
        return new EventDraft(type, c.Signer, data);
    }

    public static EventDraft Daemon(string type, JsonObject data) => new(type, TranscriptEvent.DaemonActor, data);
}
