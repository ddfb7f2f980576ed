using Pact.Core.Time;
using Pact.Store.Relational;

namespace Pact.Store.Webhooks;

// The dispatcher's side of the outbox: what is due, and recording each attempt's outcome.
internal sealed partial class WebhookOutbox
{
    /// <summary>What is due at <paramref name="nowMs"/> for active subscriptions, and the next instant something falls due after it.</summary>
    public Task<DueWork> LoadDueAsync(long nowMs, int limit, CancellationToken ct) =>
        store.ReadAsync(connection =>
        {
            using var tx = store.BeginReadSnapshot(connection); // one snapshot for the three queries
            var first = new List<DueDelivery>();
            using (var command = connection.CreateCommand())
            {
                command.Transaction = tx;
                // First attempts go out in seq order: only the lowest never-attempted seq of each subscription is offered.
                command.CommandText = """
                    SELECT d.delivery_id, d.subscription_id, d.seq, d.attempt
                    FROM webhook_subscriptions s JOIN webhook_deliveries d ON d.delivery_id = (
                        SELECT x.delivery_id FROM webhook_deliveries x
                        WHERE x.subscription_id = s.subscription_id AND x.status = 'pending' AND x.attempt = 0
                        ORDER BY x.seq LIMIT 1)
                    WHERE s.status = 'active' AND d.next_attempt_at <= @now
                    """;
                command.Bind("@now", nowMs);
                using var reader = command.ExecuteReader();
                while (reader.Read()) first.Add(new DueDelivery(reader.Text(0), reader.Text(1), reader.GetInt64(2), reader.GetInt32(3)));
            }
            var retries = new List<DueDelivery>();
            using (var command = connection.CreateCommand())
            {
                command.Transaction = tx;
                command.CommandText = """
                    SELECT d.delivery_id, d.subscription_id, d.seq, d.attempt
                    FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.subscription_id = d.subscription_id
                    WHERE d.status = 'pending' AND d.attempt > 0 AND d.next_attempt_at <= @now AND s.status = 'active'
                    ORDER BY d.next_attempt_at, d.seq LIMIT @limit
                    """;
                command.Bind("@now", nowMs);
                command.Bind("@limit", limit);
                using var reader = command.ExecuteReader();
                while (reader.Read()) retries.Add(new DueDelivery(reader.Text(0), reader.Text(1), reader.GetInt64(2), reader.GetInt32(3)));
            }
            using (var command = connection.CreateCommand())
            {
                command.Transaction = tx;
                command.CommandText = """
                    SELECT MIN(d.next_attempt_at)
                    FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.subscription_id = d.subscription_id
                    WHERE d.status = 'pending' AND d.next_attempt_at > @now AND s.status = 'active'
                    """;
                command.Bind("@now", nowMs);
                var next = command.ExecuteScalar();
                return new DueWork(first, retries, next is long ms ? ms : null);
            }
        }, ct);

    /// <summary>
    /// A subscription's next never-attempted deliveries after <paramref name="afterSeq"/>, in seq order, up to the
    /// first one not yet due, with the subscription's target, read in one snapshot. Null target: it is gone.
    /// </summary>
    public Task<FirstAttemptPage> LoadFirstAttemptsAsync(string subscriptionId, long afterSeq, long nowMs, int limit, CancellationToken ct) =>
        store.ReadAsync(connection =>
        {
            using var tx = store.BeginReadSnapshot(connection);
            DeliveryTarget? target;
            using (var command = connection.CreateCommand())
            {
                command.Transaction = tx;
                command.CommandText = "SELECT callback, sealed_secret, status FROM webhook_subscriptions WHERE subscription_id = @id";
                command.Bind("@id", subscriptionId);
                using var reader = command.ExecuteReader();
                target = reader.Read() ? new DeliveryTarget(subscriptionId, reader.Text(0), reader.Text(1), reader.Text(2)) : null;
            }
            var due = new List<DueDelivery>();
            if (target is null) return new FirstAttemptPage(target, due);
            using (var command = connection.CreateCommand())
            {
                command.Transaction = tx;
                command.CommandText = """
                    SELECT delivery_id, seq, next_attempt_at FROM webhook_deliveries
                    WHERE subscription_id = @id AND status = 'pending' AND attempt = 0 AND seq > @after
                    ORDER BY seq LIMIT @limit
                    """;
                command.Bind("@id", subscriptionId);
                command.Bind("@after", afterSeq);
                command.Bind("@limit", limit);
                using var reader = command.ExecuteReader();
                // Seq order holds for first attempts: the page ends at the first delivery not yet due.
                while (reader.Read() && reader.GetInt64(2) <= nowMs) due.Add(new DueDelivery(reader.Text(0), subscriptionId, reader.GetInt64(1), 0));
            }
            return new FirstAttemptPage(target, due);
        }, ct);

    /// <summary>
    /// Records an attempt's outcome in one transaction: the delivery's new status and next attempt, the
    /// subscription's run of failed deliveries, and disabling it on 410 or too many failures in a row.
    /// Null when the delivery is gone (its subscription was deleted meanwhile).
    /// </summary>
    public async Task<RecordedAttempt?> RecordAsync(AttemptOutcome outcome, RetryPolicy policy, CancellationToken ct)
    {
        var recorded = await store.WriteAsync(context => Record(context, outcome, policy), ct).ConfigureAwait(false);
        Forget(recorded);
        return recorded;
    }

