using Microsoft.Extensions.Time.Testing;

namespace Pact.Client.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also tells a test when some timer is armed with a given due time, so
/// the test sees how long the client chose to wait (a reconnect delay, an idle timeout) before it advances.
/// </summary>
internal sealed class TimerWatchingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Lock _gate = new();
    private readonly List<WatchedTimer> _armed = [];
    private readonly List<(TimeSpan Due, TaskCompletionSource Seen)> _watches = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var watched = new WatchedTimer(this);
        // Armed before the inner timer exists: a zero due time fires inside base.CreateTimer.
        Armed(watched, dueTime, period);
        watched.Inner = base.CreateTimer(s => { watched.Fired(); callback(s); }, state, dueTime, period);
        return watched;
    }

    /// <summary>Completes when some timer is armed with exactly this due time (now or later) and has not fired.</summary>
    public Task WhenTimerArmedAsync(TimeSpan due)
    {
        lock (_gate)
        {
            if (_armed.Any(t => t.Due == due)) return Task.CompletedTask;
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _watches.Add((due, seen));
            return seen.Task;
        }
    }

    private void Armed(WatchedTimer timer, TimeSpan due, TimeSpan period)
    {
        List<TaskCompletionSource> seen = [];
        lock (_gate)
        {
            timer.Due = due;
            timer.Periodic = period > TimeSpan.Zero && period != Timeout.InfiniteTimeSpan;
            _armed.Remove(timer);
            if (due == Timeout.InfiniteTimeSpan) return;
            _armed.Add(timer);
            foreach (var w in _watches.Where(w => w.Due == due).ToList())
            {
                _watches.Remove(w);
                seen.Add(w.Seen);
            }
        }
        foreach (var s in seen) s.TrySetResult();
    }

    private void Disarmed(WatchedTimer timer)
    {
        lock (_gate) _armed.Remove(timer);
    }

    private sealed class WatchedTimer(TimerWatchingTimeProvider clock) : ITimer
    {
        public ITimer Inner { get; set; } = null!;
        public TimeSpan Due { get; set; }
        public bool Periodic { get; set; }

        public void Fired()
        {
            if (!Periodic) clock.Disarmed(this);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            clock.Armed(this, dueTime, period);
            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            clock.Disarmed(this);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
