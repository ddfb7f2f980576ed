using Microsoft.Data.Sqlite;
using Pact.Core.Ids;
using Pact.Core.Time;
using Pact.Store.Sqlite.Webhooks;

namespace Pact.Store.Sqlite.Projections;

/// <summary>
/// The transactional outbox of §10: runs inside the transaction that appends events, so a delivery row exists
/// exactly when its event does: a crash can neither lose one nor invent one. The dispatcher then works from those rows.
/// </summary>
internal sealed class WebhookOutboxProjection(SubscriptionCache cache) : IInlineProjection
{
    private const string InsertSql = """
        INSERT OR IGNORE INTO webhook_deliveries(delivery_id, subscription_id, seq, type, stream, status, attempt, next_attempt_at, created_at)
        SELECT $id, $subscription, $seq, $type, $stream, 'pending', 0, $next, $created
        WHERE EXISTS (SELECT 1 FROM webhook_subscriptions WHERE subscription_id = $subscription AND status = 'active')
        """;

    /// <summary>
    /// Queues a delivery for every active subscription that wants each appended event and whose owner takes
    /// part in the event's session (§3). Registered after the session projection, so a session.created already
    /// lists its participants.
    /// </summary>
    public void Apply(AppendContext context)
    {
        var active = cache.Active;
        if (active.IsEmpty) return;

        Dictionary<(string Owner, string Session), bool>? visible = null;
        SqliteCommand? insert = null;
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

                    if (insert is null)
                    {
                        insert = context.CreateCommand(InsertSql);
                        foreach (var name in (string[])["$id", "$subscription", "$seq", "$type", "$stream", "$next", "$created"])
                            insert.Parameters.Add(new SqliteParameter { ParameterName = name });
                    }
                    var time = Timestamp.Parse(e.Time);
                    insert.Parameters["$id"].Value = PactIds.New(PactIds.Delivery, time);
                    insert.Parameters["$subscription"].Value = subscription.SubscriptionId;
                    insert.Parameters["$seq"].Value = e.Seq;
                    insert.Parameters["$type"].Value = e.Type;
                    insert.Parameters["$stream"].Value = e.Stream;
                    insert.Parameters["$next"].Value = time.ToUnixTimeMilliseconds();
                    insert.Parameters["$created"].Value = e.Time;
                    insert.ExecuteNonQuery();
                }
            }
        }
        finally
        {
            insert?.Dispose();
        }
    }

    private static bool Participates(AppendContext context, string agent, string sessionId)
    {
        using var command = context.CreateCommand("SELECT 1 FROM session_participants WHERE agent = $agent AND session_id = $session");
        command.Parameters.AddWithValue("$agent", agent);
        command.Parameters.AddWithValue("$session", sessionId);
        return command.ExecuteScalar() is not null;
    }
}
