using Pact.Daemon.Application;

namespace Pact.Daemon.Tests;

/// <summary>
/// The commit gate: appends pass together; a retried decision closes it, waits for the appends in flight, holds new ones
/// until it returns, and passes its own.
/// </summary>
public class CommitGateTests
{
    // How long a step that must not happen is given to happen anyway before the test moves on.
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(200);

    // How long a step that must happen may take before the test fails instead of hanging.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly CommitGate _gate = new(new KeyedLock());

    [Fact]
    public async Task Appends_pass_together_while_no_decision_holds_the_gate()
    {
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = 0;
        var appends = Enumerable.Range(0, 3).Select(_ => _gate.SharedAsync(async () =>
        {
            Interlocked.Increment(ref entered);
            return await release.Task;
        }, CancellationToken.None)).ToArray();

        await WaitUntilAsync(() => Volatile.Read(ref entered) == 3);
        release.SetResult(7);
        (await Task.WhenAll(appends).WaitAsync(Bound)).Should().Equal(7, 7, 7);
    }

    [Fact]
    public async Task A_decision_waits_for_the_appends_in_flight_and_holds_new_ones_until_it_returns()
    {
        var first = Append();
        await first.Entered.WaitAsync(Bound);

        var decision = Decision();
        (await Task.WhenAny(decision.Entered, Task.Delay(Grace))).Should().NotBeSameAs(decision.Entered, "an append is still in flight");

        var later = Append();
        later.Release(2);

        first.Release(1);
        await decision.Entered.WaitAsync(Bound);
        (await first.Result.WaitAsync(Bound)).Should().Be(1);
        (await Task.WhenAny(later.Entered, Task.Delay(Grace))).Should().NotBeSameAs(later.Entered, "the decision holds the log still");

        decision.Release(3);
        (await decision.Result.WaitAsync(Bound)).Should().Be(3);
        (await later.Result.WaitAsync(Bound)).Should().Be(2);
    }

    [Fact]
    public async Task The_deciders_own_appends_pass_the_closed_gate()
    {
        var result = await _gate.ExclusiveAsync(() => _gate.SharedAsync(() => Task.FromResult(5), CancellationToken.None), CancellationToken.None).WaitAsync(Bound);
        result.Should().Be(5);
    }

    [Fact]
    public async Task A_decision_cancelled_while_it_waits_for_the_log_reopens_the_gate()
    {
        var first = Append();
        await first.Entered.WaitAsync(Bound);

        using var cancel = new CancellationTokenSource();
        var decision = _gate.ExclusiveAsync(() => Task.FromResult(0), cancel.Token);
        await cancel.CancelAsync();
        await FluentActions.Awaiting(() => decision).Should().ThrowAsync<OperationCanceledException>();

        (await _gate.SharedAsync(() => Task.FromResult(4), CancellationToken.None).WaitAsync(Bound)).Should().Be(4, "nothing holds the log any more");
        first.Release(1);
        (await first.Result.WaitAsync(Bound)).Should().Be(1);
    }

    [Fact]
    public async Task A_decision_that_throws_reopens_the_gate_and_its_exception_reaches_the_caller()
    {
        var failing = () => _gate.ExclusiveAsync<int>(() => throw new InvalidOperationException("refused"), CancellationToken.None);
        await FluentActions.Awaiting(failing).Should().ThrowAsync<InvalidOperationException>().WithMessage("refused");
        (await _gate.SharedAsync(() => Task.FromResult(6), CancellationToken.None).WaitAsync(Bound)).Should().Be(6);
    }

    [Fact]
    public async Task An_append_cancelled_at_the_closed_gate_is_not_counted_so_the_next_decision_does_not_wait_for_it()
    {
        var decision = Decision();
        await decision.Entered.WaitAsync(Bound);

        using var cancel = new CancellationTokenSource();
        var waiting = _gate.SharedAsync(() => Task.FromResult(0), cancel.Token);
        await cancel.CancelAsync();
        await FluentActions.Awaiting(() => waiting).Should().ThrowAsync<OperationCanceledException>();
        decision.Release(1);
        (await decision.Result.WaitAsync(Bound)).Should().Be(1);

        (await _gate.ExclusiveAsync(() => Task.FromResult(2), CancellationToken.None).WaitAsync(Bound)).Should().Be(2, "no append is in flight");
    }

    [Fact]
    public async Task A_decision_inside_a_decision_keeps_the_log_held_instead_of_waiting_for_itself()
    {
        var result = await _gate.ExclusiveAsync(() => _gate.ExclusiveAsync(() => Task.FromResult(8), CancellationToken.None), CancellationToken.None).WaitAsync(Bound);
        result.Should().Be(8);
    }

    private Held Append() => new(step => _gate.SharedAsync(step, CancellationToken.None));

    private Held Decision() => new(step => _gate.ExclusiveAsync(step, CancellationToken.None));

    /// <summary>An append or a decision started through the gate: it says when it got in, and stays in until released.</summary>
    private sealed class Held
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<int> _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Held(Func<Func<Task<int>>, Task<int>> through) => Result = through(async () =>
        {
            _entered.SetResult();
            return await _release.Task;
        });

        public Task<int> Result { get; }

        public Task Entered => _entered.Task;

        public void Release(int value) => _release.SetResult(value);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++) await Task.Delay(10);
        condition().Should().BeTrue();
    }
}