    /// <summary>
    /// Records several attempts' outcomes, in the given order, in one transaction (one fsync instead of one
    /// each); each is recorded exactly as <see cref="RecordAsync"/> would, one after the other.
    /// </summary>
    public async Task<IReadOnlyList<RecordedAttempt?>> RecordManyAsync(IReadOnlyList<AttemptOutcome> outcomes, RetryPolicy policy, CancellationToken ct)
    {
        var recorded = await store.WriteAsync<IReadOnlyList<RecordedAttempt?>>(context =>
        {
            var recorded = new RecordedAttempt?[outcomes.Count];
            for (var i = 0; i < outcomes.Count; i++) recorded[i] = Record(context, outcomes[i], policy);
            return recorded;
        }, ct).ConfigureAwait(false);
        foreach (var attempt in recorded) Forget(attempt);
        return recorded;
    }

    /// <summary>A subscription the attempt disabled (committed) queues nothing more.</summary>
    private void Forget(RecordedAttempt? recorded)
    {
        if (recorded?.DisabledReason is not null) cache.Remove(recorded.Delivery.SubscriptionId);
    }

    private static RecordedAttempt? Record(IWriteContext context, AttemptOutcome outcome, RetryPolicy policy)
    {
        var (deliveryId, attemptedAt, now, result) = outcome;
        DeliveryRecord current;
        using (var read = context.CreateCommand(DeliverySelect + " WHERE delivery_id = @id"))
        {
            read.Bind("@id", deliveryId);
            using var reader = read.ExecuteReader();
            if (!reader.Read()) return null;
            current = ReadDelivery(reader);
        }
        var attempt = current.Attempt + 1;
        var gone = result.HttpStatus == 410;
        DateTimeOffset? next = result.Succeeded || gone ? null : policy.NextAttempt(attempt, now, result.RetryAfter);
        var status = result.Succeeded ? DeliveryRecord.Succeeded : next is null ? DeliveryRecord.Failed : DeliveryRecord.Pending;
        var updated = current with
        {
            Status = status,
            Attempt = attempt,
            HttpStatus = result.HttpStatus,
            Error = result.Succeeded ? null : result.Error,
            At = Timestamp.ToText(attemptedAt),
            NextAttemptAt = next?.ToUnixTimeMilliseconds(),
        };
        using (var write = context.CreateCommand("""
            UPDATE webhook_deliveries SET status = @status, attempt = @attempt, http_status = @http, error = @error, attempted_at = @at, next_attempt_at = @next
            WHERE delivery_id = @id
            """))
        {
            write.Bind("@id", deliveryId);
            write.Bind("@status", status);
            write.Bind("@attempt", attempt);
            write.Bind("@http", (object?)result.HttpStatus ?? DBNull.Value);
            write.Bind("@error", (object?)updated.Error ?? DBNull.Value);
            write.Bind("@at", updated.At);
            write.Bind("@next", (object?)updated.NextAttemptAt ?? DBNull.Value);
            write.ExecuteNonQuery();
        }

        string? disabled = null;
        if (result.Succeeded)
        {
            Execute(context, "UPDATE webhook_subscriptions SET consecutive_failures = 0 WHERE subscription_id = @id", current.SubscriptionId);
        }
        else if (status == DeliveryRecord.Failed && current.Status != DeliveryRecord.Failed)
        {
            Execute(context, "UPDATE webhook_subscriptions SET consecutive_failures = consecutive_failures + 1 WHERE subscription_id = @id", current.SubscriptionId);
        }
        if (gone) disabled = "gone";
        else if (status == DeliveryRecord.Failed && FailuresOf(context, current.SubscriptionId) >= policy.DisableAfterFailedDeliveries) disabled = "failing";
        if (disabled is not null)
        {
            using var disable = context.CreateCommand("""
                UPDATE webhook_subscriptions SET status = 'disabled', disabled_reason = @reason, disabled_at = @at
                WHERE subscription_id = @id AND status = 'active'
                """);
            disable.Bind("@id", current.SubscriptionId);
            disable.Bind("@reason", disabled);
            disable.Bind("@at", Timestamp.ToText(now));
            if (disable.ExecuteNonQuery() == 0) disabled = null; // already disabled, or deleted
        }
        return new RecordedAttempt(updated, disabled);
    }

    private static void Execute(IWriteContext context, string sql, string subscriptionId)
    {
        using var command = context.CreateCommand(sql);
        command.Bind("@id", subscriptionId);
        command.ExecuteNonQuery();
    }

    private static long FailuresOf(IWriteContext context, string subscriptionId)
    {
        using var command = context.CreateCommand("SELECT consecutive_failures FROM webhook_subscriptions WHERE subscription_id = @id");
        command.Bind("@id", subscriptionId);
        return command.ExecuteScalar() is { } n and not DBNull ? Convert.ToInt64(n, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }
}
