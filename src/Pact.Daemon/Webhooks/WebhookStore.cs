using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Pact.Core.Json;
using Pact.Core.Time;
using Pact.Store;

namespace Pact.Daemon.Webhooks;

/// <summary>A subscription as stored, without its sealed secret.</summary>
public sealed record SubscriptionRecord(
    string SubscriptionId, string Owner, string Callback, IReadOnlyList<string>? Types, IReadOnlyList<string>? Sessions,
    string? Description, string CreatedAt, long AfterSeq, string Status, string? DisabledReason, string? DisabledAt, int ConsecutiveFailures)
{
    public const string Active = "active";
    public const string Disabled = "disabled";

    /// <summary>The resource as the API shows it; the secret is never part of it.</summary>
    public JsonObject ToJson() => new()
    {
        ["subscriptionId"] = SubscriptionId,
        ["owner"] = Owner,
        ["callback"] = Callback,
        ["filter"] = new JsonObject
        {
            ["types"] = Types is null ? null : new JsonArray(Types.Select(t => (JsonNode?)t).ToArray()),
            ["sessions"] = Sessions is null ? null : new JsonArray(Sessions.Select(s => (JsonNode?)s).ToArray()),
        },
        ["description"] = Description,
        ["createdAt"] = CreatedAt,
        ["afterSeq"] = AfterSeq,
        ["status"] = Status,
        ["disabledReason"] = DisabledReason,
        ["disabledAt"] = DisabledAt,
        ["consecutiveFailures"] = ConsecutiveFailures,
    };
}

/// <summary>One event's delivery to one subscription, with its retry state.</summary>
public sealed record DeliveryRecord(
    string DeliveryId, string SubscriptionId, long Seq, string Type, string Stream, string Status, int Attempt,
    int? HttpStatus, string? Error, string? At, long? NextAttemptAt, string CreatedAt)
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    /// <summary>The Standard Webhooks message id: the same on every attempt.</summary>
    public string WebhookId => "evt_" + Seq.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public JsonObject ToJson() => new()
    {
        ["deliveryId"] = DeliveryId,
        ["subscriptionId"] = SubscriptionId,
        ["webhookId"] = WebhookId,
        ["seq"] = Seq,
        ["type"] = Type,
        ["stream"] = Stream,
        ["attempt"] = Attempt,
        ["status"] = Status,
        ["httpStatus"] = HttpStatus,
        ["error"] = Error,
        ["at"] = At,
        ["nextAttemptAt"] = NextAttemptAt is { } ms ? Timestamp.ToText(DateTimeOffset.FromUnixTimeMilliseconds(ms)) : null,
        ["createdAt"] = CreatedAt,
    };
}

/// <summary>What the dispatcher needs to send to a subscription.</summary>
public sealed record DeliveryTarget(string SubscriptionId, string Callback, string SealedSecret, string Status);

/// <summary>A delivery due for an attempt.</summary>
public sealed record DueDelivery(string DeliveryId, string SubscriptionId, long Seq, int Attempt);

/// <summary>The dispatcher's worklist: first attempts (the lowest pending seq of each subscription), due retries, and when the next one falls due.</summary>
public sealed record DueWork(IReadOnlyList<DueDelivery> FirstAttempts, IReadOnlyList<DueDelivery> Retries, long? NextDueAt);

/// <summary>How an attempt ended, as the dispatcher saw it.</summary>
public sealed record AttemptResult(int? HttpStatus, TimeSpan? RetryAfter, string? Error)
{
    public bool Succeeded => HttpStatus is >= 200 and < 300;
}

/// <summary>A subscription's target and its due first attempts in seq order (see <see cref="WebhookStore.LoadFirstAttemptsAsync"/>).</summary>
public sealed record FirstAttemptPage(DeliveryTarget? Target, IReadOnlyList<DueDelivery> Due);

/// <summary>One attempt to record: which delivery, when it was sent, when it ended (the retry wait counts from there), and how.</summary>
public sealed record AttemptOutcome(string DeliveryId, DateTimeOffset AttemptedAt, DateTimeOffset EndedAt, AttemptResult Result);

