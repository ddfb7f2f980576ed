using System.Diagnostics.Metrics;
using Pact.Daemon.Telemetry;

namespace Pact.Daemon.Webhooks;

/// <summary>Webhook metrics on the daemon's "Pact" meter.</summary>
public static class WebhookTelemetry
{
    /// <summary>Attempts by outcome: succeeded, retrying (failed, another attempt scheduled), failed (none left), gone (410).</summary>
    public static readonly Counter<long> Deliveries = PactTelemetry.Meter.CreateCounter<long>("pact.webhooks.deliveries", "{attempt}", "Webhook delivery attempts, by outcome.");

    public static readonly Counter<long> SubscriptionsDisabled = PactTelemetry.Meter.CreateCounter<long>("pact.webhooks.subscriptions.disabled", "{subscription}", "Subscriptions disabled by the dispatcher, by reason.");
}
