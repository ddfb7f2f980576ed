using Pact.Core.Negotiation;

namespace Pact.Daemon.Application;

/// <summary>
/// Fires deadlines (negotiation timeouts, withdrawal escalations, and every later kind the machines plan) at
/// their due time on the injected clock. On start it fires everything that fell due while the daemon was
/// down; whenever new events change the plan it re-reads the next deadline. After a start from a state snapshot it
/// waits until the snapshot was checked against the whole log (<see cref="StateSnapshots.Verified"/>): nothing fires
/// on its own from a state not yet known to be what the events give.
/// </summary>
public sealed class DeadlineTimer(DecisionEngine engine, StateSnapshots snapshots, TimeProvider time, ILogger<DeadlineTimer> logger) : BackgroundService
{
    /// <summary>Longest single wait; a later deadline is simply re-planned after it.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromHours(6);

    private readonly SemaphoreSlim _changed = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        engine.StateChanged += Signal;
        try
        {
            await snapshots.Verified.WaitAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                var firedAt = time.GetUtcNow();
                try
                {
                    await engine.FireDueAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Firing due deadlines failed; retrying shortly");
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                    continue;
                }
                var next = engine.NextDeadline();
                if (next is not null && next.DueAt <= firedAt)
                {
                    // Due before the firing began and still pending: nothing could fire it (a bug); do not spin on it.
                    logger.LogWarning("Deadline {Kind} of {Id} due at {DueAt} could not be fired", next.Kind, next.Id, next.DueAt);
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                    continue;
                }
                var wait = next is null ? MaxWait : next.DueAt - time.GetUtcNow();
                if (wait > MaxWait) wait = MaxWait;
                // Due already: the clock moved on while the deadlines fired.
                if (wait <= TimeSpan.Zero) continue;
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var delay = Task.Delay(wait, time, timeout.Token);
                // A clock that jumps (a VM resumed, a test's fake clock) may have passed the deadline between reading it
                // and arming the delay, which then counts from after the jump: look once more instead of sleeping through it.
                var passed = next is not null && time.GetUtcNow() >= next.DueAt;
                var changed = passed ? Task.CompletedTask : _changed.WaitAsync(timeout.Token);
                await Task.WhenAny(delay, changed);
                await timeout.CancelAsync();
                await Task.WhenAll(delay, changed).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            engine.StateChanged -= Signal;
        }
    }

    private void Signal()
    {
        try
        {
            if (_changed.CurrentCount == 0) _changed.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one wake-up is enough.
        }
    }

    public override void Dispose()
    {
        _changed.Dispose();
        base.Dispose();
    }
}
