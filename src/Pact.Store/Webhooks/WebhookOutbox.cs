using System.Collections.Immutable;
using System.Data.Common;
using System.Text.Json.Nodes;
using Pact.Core.Json;
using Pact.Core.Time;
using Pact.Store.Relational;

namespace Pact.Store.Webhooks;

/// <summary>The subscriptions and deliveries tables (the outbox), and the in-memory set of active subscriptions the outbox projection reads.</summary>
internal sealed partial class WebhookOutbox(IRelationalEngine store, SubscriptionCache cache) : IWebhookOutbox
{
    public ImmutableDictionary<string, ActiveSubscription> ActiveSubscriptions => cache.Active;

    internal const string SubscriptionSelect =
        "SELECT subscription_id, owner, callback, filter_types, filter_sessions, description, created_at, after_seq, status, disabled_reason, disabled_at, consecutive_failures FROM webhook_subscriptions";

    private const string DeliverySelect =
        "SELECT delivery_id, subscription_id, seq, type, stream, status, attempt, http_status, error, attempted_at, next_attempt_at, created_at FROM webhook_deliveries";

    public static void Insert(IWriteContext context, SubscriptionRecord record, string sealedSecret)
    {
        using var command = context.CreateCommand("""
            INSERT INTO webhook_subscriptions(subscription_id, owner, callback, filter_types, filter_sessions, description, sealed_secret, created_at, after_seq, status, consecutive_failures)
            VALUES (@id, @owner, @callback, @types, @sessions, @description, @secret, @created, @after, @status, 0)
            """);
        command.Bind("@id", record.SubscriptionId);
        command.Bind("@owner", record.Owner);
        command.Bind("@callback", record.Callback);
        command.Bind("@types", Array(record.Types));
        command.Bind("@sessions", Array(record.Sessions));
        command.Bind("@description", (object?)record.Description ?? DBNull.Value);
        command.Bind("@secret", sealedSecret);
        command.Bind("@created", record.CreatedAt);
        command.Bind("@after", record.AfterSeq);
        command.Bind("@status", record.Status);
        command.ExecuteNonQuery();
    }

    public Task<SubscriptionRecord?> GetAsync(string subscriptionId, CancellationToken ct) =>
        store.ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = SubscriptionSelect + " WHERE subscription_id = @id";
            command.Bind("@id", subscriptionId);
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
                sql += " AND owner = @owner";
                command.BindFilter("@owner", owner);
            }
            if (after is not null)
            {
                sql += " AND subscription_id > @after";
                command.BindCursor("@after", after);
            }
            command.CommandText = sql + " ORDER BY subscription_id LIMIT @limit";
            command.Bind("@limit", limit);
            using var reader = command.ExecuteReader();
            var rows = new List<SubscriptionRecord>();
            while (reader.Read()) rows.Add(ReadSubscription(reader));
            return rows;
        }, ct);

    public async Task<bool> DeleteAsync(string subscriptionId, CancellationToken ct)
    {
        var deleted = await store.WriteAsync(context =>
        {
            using (var deliveries = context.CreateCommand("DELETE FROM webhook_deliveries WHERE subscription_id = @id"))
            {
                deliveries.Bind("@id", subscriptionId);
                deliveries.ExecuteNonQuery();
            }
            using var command = context.CreateCommand("DELETE FROM webhook_subscriptions WHERE subscription_id = @id");
            command.Bind("@id", subscriptionId);
            return command.ExecuteNonQuery() == 1;
        }, ct).ConfigureAwait(false);
        cache.Remove(subscriptionId);
        return deleted;
    }

    public Task<DeliveryTarget?> GetTargetAsync(string subscriptionId, CancellationToken ct) =>
        store.ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT callback, sealed_secret, status FROM webhook_subscriptions WHERE subscription_id = @id";
            command.Bind("@id", subscriptionId);
            using var reader = command.ExecuteReader();
            return reader.Read() ? new DeliveryTarget(subscriptionId, reader.Text(0), reader.Text(1), reader.Text(2)) : null;
        }, ct);

    /// <summary>A subscription's deliveries in seq order after a cursor, optionally of one status.</summary>
    public Task<IReadOnlyList<DeliveryRecord>> ListDeliveriesAsync(string subscriptionId, long after, string? status, int limit, CancellationToken ct) =>
        store.ReadAsync<IReadOnlyList<DeliveryRecord>>(connection =>
        {
            using var command = connection.CreateCommand();
            var sql = DeliverySelect + " WHERE subscription_id = @id AND seq > @after";
            if (status is not null)
            {
                sql += " AND status = @status";
                command.Bind("@status", status);
            }
            command.CommandText = sql + " ORDER BY seq LIMIT @limit";
            command.Bind("@id", subscriptionId);
            command.Bind("@after", after);
            command.Bind("@limit", limit);
            using var reader = command.ExecuteReader();
            var rows = new List<DeliveryRecord>();
            while (reader.Read()) rows.Add(ReadDelivery(reader));
            return rows;
        }, ct);

    public Task<DeliveryRecord?> GetDeliveryAsync(string subscriptionId, string deliveryId, CancellationToken ct) =>
        store.ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = DeliverySelect + " WHERE delivery_id = @delivery AND subscription_id = @id";
            command.Bind("@delivery", deliveryId);
            command.Bind("@id", subscriptionId);
            using var reader = command.ExecuteReader();
            return reader.Read() ? ReadDelivery(reader) : null;
        }, ct);

    internal static SubscriptionRecord ReadSubscription(DbDataReader reader) => new(
        reader.Text(0),
        reader.Text(1),
        reader.Text(2),
        ReadArray(reader, 3),
        ReadArray(reader, 4),
        reader.IsDBNull(5) ? null : reader.Text(5),
        reader.Text(6),
        reader.GetInt64(7),
        reader.Text(8),
        reader.IsDBNull(9) ? null : reader.Text(9),
        reader.IsDBNull(10) ? null : reader.Text(10),
        reader.GetInt32(11));

    private static DeliveryRecord ReadDelivery(DbDataReader reader) => new(
        reader.Text(0),
        reader.Text(1),
        reader.GetInt64(2),
        reader.Text(3),
        reader.Text(4),
        reader.Text(5),
        reader.GetInt32(6),
        reader.IsDBNull(7) ? null : reader.GetInt32(7),
        reader.IsDBNull(8) ? null : reader.Text(8),
        reader.IsDBNull(9) ? null : reader.Text(9),
        reader.IsDBNull(10) ? null : reader.GetInt64(10),
        reader.Text(11));

    private static object Array(IReadOnlyList<string>? items) =>
        items is null ? DBNull.Value : Jcs.CanonicalString(new JsonArray(items.Select(i => (JsonNode?)i).ToArray()));

    private static List<string>? ReadArray(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : StrictJson.Parse(reader.Text(ordinal))!.AsArray().Select(n => n!.GetValue<string>()).ToList();
}