/// <summary>What recording an attempt did: the delivery's new state, and the reason when it disabled the subscription.</summary>
public sealed record RecordedAttempt(DeliveryRecord Delivery, string? DisabledReason);

/// <summary>The subscriptions and deliveries tables (the outbox).</summary>
public sealed class WebhookStore(TranscriptStore store)
{
    internal const string SubscriptionSelect =
        "SELECT subscription_id, owner, callback, filter_types, filter_sessions, description, created_at, after_seq, status, disabled_reason, disabled_at, consecutive_failures FROM webhook_subscriptions";

    private const string DeliverySelect =
        "SELECT delivery_id, subscription_id, seq, type, stream, status, attempt, http_status, error, attempted_at, next_attempt_at, created_at FROM webhook_deliveries";

    /// <summary>The log size inside the current transaction: a new subscription receives what comes after it.</summary>
    public static long HeadSeq(AppendContext context)
    {
        using var command = context.CreateCommand("SELECT COALESCE(MAX(seq), 0) FROM events");
        return (long)command.ExecuteScalar()!;
    }

    public static void Insert(AppendContext context, SubscriptionRecord record, string sealedSecret)
    {
        using var command = context.CreateCommand("""
            INSERT INTO webhook_subscriptions(subscription_id, owner, callback, filter_types, filter_sessions, description, sealed_secret, created_at, after_seq, status, consecutive_failures)
            VALUES ($id, $owner, $callback, $types, $sessions, $description, $secret, $created, $after, $status, 0)
            """);
        command.Parameters.AddWithValue("$id", record.SubscriptionId);
        command.Parameters.AddWithValue("$owner", record.Owner);
        command.Parameters.AddWithValue("$callback", record.Callback);
        command.Parameters.AddWithValue("$types", Array(record.Types));
        command.Parameters.AddWithValue("$sessions", Array(record.Sessions));
        command.Parameters.AddWithValue("$description", (object?)record.Description ?? DBNull.Value);
        command.Parameters.AddWithValue("$secret", sealedSecret);
        command.Parameters.AddWithValue("$created", record.CreatedAt);
        command.Parameters.AddWithValue("$after", record.AfterSeq);
        command.Parameters.AddWithValue("$status", record.Status);
        command.ExecuteNonQuery();
    }

