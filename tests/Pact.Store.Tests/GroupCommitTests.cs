using FluentAssertions;
using Microsoft.Data.Sqlite;
using Pact.Core.Events;
using static Pact.Store.Tests.Requests;

namespace Pact.Store.Tests;

public sealed class GroupCommitTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Func<AppendContext, object?> WriteNote(string body) => ctx =>
    {
        using var command = ctx.CreateCommand("INSERT INTO notes (seq, body) VALUES ($seq, $body);");
        command.Parameters.AddWithValue("$seq", ctx.Events[0].Seq);
        command.Parameters.AddWithValue("$body", body);
        command.ExecuteNonQuery();
        return body;
    };

    [Fact]
    public async Task Concurrent_appenders_get_a_gapless_log_and_unbroken_chains_in_fewer_commits()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir));
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var appenders = Enumerable.Range(0, 16).Select(t => Task.Run(async () =>
        {
            await start.Task;
            var mine = new List<TranscriptEvent>();
            for (var i = 0; i < 200; i++)
                mine.AddRange((await store.AppendAsync(Append($"ses_{(t + i) % 8}", 1))).Events);
            return mine;
        })).ToList();
        start.SetResult();
        var acknowledged = (await Task.WhenAll(appenders)).SelectMany(x => x).ToList();

        var all = await store.ReadAllAsync(0, 10_000);
        all.Select(e => e.Seq).Should().Equal(Enumerable.Range(1, 3200).Select(i => (long)i));
        acknowledged.Select(e => e.Seq).Should().OnlyHaveUniqueItems().And.HaveCount(3200);
        foreach (var stream in all.GroupBy(e => e.Stream))
        {
            var events = stream.OrderBy(e => e.Seq).ToList();
            events.Select(e => e.StreamSeq).Should().Equal(Enumerable.Range(1, events.Count).Select(i => (long)i));
            events[0].PrevHash.Should().Be(EventChain.GenesisHash);
            for (var i = 1; i < events.Count; i++) events[i].PrevHash.Should().Be(events[i - 1].Hash);
        }
        all.GroupBy(e => e.Stream).Should().HaveCount(8);
        (await store.VerifyAsync()).Should().Be(new TranscriptVerification(3200, 8));
        store.HeadSeq.Should().Be(3200);
        output.WriteLine($"3200 appends in {store.CommitCount} commits");
        store.CommitCount.Should().BeLessThan(3200, "waiting requests are committed together");
    }

    [Fact]
    public async Task A_request_whose_Apply_throws_is_rolled_back_alone_and_the_log_stays_gapless()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir, NotesMigration));
        await store.AppendAsync(Append("ses_a", 1));
        var (blocker, gate) = await HoldWriterAsync(store);
        var commitsBefore = store.CommitCount;

        var good1 = store.AppendAsync(Append("ses_a", 2, apply: WriteNote("good1")));
        var bad = store.AppendAsync(new AppendRequest(T0, [new StreamAppend("ses_a", [Draft("bad", 1)]), new StreamAppend("ses_bad", [Draft("bad", 2)])])
        {
            Apply = ctx =>
            {
                WriteNote("bad")(ctx);
                throw new InvalidOperationException("refused by the read model");
            },
        });
        var good2 = store.AppendAsync(Append("ses_a", 1, apply: WriteNote("good2")));
        gate.Release();
        await blocker;

        (await good1).Events.Select(e => e.Seq).Should().Equal(2, 3);
        (await bad.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>()).WithMessage("refused by the read model");
        var last = await good2;
        last.Events.Single().Seq.Should().Be(4, "the failed request's seq numbers are reused");
        last.Events.Single().StreamSeq.Should().Be(4);
        last.Value.Should().Be("good2");
        store.CommitCount.Should().Be(commitsBefore + 2, "the held write committed, then the three requests shared one commit");

        var all = await store.ReadAllAsync(0, 100);
        all.Select(e => e.Seq).Should().Equal(1, 2, 3, 4);
        all.Should().NotContain(e => e.Type == "bad" || e.Stream == "ses_bad");
        (await store.GetStreamHeadAsync("ses_bad")).Should().BeNull();
        (await CountAsync(store, "SELECT count(*) FROM notes WHERE body = 'bad'")).Should().Be(0);
        (await CountAsync(store, "SELECT count(*) FROM notes WHERE body IN ('good1', 'good2')")).Should().Be(2);
        (await store.VerifyAsync()).EventCount.Should().Be(4);

        // The writer's cached head of ses_a must be the committed one: the next append links to seq 4.
        var next = await store.AppendAsync(Append("ses_a", 1));
        next.Events[0].PrevHash.Should().Be(last.Events[0].Hash);
    }

    [Fact]
    public async Task A_request_whose_insert_fails_is_rolled_back_alone()
    {
        const string poison = "CREATE TRIGGER refuse_poison BEFORE INSERT ON events WHEN NEW.type = 'poison' BEGIN SELECT RAISE(ABORT, 'poison refused'); END;";
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir, NotesMigration, poison));
        var (blocker, gate) = await HoldWriterAsync(store);

        var before = store.AppendAsync(Append("ses_a", 1));
        // The first event inserts, the second is refused: the first must go too.
        var poisoned = store.AppendAsync(new AppendRequest(T0, [new StreamAppend("ses_a", [Draft("fine", 1), Draft("poison", 2)])]));
        var foreignKey = store.AppendAsync(Append("ses_c", 1, apply: ctx =>
            ctx.CreateCommand("INSERT INTO notes (seq, body) VALUES (999, 'dangling');").ExecuteNonQuery()));
        var after = store.AppendAsync(Append("ses_b", 1));
        gate.Release();
        await blocker;

        (await before).Events.Single().Seq.Should().Be(1);
        (await poisoned.Invoking(t => t).Should().ThrowAsync<SqliteException>()).Which.Message.Should().Contain("poison refused");
        (await foreignKey.Invoking(t => t).Should().ThrowAsync<SqliteException>()).Which.Message.Should().Contain("FOREIGN KEY");
        (await after).Events.Single().Seq.Should().Be(2);
        (await store.ReadAllAsync(0, 10)).Select(e => (e.Seq, e.Stream, e.Type)).Should().Equal((1, "ses_a", "test.event"), (2, "ses_b", "test.event"));
        (await store.AppendAsync(Append("ses_a", 1))).Events[0].StreamSeq.Should().Be(2);
        (await store.AppendAsync(Append("ses_c", 1))).Events[0].StreamSeq.Should().Be(1);
    }

    [Fact]
    public async Task A_failed_commit_fails_every_request_of_the_batch_and_leaves_nothing()
    {
        // A deferred foreign key is checked only at COMMIT: a reliable way to make a real COMMIT fail.
        const string deferred = "CREATE TABLE deferred_notes (seq INTEGER NOT NULL REFERENCES events (seq) DEFERRABLE INITIALLY DEFERRED) STRICT;";
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir, deferred));
        var committed = new List<long>();
        store.Committed += events => committed.AddRange(events.Select(e => e.Seq));
        var first = await store.AppendAsync(Append("ses_a", 1));
        var (blocker, gate) = await HoldWriterAsync(store);

        var innocent = store.AppendAsync(Append("ses_a", 2));
        var culprit = store.AppendAsync(Append("ses_b", 1, apply: ctx =>
            ctx.CreateCommand("INSERT INTO deferred_notes (seq) VALUES (999);").ExecuteNonQuery()));
        var bystander = store.AppendAsync(Append("ses_c", 1));
        gate.Release();
        await blocker;

        foreach (var task in new[] { innocent, culprit, bystander })
            (await task.Invoking(t => t).Should().ThrowAsync<SqliteException>()).Which.Message.Should().Contain("FOREIGN KEY");
        store.HeadSeq.Should().Be(1);
        (await store.ReadAllAsync(0, 100)).Select(e => e.Seq).Should().Equal(1);

        // No uncommitted head survived in memory: the chains continue from what is on disk.
        var next = await store.AppendAsync(new AppendRequest(T0, [new StreamAppend("ses_a", [Draft("t", 1)]), new StreamAppend("ses_b", [Draft("t", 1)])]));
        next.Events.Select(e => (e.Seq, e.StreamSeq)).Should().Equal((2, 2), (3, 1));
        next.Events[0].PrevHash.Should().Be(first.Events[0].Hash);
        next.Events[1].PrevHash.Should().Be(EventChain.GenesisHash);
        await store.WriteAsync(_ => 0);
        committed.Should().Equal(1, 2, 3);
        (await store.VerifyAsync()).EventCount.Should().Be(3);
    }

    [Fact]
    public async Task A_request_cancelled_while_queued_is_never_written()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir));
        var (blocker, gate) = await HoldWriterAsync(store);
        using var cts = new CancellationTokenSource();

        var cancelled = store.AppendAsync(Append("ses_a", 1), cts.Token);
        var kept = store.AppendAsync(Append("ses_b", 1));
        await cts.CancelAsync();
        gate.Release();
        await blocker;

        await cancelled.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        (await kept).Events.Single().Seq.Should().Be(1);
        (await store.GetStreamHeadAsync("ses_a")).Should().BeNull();
    }

    [Fact]
    public async Task Batches_are_capped_at_MaxBatchSize()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir) with { MaxBatchSize = 4 });
        var (blocker, gate) = await HoldWriterAsync(store);
        var commitsBefore = store.CommitCount;
        var queued = Enumerable.Range(0, 10).Select(i => store.AppendAsync(Append("ses_a", 1))).ToList();
        gate.Release();
        await blocker;
        await Task.WhenAll(queued);

        store.CommitCount.Should().Be(commitsBefore + 1 + 3, "the held write, then 10 requests in batches of 4, 4 and 2");
        store.HeadSeq.Should().Be(10);
    }
}
