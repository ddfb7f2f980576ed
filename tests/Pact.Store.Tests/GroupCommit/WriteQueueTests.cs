using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using Pact.Core.Events;
using Pact.Store.GroupCommit;

namespace Pact.Store.Tests.GroupCommit;

/// <summary>The single writer's queue on its own, without a database: what both stores' writers rely on.</summary>
public sealed class WriteQueueTests
{
    private sealed class Owner;

    // A request the queue forgets would otherwise hang the test rather than fail it.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static AppendResult Result(int value) => new([], value);

    /// <summary>A writer that holds every batch until released, then completes each request with its own number.</summary>
    private sealed class GatedWriter
    {
        public readonly List<List<int>> Batches = [];
        public readonly TaskCompletionSource Release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly TaskCompletionSource FirstBatch = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task Process(List<PendingWrite<int>> batch)
        {
            lock (Batches) Batches.Add(batch.Select(item => item.Work).ToList());
            FirstBatch.TrySetResult();
            await Release.Task;
            foreach (var item in batch) item.Complete(Result(item.Work));
        }
    }

    [Fact]
    public async Task The_writer_takes_what_waits_in_order_in_batches_no_larger_than_the_limit()
    {
        var queue = new WriteQueue<int>(3, NullLogger.Instance, new Owner());
        var writer = new GatedWriter();
        var first = queue.Enqueue(0, CancellationToken.None);
        var running = queue.RunAsync(writer.Process);
        await writer.FirstBatch.Task;
        // While the writer holds batch [0], seven more requests queue up behind it.
        var rest = Enumerable.Range(1, 7).Select(i => queue.Enqueue(i, CancellationToken.None)).ToList();
        writer.Release.SetResult();

        (await Task.WhenAll(rest.Prepend(first)).WaitAsync(Patience)).Select(r => (int)r.Value!).Should().Equal(Enumerable.Range(0, 8));
        queue.Close();
        await running.WaitAsync(Patience);
        writer.Batches.Select(b => string.Join(",", b)).Should().Equal("0", "1,2,3", "4,5,6", "7");
    }

    [Fact]
    public async Task A_request_cancelled_while_it_waits_never_reaches_the_writer()
    {
        var queue = new WriteQueue<int>(10, NullLogger.Instance, new Owner());
        var writer = new GatedWriter();
        var running = queue.RunAsync(writer.Process);
        var first = queue.Enqueue(0, CancellationToken.None);
        await writer.FirstBatch.Task;
        using var cancel = new CancellationTokenSource();
        var withdrawn = queue.Enqueue(1, cancel.Token);
        var kept = queue.Enqueue(2, CancellationToken.None);
        await cancel.CancelAsync();
        writer.Release.SetResult();

        await withdrawn.WaitAsync(Patience).Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        (await kept.WaitAsync(Patience)).Value.Should().Be(2);
        (await first.WaitAsync(Patience)).Value.Should().Be(0);
        queue.Close();
        await running.WaitAsync(Patience);
        writer.Batches.SelectMany(b => b).Should().Equal(0, 2);
    }

    [Fact]
    public async Task Closing_refuses_new_requests_and_lets_the_queued_ones_commit()
    {
        var queue = new WriteQueue<int>(10, NullLogger.Instance, new Owner());
        var queued = Enumerable.Range(0, 4).Select(i => queue.Enqueue(i, CancellationToken.None)).ToList();
        queue.Close();

        FluentActions.Invoking(() => { _ = queue.Enqueue(9, CancellationToken.None); }).Should().Throw<ObjectDisposedException>()
            .Which.ObjectName.Should().Contain(nameof(Owner));
        var writer = new GatedWriter();
        writer.Release.SetResult();
        await queue.RunAsync(writer.Process).WaitAsync(Patience);
        (await Task.WhenAll(queued).WaitAsync(Patience)).Select(r => (int)r.Value!).Should().Equal(0, 1, 2, 3);
    }

    [Fact]
    public async Task A_writer_that_throws_fails_its_batch_and_everything_waiting_and_takes_nothing_more()
    {
        var queue = new WriteQueue<int>(2, NullLogger.Instance, new Owner());
        var waiting = Enumerable.Range(0, 5).Select(i => queue.Enqueue(i, CancellationToken.None)).ToList();
        var bug = new InvalidOperationException("a bug in the writer");

        var batches = 0;
        await queue.RunAsync(_ =>
        {
            batches++;
            throw bug;
        }).WaitAsync(Patience);

        batches.Should().Be(1, "the writer takes nothing more after a batch failed on a bug");
        foreach (var request in waiting)
            (await request.WaitAsync(Patience).Invoking(t => t).Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(bug);
        FluentActions.Invoking(() => { _ = queue.Enqueue(5, CancellationToken.None); }).Should().Throw<InvalidOperationException>()
            .WithMessage("*writer has stopped*");
    }

    [Fact]
    public async Task Settle_gives_each_caller_its_result_or_the_error_that_undid_its_request()
    {
        var batch = Enumerable.Range(0, 3).Select(i => new PendingWrite<int>(i)).ToList();
        batch.ForEach(item => item.TryTake().Should().BeTrue());
        var undone = new ArgumentException("request 1 was refused");

        batch.Settle([Result(0), null, Result(2)], [null, undone, null]);

        (await batch[0].Task).Value.Should().Be(0);
        (await batch[1].Task.Invoking(t => t).Should().ThrowAsync<ArgumentException>()).Which.Should().BeSameAs(undone);
        (await batch[2].Task).Value.Should().Be(2);
    }

    [Fact]
    public async Task A_request_whose_token_is_already_cancelled_is_refused_before_it_is_queued()
    {
        var queue = new WriteQueue<int>(10, NullLogger.Instance, new Owner());
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        FluentActions.Invoking(() => { _ = queue.Enqueue(1, cancel.Token); }).Should().Throw<OperationCanceledException>();
        queue.Close();
        var writer = new GatedWriter();
        writer.Release.SetResult();
        await queue.RunAsync(writer.Process).WaitAsync(Patience);
        writer.Batches.Should().BeEmpty();
    }

    [Fact]
    public void A_handler_that_throws_does_not_keep_the_others_from_hearing_of_the_commit()
    {
        var heard = new List<string>();
        Action<IReadOnlyList<TranscriptEvent>>? handlers = null;
        handlers += _ => heard.Add("first");
        handlers += _ => throw new InvalidOperationException("a faulty subscriber");
        handlers += events => heard.Add($"third saw seq {events[0].Seq}");
        var e = new TranscriptEvent(7, "ses_a", 1, "session.created", "2026-12-07T00:00:00.000Z", "did:key:z", new JsonObject(), EventChain.GenesisHash, new string('0', 64));

        CommittedHandlers.Raise(handlers, [e], NullLogger.Instance);
        CommittedHandlers.Raise(null, [e], NullLogger.Instance);

        heard.Should().Equal("first", "third saw seq 7");
    }
}
