using Pact.Daemon.Application;
using Pact.Daemon.Streaming;
using Pact.Store;

namespace Pact.Daemon.Hosting;

/// <summary>
/// Start-up work, awaited before the server takes requests and before the other hosted services start (it is
/// registered first): the daemon key and admin token are created if missing, a store older than what the key has
/// signed is refused, and the transcript is replayed into the decision state: the events after the latest
/// state snapshot, or all of them (<see cref="StateSnapshots"/>). The store it reads was opened just before, in the host's starting phase
/// (<see cref="PactStoreOpener"/>). /readyz answers 503 until both are done.
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
        await RefuseAnOlderStoreAsync(services.GetRequiredService<DataDirectory>(), store, cancellationToken);
        await RefuseAnotherIdentityAsync(identity, store, services.GetRequiredService<TimeProvider>(), cancellationToken);
        services.GetRequiredService<EventHub>();
        // The latest state snapshot that passes its checks, and the events after it; the whole log when there is none.
        var snapshots = services.GetRequiredService<StateSnapshots>();
        var from = await snapshots.LoadAsync(cancellationToken);
        var replay = await services.GetRequiredService<DecisionEngine>().LoadAsync(from, cancellationToken);
        snapshots.Started(from, replay);
        // A standby folds what the writer commits after the replay's last event (nothing on the writer).
        services.GetRequiredService<Pact.Daemon.Instances.InstanceRole>().Follow(replay.ThroughSeq);
        _complete = true;
        logger.LogInformation("Pact daemon {DaemonId} ({Origin}) on data directory {DataDirectory}, transcript head seq {Head}",
            identity.DaemonId, identity.Origin, services.GetRequiredService<DataDirectory>().Root, store.HeadSeq);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Instances sharing a database must be one daemon (ADR 0013): one key signs its records and checkpoints, and a
    /// request's audience is that key's did. The first instance records its daemon id in the database; an instance
    /// with another key refuses to start rather than serve, forward to, or take over a log another key signs.
    /// </summary>
    private static async Task RefuseAnotherIdentityAsync(DaemonIdentity identity, IPactStore store, TimeProvider time, CancellationToken ct)
    {
        if (store is not ISharedStore shared) return;
        var recorded = await shared.ClaimIdentityAsync(identity.DaemonId, time.GetUtcNow(), ct);
        if (recorded != identity.DaemonId)
            throw new StartRefusedException(
                $"this instance's daemon key is {identity.DaemonId}, but the database belongs to daemon {recorded}.",
                "Every instance on one database must use the same daemon key: give this instance the data directory's " +
                "daemon.key.json and token.secret of the others (see docs/operations.md, \"Several instances\").");
    }

    /// <summary>
    /// A store with fewer events than this key has signed, and that does not itself remember that checkpoint, is a
    /// copy from the past (classically pact.db copied without pact.db-wal): serving it would make the daemon sign a
    /// second, different history. A store that does remember it but lost events was damaged, and the start-up
    /// checks quarantine it (reads and verify served, appends refused) so that it can be examined.
    /// </summary>
    private static async Task RefuseAnOlderStoreAsync(DataDirectory data, IPactStore store, CancellationToken ct)
    {
        var signed = data.ReadSignedTreeSize();
        if (signed <= store.HeadSeq) return;
        var remembered = await store.LatestLogCheckpointAsync(ct);
        if ((remembered?.TreeSize ?? 0) < signed)
            throw new StartRefusedException(
                $"the daemon key has signed a log of {signed} events, but the store in {data.Root} holds {store.HeadSeq}.",
                "The database is older than the key: restore the complete backup (see docs/operations.md, \"Backups\"), " +
                $"or, to start this data over on purpose, remove {Path.GetFileName(data.SignedTreeSizePath)} beside the key.");
    }
}
