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
        var inFlight = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlightEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = _gate.SharedAsync(async () =>
        {
            inFlightEntered.SetResult();
            return await inFlight.Task;
        }, CancellationToken.None);
        await inFlightEntered.Task.WaitAsync(Bound);

        var deciding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var decided = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var decision = _gate.ExclusiveAsync(async () =>
        {
            deciding.SetResult();
            return await decided.Task;
        }, CancellationToken.None);
        (await Task.WhenAny(deciding.Task, Task.Delay(Grace))).Should().NotBeSameAs(deciding.Task, "an append is still in flight");

        var laterEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var later = _gate.SharedAsync(() =>
        {
            laterEntered.SetResult();
            return Task.FromResult(2);
        }, CancellationToken.None);

        inFlight.SetResult(1);
        await deciding.Task.WaitAsync(Bound);
        (await first.WaitAsync(Bound)).Should().Be(1);
        (await Task.WhenAny(laterEntered.Task, Task.Delay(Grace))).Should().NotBeSameAs(laterEntered.Task, "the decision holds the log still");

        decided.SetResult(3);
        (await decision.WaitAsync(Bound)).Should().Be(3);
        (await later.WaitAsync(Bound)).Should().Be(2);
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
        var inFlight = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = _gate.SharedAsync(async () =>
        {
            entered.SetResult();
            return await inFlight.Task;
        }, CancellationToken.None);
        await entered.Task.WaitAsync(Bound);

        using var cancel = new CancellationTokenSource();
        var decision = _gate.ExclusiveAsync(() => Task.FromResult(0), cancel.Token);
        await cancel.CancelAsync();
        await FluentActions.Awaiting(() => decision).Should().ThrowAsync<OperationCanceledException>();

        (await _gate.SharedAsync(() => Task.FromResult(4), CancellationToken.None).WaitAsync(Bound)).Should().Be(4, "nothing holds the log any more");
        inFlight.SetResult(1);
        (await first.WaitAsync(Bound)).Should().Be(1);
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
        var decided = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var deciding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var decision = _gate.ExclusiveAsync(async () =>
        {
            deciding.SetResult();
            return await decided.Task;
        }, CancellationToken.None);
        await deciding.Task.WaitAsync(Bound);

        using var cancel = new CancellationTokenSource();
        var waiting = _gate.SharedAsync(() => Task.FromResult(0), cancel.Token);
        await cancel.CancelAsync();
        await FluentActions.Awaiting(() => waiting).Should().ThrowAsync<OperationCanceledException>();
        decided.SetResult(1);
        (await decision.WaitAsync(Bound)).Should().Be(1);

        (await _gate.ExclusiveAsync(() => Task.FromResult(2), CancellationToken.None).WaitAsync(Bound)).Should().Be(2, "no append is in flight");
    }

    [Fact]
    public async Task A_decision_inside_a_decision_keeps_the_log_held_instead_of_waiting_for_itself()
    {
        var result = await _gate.ExclusiveAsync(() => _gate.ExclusiveAsync(() => Task.FromResult(8), CancellationToken.None), CancellationToken.None).WaitAsync(Bound);
        result.Should().Be(8);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++) await Task.Delay(10);
        condition().Should().BeTrue();
    }
}
