using Pact.Store;

namespace Pact.Daemon.Auth;

/// <summary>Forgets expired nonces every few minutes.</summary>
internal sealed class NonceJanitor(INonceStore nonces, TimeProvider time, ILogger<NonceJanitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(5), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var removed = await nonces.PruneAsync(time.GetUtcNow(), stoppingToken);
                if (removed > 0) logger.LogDebug("Pruned {Count} expired nonces", removed);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Pruning nonces failed; will retry");
            }
        }
    }
}