    public Task<SubscriptionRecord?> GetAsync(string subscriptionId, CancellationToken ct) =>
        store.ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = SubscriptionSelect + " WHERE subscription_id = $id";
            command.Parameters.AddWithValue("$id", subscriptionId);
            using var reader = command.ExecuteReader();
            return reader.Read() ? ReadSubscription(reader) : null;
        }, ct);

    /// <summary>Subscriptions in id order after a cursor; only the owner's unless owner is null (the operator).</summary>
    public Task<IReadOnlyList<SubscriptionRecord>> ListAsync(string? owner, string? after, int limit, CancellationToken ct) =>
        store.ReadAsync<IReadOnlyList<SubscriptionRecord>>(connection =>
        {
            using var command = connection.CreateCommand();
            var sql = SubscriptionSelect + " WHERE 1 = 1";
            if (owner is not null)
            {
                sql += " AND owner = $owner";
                command.Parameters.AddWithValue("$owner", owner);
            }
            if (after is not null)
            {
                sql += " AND subscription_id > $after";
                command.Parameters.AddWithValue("$after", after);
            }
            command.CommandText = sql + " ORDER BY subscription_id LIMIT $limit";
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var rows = new List<SubscriptionRecord>();
            while (reader.Read()) rows.Add(ReadSubscription(reader));
            return rows;
        }, ct);

    /// <summary>Removes a subscription and its outbox rows; false when it did not exist.</summary>
    public Task<bool> DeleteAsync(string subscriptionId, CancellationToken ct) =>
        store.WriteAsync(context =>
        {
            using (var deliveries = context.CreateCommand("DELETE FROM webhook_deliveries WHERE subscription_id = $id"))
            {
                deliveries.Parameters.AddWithValue("$id", subscriptionId);
                deliveries.ExecuteNonQuery();
            }
            using var command = context.CreateCommand("DELETE FROM webhook_subscriptions WHERE subscription_id = $id");
            command.Parameters.AddWithValue("$id", subscriptionId);
            return command.ExecuteNonQuery() == 1;
        }, ct);

    public Task<DeliveryTarget?> GetTargetAsync(string subscriptionId, CancellationToken ct) =>
        store.ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT callback, sealed_secret, status FROM webhook_subscriptions WHERE subscription_id = $id";
            command.Parameters.AddWithValue("$id", subscriptionId);
            using var reader = command.ExecuteReader();
            return reader.Read() ? new DeliveryTarget(subscriptionId, reader.GetString(0), reader.GetString(1), reader.GetString(2)) : null;
        }, ct);

    /// <summary>A subscription's deliveries in seq order after a cursor, optionally of one status.</summary>
    public Task<IReadOnlyList<DeliveryRecord>> ListDeliveriesAsync(string subscriptionId, long after, string? status, int limit, CancellationToken ct) =>
        store.ReadAsync<IReadOnlyList<DeliveryRecord>>(connection =>
        {
            using var command = connection.CreateCommand();
            var sql = DeliverySelect + " WHERE subscription_id = $id AND seq > $after";
            if (status is not null)
            {
                sql += " AND status = $status";
                command.Parameters.AddWithValue("$status", status);
            }
            command.CommandText = sql + " ORDER BY seq LIMIT $limit";
            command.Parameters.AddWithValue("$id", subscriptionId);
            command.Parameters.AddWithValue("$after", after);
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var rows = new List<DeliveryRecord>();
            while (reader.Read()) rows.Add(ReadDelivery(reader));
            return rows;
        }, ct);

    public Task<DeliveryRecord?> GetDeliveryAsync(string subscriptionId, string deliveryId, CancellationToken ct) =>
        store.ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = DeliverySelect + " WHERE delivery_id = $delivery AND subscription_id = $id";
            command.Parameters.AddWithValue("$delivery", deliveryId);
            command.Parameters.AddWithValue("$id", subscriptionId);
            using var reader = command.ExecuteReader();
            return reader.Read() ? ReadDelivery(reader) : null;
        }, ct);

    /// <summary>What is due at <paramref name="nowMs"/> for active subscriptions, and the next instant something falls due after it.</summary>
    public Task<DueWork> LoadDueAsync(long nowMs, int limit, CancellationToken ct) =>
        store.ReadAsync(connection =>
        {
            using var tx = connection.BeginTransaction(deferred: true); // one snapshot for the three queries
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
                    WHERE s.status = 'active' AND d.next_attempt_at <= $now
                    """;
                command.Parameters.AddWithValue("$now", nowMs);
                using var reader = command.ExecuteReader();
                while (reader.Read()) first.Add(new DueDelivery(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt32(3)));
            }
            var retries = new List<DueDelivery>();
            using (var command = connection.CreateCommand())
            {
                command.Transaction = tx;
                command.CommandText = """
                    SELECT d.delivery_id, d.subscription_id, d.seq, d.attempt
                    FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.subscription_id = d.subscription_id
                    WHERE d.status = 'pending' AND d.attempt > 0 AND d.next_attempt_at <= $now AND s.status = 'active'
                    ORDER BY d.next_attempt_at, d.seq LIMIT $limit
                    """;
                command.Parameters.AddWithValue("$now", nowMs);
                command.Parameters.AddWithValue("$limit", limit);
                using var reader = command.ExecuteReader();
                while (reader.Read()) retries.Add(new DueDelivery(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt32(3)));
            }
            using (var command = connection.CreateCommand())
            {
                command.Transaction = tx;
                command.CommandText = """
                    SELECT MIN(d.next_attempt_at)
                    FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.subscription_id = d.subscription_id
                    WHERE d.status = 'pending' AND d.next_attempt_at > $now AND s.status = 'active'
                    """;
                command.Parameters.AddWithValue("$now", nowMs);
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
            using var tx = connection.BeginTransaction(deferred: true);
            DeliveryTarget? target;
            using (var command = connection.CreateCommand())
            {
                command.Transaction = tx;
                command.CommandText = "SELECT callback, sealed_secret, status FROM webhook_subscriptions WHERE subscription_id = $id";
                command.Parameters.AddWithValue("$id", subscriptionId);
                using var reader = command.ExecuteReader();
                target = reader.Read() ? new DeliveryTarget(subscriptionId, reader.GetString(0), reader.GetString(1), reader.GetString(2)) : null;
            }
            var due = new List<DueDelivery>();
            if (target is null) return new FirstAttemptPage(target, due);
            using (var command = connection.CreateCommand())
            {
                command.Transaction = tx;
                command.CommandText = """
                    SELECT delivery_id, seq, next_attempt_at FROM webhook_deliveries
                    WHERE subscription_id = $id AND status = 'pending' AND attempt = 0 AND seq > $after
                    ORDER BY seq LIMIT $limit
                    """;
                command.Parameters.AddWithValue("$id", subscriptionId);
                command.Parameters.AddWithValue("$after", afterSeq);
                command.Parameters.AddWithValue("$limit", limit);
                using var reader = command.ExecuteReader();
                // Seq order holds for first attempts: the page ends at the first delivery not yet due.
                while (reader.Read() && reader.GetInt64(2) <= nowMs) due.Add(new DueDelivery(reader.GetString(0), subscriptionId, reader.GetInt64(1), 0));
            }
            return new FirstAttemptPage(target, due);
        }, ct);

    /// <summary>
    /// Records an attempt's outcome in one transaction: the delivery's new status and next attempt, the
    /// subscription's run of failed deliveries, and disabling it on 410 or too many failures in a row.
    /// Null when the delivery is gone (its subscription was deleted meanwhile).
    /// </summary>
    public Task<RecordedAttempt?> RecordAsync(
        string deliveryId, DateTimeOffset attemptedAt, DateTimeOffset now, AttemptResult result,
        RetrySchedule schedule, int disableAfterFailedDeliveries, Random random, CancellationToken ct) =>
        store.WriteAsync(context => Record(context, new AttemptOutcome(deliveryId, attemptedAt, now, result), schedule, disableAfterFailedDeliveries, random), ct);

    /// <summary>
    /// Records several attempts' outcomes, in the given order, in one transaction (one fsync instead of one
    /// each); each is recorded exactly as <see cref="RecordAsync"/> would, one after the other.
    /// </summary>
    public Task<IReadOnlyList<RecordedAttempt?>> RecordManyAsync(
        IReadOnlyList<AttemptOutcome> outcomes, RetrySchedule schedule, int disableAfterFailedDeliveries, Random random, CancellationToken ct) =>
        store.WriteAsync<IReadOnlyList<RecordedAttempt?>>(context =>
        {
            var recorded = new RecordedAttempt?[outcomes.Count];
            for (var i = 0; i < outcomes.Count; i++) recorded[i] = Record(context, outcomes[i], schedule, disableAfterFailedDeliveries, random);
            return recorded;
        }, ct);

    private static RecordedAttempt? Record(AppendContext context, AttemptOutcome outcome, RetrySchedule schedule, int disableAfterFailedDeliveries, Random random)
    {
        var (deliveryId, attemptedAt, now, result) = outcome;
        DeliveryRecord current;
        using (var read = context.CreateCommand(DeliverySelect + " WHERE delivery_id = $id"))
        {
            read.Parameters.AddWithValue("$id", deliveryId);
            using var reader = read.ExecuteReader();
            if (!reader.Read()) return null;
            current = ReadDelivery(reader);
        }
        var attempt = current.Attempt + 1;
        var gone = result.HttpStatus == 410;
        DateTimeOffset? next = result.Succeeded || gone ? null : schedule.Next(attempt, now, result.RetryAfter, random);
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
            UPDATE webhook_deliveries SET status = $status, attempt = $attempt, http_status = $http, error = $error, attempted_at = $at, next_attempt_at = $next
            WHERE delivery_id = $id
            """))
        {
            write.Parameters.AddWithValue("$id", deliveryId);
            write.Parameters.AddWithValue("$status", status);
            write.Parameters.AddWithValue("$attempt", attempt);
            write.Parameters.AddWithValue("$http", (object?)result.HttpStatus ?? DBNull.Value);
            write.Parameters.AddWithValue("$error", (object?)updated.Error ?? DBNull.Value);
            write.Parameters.AddWithValue("$at", updated.At);
            write.Parameters.AddWithValue("$next", (object?)updated.NextAttemptAt ?? DBNull.Value);
            write.ExecuteNonQuery();
        }

        string? disabled = null;
        if (result.Succeeded)
        {
            Execute(context, "UPDATE webhook_subscriptions SET consecutive_failures = 0 WHERE subscription_id = $id", current.SubscriptionId);
        }
        else if (status == DeliveryRecord.Failed && current.Status != DeliveryRecord.Failed)
        {
            Execute(context, "UPDATE webhook_subscriptions SET consecutive_failures = consecutive_failures + 1 WHERE subscription_id = $id", current.SubscriptionId);
        }
        if (gone) disabled = "gone";
        else if (status == DeliveryRecord.Failed && FailuresOf(context, current.SubscriptionId) >= disableAfterFailedDeliveries) disabled = "failing";
        if (disabled is not null)
        {
            using var disable = context.CreateCommand("""
                UPDATE webhook_subscriptions SET status = 'disabled', disabled_reason = $reason, disabled_at = $at
                WHERE subscription_id = $id AND status = 'active'
                """);
            disable.Parameters.AddWithValue("$id", current.SubscriptionId);
            disable.Parameters.AddWithValue("$reason", disabled);
            disable.Parameters.AddWithValue("$at", Timestamp.ToText(now));
            if (disable.ExecuteNonQuery() == 0) disabled = null; // already disabled, or deleted
        }
        return new RecordedAttempt(updated, disabled);
    }

    internal static SubscriptionRecord ReadSubscription(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        ReadArray(reader, 3),
        ReadArray(reader, 4),
        reader.IsDBNull(5) ? null : reader.GetString(5),
        reader.GetString(6),
        reader.GetInt64(7),
        reader.GetString(8),
        reader.IsDBNull(9) ? null : reader.GetString(9),
        reader.IsDBNull(10) ? null : reader.GetString(10),
        reader.GetInt32(11));

    private static DeliveryRecord ReadDelivery(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetInt64(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetString(5),
        reader.GetInt32(6),
        reader.IsDBNull(7) ? null : reader.GetInt32(7),
        reader.IsDBNull(8) ? null : reader.GetString(8),
        reader.IsDBNull(9) ? null : reader.GetString(9),
        reader.IsDBNull(10) ? null : reader.GetInt64(10),
        reader.GetString(11));

    private static object Array(IReadOnlyList<string>? items) =>
        items is null ? DBNull.Value : Jcs.CanonicalString(new JsonArray(items.Select(i => (JsonNode?)i).ToArray()));

    private static List<string>? ReadArray(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : StrictJson.Parse(reader.GetString(ordinal))!.AsArray().Select(n => n!.GetValue<string>()).ToList();

    private static void Execute(AppendContext context, string sql, string subscriptionId)
    {
        using var command = context.CreateCommand(sql);
        command.Parameters.AddWithValue("$id", subscriptionId);
        command.ExecuteNonQuery();
    }

    private static long FailuresOf(AppendContext context, string subscriptionId)
    {
        using var command = context.CreateCommand("SELECT consecutive_failures FROM webhook_subscriptions WHERE subscription_id = $id");
        command.Parameters.AddWithValue("$id", subscriptionId);
        return command.ExecuteScalar() is long n ? n : 0;
    }
}
