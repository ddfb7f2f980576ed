using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Pact.Store.GroupCommit;

/// <summary>
/// The queue in front of a store's single writer (ADR 0003), the same for every database: callers enqueue requests, and
/// the writer takes whatever is waiting, up to a batch's size, and commits each batch as one transaction.
/// </summary>
internal sealed class WriteQueue<TWork>
{
    private readonly Channel<PendingWrite<TWork>> _channel =
        Channel.CreateUnbounded<PendingWrite<TWork>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int _maxBatchSize;
    private readonly ILogger _logger;
    private readonly object _owner;
    private int _closed;

    /// <param name="maxBatchSize">The most requests the writer takes into one transaction.</param>
    /// <param name="logger">Where a writer that stops on a bug says so.</param>
    /// <param name="owner">The store, named by the <see cref="ObjectDisposedException"/> of a request that comes after <see cref="Close"/>.</param>
    public WriteQueue(int maxBatchSize, ILogger logger, object owner)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        _maxBatchSize = maxBatchSize;
        _logger = logger;
        _owner = owner;
    }

    /// <summary>Queues <paramref name="work"/> for the writer; cancelling <paramref name="ct"/> withdraws it until the writer takes it.</summary>
    /// <exception cref="ObjectDisposedException">The queue was closed.</exception>
    /// <exception cref="InvalidOperationException">The writer stopped on a failure it could not handle.</exception>
    public Task<AppendResult> Enqueue(TWork work, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var item = new PendingWrite<TWork>(work);
        item.Register(ct);
        if (_channel.Writer.TryWrite(item)) return item.Task;
        item.Unregister();
        // The channel closes only when the store closes it or when the writer died; either way the request was not taken.
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed) != 0, _owner);
        throw new InvalidOperationException("The transcript writer has stopped.");
    }

    /// <summary>Takes no more requests: the writer still commits every request already queued, then <see cref="RunAsync"/> ends.</summary>
    public void Close()
    {
        Volatile.Write(ref _closed, 1);
        _channel.Writer.TryComplete();
    }

    /// <summary>
    /// The writer's loop: hands each batch of waiting requests to <paramref name="processBatch"/>, which completes or fails
    /// every request in it, until the queue is closed and empty. One loop at a time: the queue has a single reader.
    /// </summary>
    public async Task RunAsync(Func<List<PendingWrite<TWork>>, Task> processBatch)
    {
        var reader = _channel.Reader;
        var batch = new List<PendingWrite<TWork>>(_maxBatchSize);
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < _maxBatchSize && reader.TryRead(out var item))
                    if (item.TryTake()) batch.Add(item);
                if (batch.Count > 0) await processBatch(batch).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            // A batch handles its own failures; reaching here is a bug. Fail everything rather than hang callers.
            _logger.LogCritical(e, "The transcript writer stopped");
            _channel.Writer.TryComplete(e);
            foreach (var item in batch) item.Fail(e);
            while (reader.TryRead(out var item))
                if (item.TryTake()) item.Fail(e);
        }
    }
}
