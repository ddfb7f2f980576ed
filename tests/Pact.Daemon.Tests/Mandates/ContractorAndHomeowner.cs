using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests.Mandates;

/// <summary>
/// A daemon with a contractor agent and a homeowner (a human's agent, the one that grants mandates): the setup the
/// mandate verification tests share, one fresh daemon per test.
/// </summary>
public abstract class ContractorAndHomeowner : IAsyncLifetime
{
    protected DaemonHost Host { get; private set; } = null!;

    protected Negotiator Contractor { get; private set; } = null!;

    protected Negotiator Homeowner { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await DaemonHost.StartAsync();
        Contractor = await Negotiator.RegisterAsync(Host, "Contractor");
        Homeowner = await Negotiator.RegisterAsync(Host, "Homeowner", "human");
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
