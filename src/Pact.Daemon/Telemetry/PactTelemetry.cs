using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Pact.Daemon.Telemetry;

/// <summary>The daemon's own trace source and meter, both named "Pact".</summary>
public static class PactTelemetry
{
    public const string Name = "Pact";

    public static readonly ActivitySource ActivitySource = new(Name, Hosting.DaemonIdentity.ProductVersion);

    public static readonly Meter Meter = new(Name, Hosting.DaemonIdentity.ProductVersion);

    public static readonly Counter<long> EventsAppended = Meter.CreateCounter<long>("pact.events.appended", "{event}", "Transcript events committed.");

    public static readonly Counter<long> Commands = Meter.CreateCounter<long>("pact.commands", "{command}", "Signed commands handled, by type and outcome.");

    public static readonly UpDownCounter<long> SseSubscribers = Meter.CreateUpDownCounter<long>("pact.sse.subscribers", "{subscriber}", "Live SSE subscribers.");

    public static readonly Counter<long> Negotiations = Meter.CreateCounter<long>("pact.negotiations", "{compact}", "Compacts that went in force.");

    /// <summary>The spans a signed request makes, in order (children of ASP.NET Core's request span), and a webhook delivery's.</summary>
    public static class Spans
    {
        public const string Authenticate = "pact.authenticate";
        public const string Decide = "pact.decide";
        public const string Append = "pact.append";
        public const string Notify = "pact.notify";
        public const string WebhookDelivery = "pact.webhook.deliver";
    }

    /// <summary>Marks a span failed with the PACT code (or outcome) that ended it.</summary>
    public static void Refused(this Activity? span, string code)
    {
        if (span is null) return;
        span.SetTag("pact.code", code);
        span.SetStatus(ActivityStatusCode.Error, code);
    }
}
