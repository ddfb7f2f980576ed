using System.Data.Common;
using Pact.Core.Ids;
using Pact.Core.Time;
using Pact.Store.Relational;
using Pact.Store.Webhooks;

namespace Pact.Store.Projections;

/// <summary>
/// The transactional outbox of §10: runs inside the transaction that appends events, so a delivery row exists
/// exactly when its event does: a crash can neither lose one nor invent one. The dispatcher then works from those rows.
/// </summary>
internal sealed class WebhookOutboxProjection(SubscriptionCache cache) : IRelationalProjection
{
    private const string InsertSql = """
        INSERT INTO webhook_deliveries(delivery_id, subscription_id, seq, type, stream, status, attempt, next_attempt_at, created_at)
        SELECT @id, @subscription, @seq, @type, @stream, 'pending', 0, @next, @created
        WHERE EXISTS (SELECT 1 FROM webhook_subscriptions WHERE subscription_id = @subscription AND status = 'active')
        ON CONFLICT DO NOTHING
        """;

    /// <summary>
    /// Queues a delivery for every active subscription that wants each appended event and whose owner takes
    /// part in the event's session (§3). Registered after the session projection, so a session.created already
    /// lists its participants.
    /// </summary>
    public void Apply(IWriteContext context)
    {
        var active = cache.Active;
        if (active.IsEmpty) return;

        Dictionary<(string Owner, string Session), bool>? visible = null;
        DbCommand? insert = null;
        try
        {
            foreach (var e in context.Events)
            {
                foreach (var subscription in active.Values)
                {
                    if (!subscription.Wants(e)) continue;
                    visible ??= [];
                    if (!visible.TryGetValue((subscription.Owner, e.Stream), out var participates))
                        visible[(subscription.Owner, e.Stream)] = participates = Participates(context, subscription.Owner, e.Stream);
                    if (!participates) continue;

                    var time = Timestamp.Parse(e.Time);
                    insert ??= context.CreateCommand(InsertSql);
                    insert.Parameters.Clear();
                    insert.Bind("@id", PactIds.New(PactIds.Delivery, time))
                        .Bind("@subscription", subscription.SubscriptionId)
                        .Bind("@seq", e.Seq)
                        .Bind("@type", e.Type)
                        .Bind("@stream", e.Stream)
                        .Bind("@next", time.ToUnixTimeMilliseconds())
                        .Bind("@created", e.Time);
                    insert.ExecuteNonQuery();
                }
            }
        }
        finally
        {
            insert?.Dispose();
        }
    }

    /// <summary>
    /// Whether the owner may read the stream: a participant of the session, or the granter of the mandate whose stream
    /// it is (§14: its first event is the owner's mandate.granted).
    /// </summary>
    private static bool Participates(IWriteContext context, string agent, string sessionId)
    {
        using var command = context.CreateCommand("""
            SELECT 1 FROM session_participants WHERE agent = @agent AND session_id = @session
            UNION ALL
            SELECT 1 FROM events WHERE stream = @session AND stream_seq = 1 AND type = 'mandate.granted' AND actor = @agent
            LIMIT 1
            """);
        command.Bind("@agent", agent);
        command.Bind("@session", sessionId);
        return command.ExecuteScalar() is not null;
    }
}
