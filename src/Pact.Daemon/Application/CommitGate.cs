namespace Pact.Daemon.Application;

/// <summary>
/// Lets a decision that recorded stale passports (<see cref="StaleDecisionException"/>) be taken again with the log
/// held still: every append passes the gate shared; a retried decision takes it exclusively — it closes the gate to new
/// appends, waits for those in flight, and no other commit lands between its read of the log head and its own commit —
/// so deciding again cannot be starved by other streams that never pause. While no decision holds it, an append passes
/// with a counter under a short lock: no keyed lock, no queue, no await. Decisions queue among themselves; appends that
/// meet a closed gate wait until no decision holds it (a retried decision holds the log still, so the queue is short).
/// </summary>
public sealed class CommitGate(KeyedLock locks)
{
    /// <summary>The gate's own key among the keyed locks: one decision holds the log still at a time.</summary>
    private const string DecisionKey = "~commit-gate";

    private readonly AsyncLocal<bool> _holder = new();
    private readonly Lock _count = new();
    private int _inFlight;
    private TaskCompletionSource? _drained;

    /// <summary>Set while a decision holds the log still or waits for it to drain: appends wait for it to complete.</summary>
    private TaskCompletionSource? _reopened;

    /// <summary>Around one append: waits while a decision holds the log still (never for the holder's own appends).</summary>
    public async Task<T> SharedAsync<T>(Func<Task<T>> append, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(append);
        if (_holder.Value) return await append();
        await EnterAsync(ct);
        try
        {
            return await append();
        }
        finally
        {
            lock (_count)
            {
                if (--_inFlight == 0) _drained?.TrySetResult();
            }
        }
    }

    private async ValueTask EnterAsync(CancellationToken ct)
    {
        while (true)
        {
            Task closed;
            lock (_count)
            {
                if (_reopened is null)
                {
                    _inFlight++;
                    return;
                }
                closed = _reopened.Task;
            }
            await closed.WaitAsync(ct);
        }
    }

    /// <summary>Runs <paramref name="decide"/> with no other append in flight or starting until it returns.</summary>
    public async Task<T> ExclusiveAsync<T>(Func<Task<T>> decide, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(decide);
        // Already holding the log still (a decision inside a decision): it stays held.
        if (_holder.Value) return await decide();
        using var decision = await locks.AcquireAsync([DecisionKey], ct);
        Task drained;
        lock (_count)
        {
            _reopened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_inFlight == 0) _drained.TrySetResult();
            drained = _drained.Task;
        }
        try
        {
            await drained.WaitAsync(ct);
            _holder.Value = true;
            try
            {
                return await decide();
            }
            finally
            {
                _holder.Value = false;
            }
        }
        finally
        {
            TaskCompletionSource reopened;
            lock (_count)
            {
                _drained = null;
                reopened = _reopened!;
                _reopened = null;
            }
            reopened.TrySetResult();
        }
    }
}
