using Pact.Daemon.Application;
using Pact.Daemon.Streaming;
using Pact.Store;

namespace Pact.Daemon.Hosting;

/// <summary>
/// Start-up work, awaited before the server takes requests and before the other hosted services start (it is
/// registered first): the daemon key and admin token are created if missing, the store is opened, and the whole
/// transcript is replayed into the decision state. /readyz answers 503 until this is complete.
/// </summary>
internal sealed class DaemonStartup(IServiceProvider services, ILogger<DaemonStartup> logger) : IHostedService
{
    private volatile bool _complete;

    public bool IsComplete => _complete;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var identity = services.GetRequiredService<DaemonIdentity>();
        services.GetRequiredService<Pact.Daemon.Auth.AdminToken>();
        var store = services.GetRequiredService<IPactStore>();
        services.GetRequiredService<EventHub>();
        await services.GetRequiredService<DecisionEngine>().LoadAsync(cancellationToken);
        _complete = true;
        logger.LogInformation("Pact daemon {DaemonId} ({Origin}) on data directory {DataDirectory}, transcript head seq {Head}",
            identity.DaemonId, identity.Origin, services.GetRequiredService<DataDirectory>().Root, store.HeadSeq);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
