using System.Collections.Immutable;
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
    private readonly TranscriptStore _store;
    private ImmutableArray<Subscription> _subscriptions = [];

    public EventHub(TranscriptStore store)
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

    private void Publish(IReadOnlyList<TranscriptEvent> events)
    {
        foreach (var subscription in _subscriptions)
        {
            foreach (var e in events)
            {
                if (subscription.Filter(e) && !subscription.Offer(e)) break;
            }
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
