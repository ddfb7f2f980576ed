using Microsoft.Extensions.Options;
using Pact.Daemon.Hosting;
using Pact.Store;

namespace Pact.Daemon.Application;

/// <summary>
/// Writes state snapshots (<see cref="StateSnapshots"/>): once the start is verified (so a start that folded the whole
/// log leaves one for the next), whenever <see cref="PactOptions.SnapshotEveryEvents"/> events were appended since the
/// last, and at a clean stop. A start after a crash (kill -9) folds the events since the last snapshot, at most about
/// that many plus what was appended in the last check interval.
/// </summary>
public sealed class StateSnapshotWriter(StateSnapshots snapshots, IPactStore store, IOptions<PactOptions> options, TimeProvider time, ILogger<StateSnapshotWriter> logger)
    : BackgroundService
{
    /// <summary>How often the number of events since the last snapshot is looked at.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await snapshots.Verified.WaitAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                var from = snapshots.BaseThroughSeq;
                if (from < 0) return; // nothing verified to fold on from until the next start
                if (store.HeadSeq - from >= options.Value.SnapshotEveryEvents || !snapshots.IsStoredCurrent) await WriteAsync(stoppingToken);
                await Task.Delay(CheckInterval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>At a clean stop, after the server stopped taking requests: the next start folds nothing.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await WriteAsync(cancellationToken);
    }

    private async Task WriteAsync(CancellationToken ct)
    {
        try
        {
            await snapshots.WriteAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A snapshot only saves time at the next start; failing to write one never stops the daemon.
            logger.LogWarning(e, "The state snapshot could not be written");
        }
    }
}
