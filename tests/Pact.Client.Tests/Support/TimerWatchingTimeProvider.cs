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
        // Recorded before the inner timer exists (a zero due time fires inside base.CreateTimer), announced only once it
        // does: a test that advances the clock when told a timer is armed must find it there to fire.
        Record(watched, dueTime, period);
        watched.Inner = base.CreateTimer(s => { watched.Fired(); callback(s); }, state, dueTime, period);
        Announce(watched);
        return watched;
    }

    /// <summary>Completes when some timer is armed with exactly this due time (now or later) and has not fired.</summary>
    public Task WhenTimerArmedAsync(TimeSpan due)
    {
        lock (_gate)
        {
            if (_armed.Any(t => t.Due == due && t.Announced)) return Task.CompletedTask;
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _watches.Add((due, seen));
            return seen.Task;
        }
    }

    private void Record(WatchedTimer timer, TimeSpan due, TimeSpan period)
    {
        lock (_gate)
        {
            timer.Due = due;
            timer.Periodic = period > TimeSpan.Zero && period != Timeout.InfiniteTimeSpan;
            timer.Announced = false;
            _armed.Remove(timer);
            if (due != Timeout.InfiniteTimeSpan) _armed.Add(timer);
        }
    }

    /// <summary>The inner timer now runs with the recorded due time: watchers of that due time are told.</summary>
    private void Announce(WatchedTimer timer)
    {
        List<TaskCompletionSource> seen = [];
        lock (_gate)
        {
            if (!_armed.Contains(timer)) return; // disarmed, or already fired
            timer.Announced = true;
            foreach (var w in _watches.Where(w => w.Due == timer.Due).ToList())
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
        public bool Announced { get; set; }

        public void Fired()
        {
            if (!Periodic) clock.Disarmed(this);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            clock.Record(this, dueTime, period);
            var changed = Inner.Change(dueTime, period);
            clock.Announce(this);
            return changed;
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
