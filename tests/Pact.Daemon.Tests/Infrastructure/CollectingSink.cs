using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace Pact.Daemon.Tests.Infrastructure;

/// <summary>
/// A Serilog sink that keeps every event it is given, for tests that assert on what the daemon logs. Register it
/// as an <see cref="ILogEventSink"/> service: the daemon's logger reads its sinks from the container too.
/// </summary>
public sealed class CollectingSink : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyList<LogEvent> Events => [.. _events];

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

    /// <summary>Request-log lines (Serilog's request logging), which carry a RequestPath.</summary>
    public IEnumerable<LogEvent> RequestLines => Events.Where(e => e.Properties.ContainsKey("RequestPath") && e.Properties.ContainsKey("Elapsed"));

    /// <summary>Everything an event would put in a log: its rendered message, its properties and its exception.</summary>
    public static string Everything(LogEvent e) =>
        e.RenderMessage() + " " + string.Join(" ", e.Properties.Select(p => p.Key + "=" + p.Value)) + " " + e.Exception;
}
