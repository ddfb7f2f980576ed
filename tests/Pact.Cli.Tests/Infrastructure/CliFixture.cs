using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Cli.Tests.Infrastructure;

/// <summary>One real daemon for every CLI test; each test makes its own keys, agents and sessions.</summary>
public sealed class CliFixture : IAsyncLifetime
{
    public DaemonHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await DaemonHost.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class DaemonCollection : ICollectionFixture<CliFixture>
{
    public const string Name = "daemon";
}
