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
}
