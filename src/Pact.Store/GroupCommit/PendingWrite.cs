namespace Pact.Store.GroupCommit;

/// <summary>
/// One request waiting for a store's single writer: cancellable while it waits in the queue, and from the moment the
/// writer takes it, completed only by the outcome of the batch that holds it.
/// </summary>
internal sealed class PendingWrite<TWork>(TWork work)
{
    private const int Waiting = 0, Taken = 1, Cancelled = 2;
    private readonly TaskCompletionSource<AppendResult> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _registration;
    private int _state;

    public TWork Work { get; } = work;

    public Task<AppendResult> Task => _tcs.Task;

    public void Register(CancellationToken ct)
    {
        if (!ct.CanBeCanceled) return;
        _registration = ct.Register(static (state, token) =>
        {
            var item = (PendingWrite<TWork>)state!;
            if (Interlocked.CompareExchange(ref item._state, Cancelled, Waiting) == Waiting)
                item._tcs.TrySetCanceled(token);
        }, this);
    }

    public void Unregister() => _registration.Dispose();

    /// <summary>The writer claims the request; from here on cancellation no longer applies and the caller waits for the outcome.</summary>
    public bool TryTake()
    {
        if (Interlocked.CompareExchange(ref _state, Taken, Waiting) != Waiting) return false;
        _registration.Dispose();
        return true;
    }

    public void Complete(AppendResult result) => _tcs.TrySetResult(result);

    public void Fail(Exception e) => _tcs.TrySetException(e);
}

/// <summary>What the writer does with a whole batch of <see cref="PendingWrite{TWork}"/>.</summary>
internal static class PendingWriteBatch
{
    /// <summary>
    /// Once the batch is committed, tells each caller its outcome: its result, or the error that undid its request alone
    /// (<paramref name="errors"/>[i] set).
    /// </summary>
    public static void Settle<TWork>(this List<PendingWrite<TWork>> batch, AppendResult?[] results, Exception?[] errors)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            if (errors[i] is { } error) batch[i].Fail(error);
            else batch[i].Complete(results[i]!);
        }
    }
}
