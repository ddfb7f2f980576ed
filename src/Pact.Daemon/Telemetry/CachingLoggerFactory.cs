using System.Collections.Concurrent;

namespace Pact.Daemon.Telemetry;

/// <summary>
/// The host's logger factory with one logger kept per category. ASP.NET builds the authentication handler afresh for
/// every request, and the handler asks its factory for a logger each time; Serilog's factory builds a new one on every
/// call (an enriched logger and its caches), which this keeps to once per category. Disposing it leaves the host's
/// factory alone: the host owns that one.
/// </summary>
public sealed class CachingLoggerFactory(ILoggerFactory host) : ILoggerFactory
{
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, host.CreateLogger);

    public void AddProvider(ILoggerProvider provider) => host.AddProvider(provider);

    public void Dispose()
    {
    }
}
