namespace Pact.Daemon.Application;

/// <summary>
/// Lets a decision that recorded stale passports (<see cref="StaleDecisionException"/>) be taken again with the log
/// held still: every append passes the gate shared; a retried decision takes it exclusively — it waits for the appends
/// in flight, then no other commit lands between its read of the log head and its own commit — so deciding again
/// cannot be starved by other streams that never pause.
/// </summary>
public sealed class CommitGate(KeyedLock locks)
{
    /// <summary>The gate's own key among the keyed locks: held briefly by each append entering, and by a retried decision throughout.</summary>
    private const string EntryKey = "~commit-gate";

    private readonly AsyncLocal<bool> _holder = new();
    private readonly Lock _count = new();
    private int _inFlight;
    private TaskCompletionSource? _drained;

    /// <summary>Around one append: waits while a decision holds the log still (never for the holder's own appends).</summary>
    public async Task<T> SharedAsync<T>(Func<Task<T>> append, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(append);
        if (_holder.Value) return await append();
        using (await locks.AcquireAsync([EntryKey], ct))
        {
            lock (_count) _inFlight++;
        }
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

    /// <summary>Runs <paramref name="decide"/> with no other append in flight or starting until it returns.</summary>
    public async Task<T> ExclusiveAsync<T>(Func<Task<T>> decide, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(decide);
        using var entry = await locks.AcquireAsync([EntryKey], ct);
        try
        {
            Task drained;
            lock (_count)
            {
                _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_inFlight == 0) _drained.TrySetResult();
                drained = _drained.Task;
            }
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
            lock (_count) _drained = null;
        }
    }
}
