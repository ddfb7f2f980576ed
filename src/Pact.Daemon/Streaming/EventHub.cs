using System.Collections.Immutable;
using System.Diagnostics;
using System.Threading.Channels;
using Pact.Core.Events;
using Pact.Daemon.Telemetry;
using Pact.Store;

namespace Pact.Daemon.Streaming;

/// <summary>
/// Fans committed events out to live subscribers (SSE). Each subscriber has a bounded buffer; one that
/// falls further behind is cut off rather than allowed to grow memory, and resumes with Last-Event-ID.
/// </summary>
public sealed class EventHub : IDisposable
{
    private readonly IPactStore _store;
    private ImmutableArray<Subscription> _subscriptions = [];

    public EventHub(IPactStore store)
    {
        _store = store;
        store.Committed += Publish;
    }

    public int SubscriberCount => _subscriptions.Length;

    public Subscription Subscribe(Func<TranscriptEvent, bool> filter, int capacity)
    {
        var subscription = new Subscription(this, filter, capacity);
        ImmutableInterlocked.Update(ref _subscriptions, list => list.Add(subscription));
        PactTelemetry.SseSubscribers.Add(1);
        return subscription;
    }

    /// <summary>
    /// Runs on the store's writer after a commit. A batch holds the events of several requests; each request's
    /// run of events is fanned out under a notify span that continues its trace (<see cref="CommitTraces"/>).
    /// </summary>
    private void Publish(IReadOnlyList<TranscriptEvent> events)
    {
        var subscriptions = _subscriptions;
        var start = 0;
        while (start < events.Count)
        {
            // No remembered append (it was not sampled): no span either.
            var append = CommitTraces.TakeAppendOf(events[start]);
            var end = start + 1;
            while (end < events.Count && !CommitTraces.StartsAppend(events[end])) end++;
            using (var span = append is { } parent ? PactTelemetry.ActivitySource.StartActivity(PactTelemetry.Spans.Notify, ActivityKind.Internal, parent) : null)
            {
                span?.SetTag("pact.events", end - start);
                span?.SetTag("pact.subscribers", subscriptions.Length);
                foreach (var subscription in subscriptions) Offer(subscription, events, start, end);
            }
            start = end;
        }
    }

    private static void Offer(Subscription subscription, IReadOnlyList<TranscriptEvent> events, int start, int end)
    {
        for (var i = start; i < end && !subscription.Overflowed; i++)
        {
            if (subscription.Filter(events[i])) subscription.Offer(events[i]);
        }
    }

    private void Remove(Subscription subscription)
    {
        ImmutableInterlocked.Update(ref _subscriptions, list => list.Remove(subscription));
        PactTelemetry.SseSubscribers.Add(-1);
    }

    public void Dispose()
    {
        _store.Committed -= Publish;
        foreach (var subscription in _subscriptions) subscription.Complete();
    }

    /// <summary>One live subscriber's buffer of events, in commit order.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly EventHub _hub;
        private readonly Channel<TranscriptEvent> _channel;
        private int _disposed;

        internal Subscription(EventHub hub, Func<TranscriptEvent, bool> filter, int capacity)
        {
            _hub = hub;
            Filter = filter;
            _channel = Channel.CreateBounded<TranscriptEvent>(new BoundedChannelOptions(capacity)
            {
                SingleReader = true,
                SingleWriter = true,
                FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of dropping silently
            });
        }

        internal Func<TranscriptEvent, bool> Filter { get; }

        public ChannelReader<TranscriptEvent> Reader => _channel.Reader;

        /// <summary>True once the subscriber fell behind by more than its buffer and was cut off.</summary>
        public bool Overflowed { get; private set; }

        internal bool Offer(TranscriptEvent e)
        {
            if (_channel.Writer.TryWrite(e)) return true;
            Overflowed = true;
            _channel.Writer.TryComplete();
            return false;
        }

        internal void Complete() => _channel.Writer.TryComplete();

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
            _channel.Writer.TryComplete();
            _hub.Remove(this);
        }
    }
}
