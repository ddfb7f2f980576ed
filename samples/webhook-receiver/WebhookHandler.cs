using System.Text.Json.Nodes;
using Pact.Client;

namespace Pact.Samples.WebhookReceiver;

/// <summary>What the handler decided about one request.</summary>
/// <param name="Status">The HTTP status to answer: 204 handled, 200 duplicate, 400 unreadable, 401 not authentic.</param>
/// <param name="Event">The transcript event when it is new and authentic; null otherwise.</param>
public sealed record HandledDelivery(int Status, JsonObject? Event, string? Reason);

/// <summary>The receiver's logic without HTTP: verify, de-duplicate by webhook-id, hand the event over.</summary>
public sealed class WebhookHandler(string secret, TimeProvider? time = null, DeliveryDeduplicator? deduplicator = null)
{
    private readonly DeliveryDeduplicator _seen = deduplicator ?? new DeliveryDeduplicator();
    private readonly WebhookVerifier _verifier = new(secret, time);

    public HandledDelivery Handle(string? id, string? timestamp, string? signature, byte[] body)
    {
        if (_verifier.Verify(id, timestamp, signature, body) is { } problem)
            return new HandledDelivery(401, null, problem);
        JsonObject? envelope;
        try
        {
            envelope = JsonNode.Parse(body) as JsonObject;
        }
        catch (System.Text.Json.JsonException e)
        {
            return new HandledDelivery(400, null, e.Message);
        }
        if (envelope?["data"] is not JsonObject transcriptEvent) return new HandledDelivery(400, null, "the body has no 'data' event");
        // Only a verified request may mark an id as seen, or a forger could suppress real deliveries.
        if (!_seen.FirstTime(id!)) return new HandledDelivery(200, null, "duplicate " + id);
        return new HandledDelivery(204, transcriptEvent, null);
    }
}
