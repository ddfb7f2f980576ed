namespace Pact.Samples.WebhookReceiver;

/// <summary>
/// Remembers the last webhook-ids seen, so an at-least-once delivery that arrives twice is acted on once.
/// Bounded: the oldest ids are forgotten first.
/// </summary>
public sealed class DeliveryDeduplicator(int capacity = 10_000)
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _gate = new();

    /// <summary>True the first time an id is offered, false for a repeat.</summary>
    public bool FirstTime(string webhookId)
    {
        lock (_gate)
        {
            if (!_seen.Add(webhookId)) return false;
            _order.Enqueue(webhookId);
            if (_order.Count > capacity) _seen.Remove(_order.Dequeue());
            return true;
        }
    }
}
