using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pact.Daemon.Telemetry;

namespace Pact.Daemon.Tests.Observability;

/// <summary>The authentication handler, built per request, gets its logger from a factory that makes one per category.</summary>
public class CachingLoggerFactoryTests
{
    [Fact]
    public void A_category_is_asked_of_the_host_factory_once_and_its_logger_is_kept()
    {
        var host = new CountingFactory();
        using var factory = new CachingLoggerFactory(host);

        var first = factory.CreateLogger("Pact.Daemon.Auth.BearerAuthenticationHandler");
        var again = factory.CreateLogger("Pact.Daemon.Auth.BearerAuthenticationHandler");
        var other = factory.CreateLogger("Other");

        again.Should().BeSameAs(first);
        other.Should().NotBeSameAs(first);
        host.Created.Should().Equal("Pact.Daemon.Auth.BearerAuthenticationHandler", "Other");
    }

    [Fact]
    public void Disposing_it_leaves_the_host_factory_in_service()
    {
        var host = new CountingFactory();
        new CachingLoggerFactory(host).Dispose();
        host.Disposed.Should().BeFalse("the host owns its logger factory");
    }

    private sealed class CountingFactory : ILoggerFactory
    {
        public List<string> Created { get; } = [];

        public bool Disposed { get; private set; }

        public ILogger CreateLogger(string categoryName)
        {
            Created.Add(categoryName);
            return new NullLogger<CountingFactory>();
        }

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose() => Disposed = true;
    }
}
