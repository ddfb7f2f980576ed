using System.Diagnostics.Metrics;
using Pact.Daemon.Telemetry;
using Pact.Store;

namespace Pact.Daemon.Webhooks;

/// <summary>Webhook metrics on the daemon's "Pact" meter, and the log lines of recorded attempts.</summary>
public static class WebhookTelemetry
{
    /// <summary>Attempts by outcome: succeeded, retrying (failed, another attempt scheduled), failed (none left), gone (410).</summary>
    public static readonly Counter<long> Deliveries = PactTelemetry.Meter.CreateCounter<long>("pact.webhooks.deliveries", "{attempt}", "Webhook delivery attempts, by outcome.");

    public static readonly Counter<long> SubscriptionsDisabled = PactTelemetry.Meter.CreateCounter<long>("pact.webhooks.subscriptions.disabled", "{subscription}", "Subscriptions disabled by the dispatcher, by reason.");

    /// <summary>Telemetry and logs of a recorded attempt (the store stopped queueing for a subscription it disabled).</summary>
    public static void Report(ILogger logger, string subscriptionId, AttemptResult result, RecordedAttempt? recorded)
    {
        if (recorded is null) return;
        var webhookId = recorded.Delivery.WebhookId;
        var outcome = result.Succeeded ? "succeeded"
            : recorded.Delivery.Status == DeliveryRecord.Pending ? "retrying"
            : result.HttpStatus == 410 ? "gone" : "failed";
        Deliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        if (!result.Succeeded)
        {
            logger.LogInformation("Webhook {WebhookId} to {SubscriptionId} failed (attempt {Attempt}): {Error}; {Next}",
                webhookId, subscriptionId, recorded.Delivery.Attempt, result.Error,
                recorded.Delivery.NextAttemptAt is { } next ? "next attempt at " + DateTimeOffset.FromUnixTimeMilliseconds(next).ToString("O") : "no further attempts");
        }
        if (recorded.DisabledReason is { } reason)
        {
            SubscriptionsDisabled.Add(1, new KeyValuePair<string, object?>("reason", reason));
            logger.LogWarning("Subscription {SubscriptionId} disabled ({Reason})", subscriptionId, reason);
        }
    }
}
