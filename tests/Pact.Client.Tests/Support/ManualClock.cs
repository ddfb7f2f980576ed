namespace Pact.Client.Tests.Support;

/// <summary>
/// A clock that moves only when the test says so. Timers (Task.Delay, CancellationTokenSource timeouts) fire when
/// <see cref="Advance"/> passes their due time, and every requested due time is observable, so a test can see
/// how long the client chose to wait without waiting itself.
/// </summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly List<(TimeSpan Due, TaskCompletionSource Seen)> _watches = [];
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return _now;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Completes when some timer is armed with exactly this due time (now or later).</summary>
    public Task WhenTimerArmedAsync(TimeSpan due)
    {
        lock (_gate)
        {
            if (_timers.Any(t => t.RequestedDue == due && t.DueAt is not null)) return Task.CompletedTask;
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _watches.Add((due, seen));
            return seen.Task;
        }
    }

    public void Advance(TimeSpan by)
    {
        List<ManualTimer> due;
        lock (_gate)
        {
            _now += by;
            due = _timers.Where(t => t.DueAt is { } at && at <= _now).ToList();
            foreach (var t in due) t.DueAt = t.Period > TimeSpan.Zero && t.Period != Timeout.InfiniteTimeSpan ? _now + t.Period : null;
        }
        foreach (var t in due) t.Fire();
    }

    private void Arm(ManualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        List<TaskCompletionSource> seen = [];
        lock (_gate)
        {
            timer.Period = period;
            timer.RequestedDue = dueTime;
            timer.DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : _now + dueTime;
            if (!_timers.Contains(timer)) _timers.Add(timer);
            if (timer.DueAt is not null)
            {
                foreach (var w in _watches.Where(w => w.Due == dueTime).ToList())
                {
                    _watches.Remove(w);
                    seen.Add(w.Seen);
                }
            }
        }
        foreach (var s in seen) s.TrySetResult();
        // A zero due time fires at once, as a real timer would.
        if (dueTime == TimeSpan.Zero) Advance(TimeSpan.Zero);
    }

    private void Remove(ManualTimer timer)
    {
        lock (_gate) _timers.Remove(timer);
    }

    private sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? DueAt { get; set; }
        public TimeSpan Period { get; set; }
        public TimeSpan RequestedDue { get; set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            clock.Arm(this, dueTime, period);
            return true;
        }

        public void Dispose() => clock.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
