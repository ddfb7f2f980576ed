using FluentAssertions;
using Microsoft.Data.Sqlite;
using Pact.Core.Events;
using static Pact.Store.Tests.Requests;

namespace Pact.Store.Tests;

public sealed class LifecycleTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Reopening_continues_the_global_seq_and_every_stream_chain()
    {
        var options = Options(_dir);
        TranscriptEvent lastA;
        await using (var store = await SqliteEventLog.OpenAsync(options))
        {
            await store.AppendAsync(Append("ses_b", 2));
            lastA = (await store.AppendAsync(Append("ses_a", 3))).Events[^1];
        }

        await using var reopened = await SqliteEventLog.OpenAsync(options);
        reopened.HeadSeq.Should().Be(5);
        var next = (await reopened.AppendAsync(Append("ses_a", 1, T0.AddMinutes(-1)))).Events.Single();

        next.Seq.Should().Be(6);
        next.StreamSeq.Should().Be(4);
        next.PrevHash.Should().Be(lastA.Hash);
        next.Time.Should().Be(lastA.Time, "the stream's previous time, loaded from disk, still bounds the clock");
        (await reopened.VerifyAsync()).Should().Be(new TranscriptVerification(6, 2));
    }

    [Fact]
    public async Task Dispose_commits_every_queued_request_and_later_appends_are_refused()
    {
        var options = Options(_dir);
        var store = await SqliteEventLog.OpenAsync(options);
        var queued = Enumerable.Range(0, 300).Select(i => store.AppendAsync(Append($"ses_{i % 5}", 1))).ToList();

        await store.DisposeAsync();

        queued.Should().OnlyContain(t => t.IsCompletedSuccessfully, "dispose drains the queue instead of dropping it");
        await store.Invoking(s => s.AppendAsync(Append("ses_a", 1))).Should().ThrowAsync<ObjectDisposedException>();
        await store.Invoking(s => s.WriteAsync(_ => 1)).Should().ThrowAsync<ObjectDisposedException>();
        await store.Invoking(s => s.ReadAllAsync(0, 1)).Should().ThrowAsync<ObjectDisposedException>();
        await store.DisposeAsync(); // twice is harmless

        await using var reopened = await SqliteEventLog.OpenAsync(options);
        reopened.HeadSeq.Should().Be(300);
        (await reopened.ReadAllAsync(0, 1000)).Select(e => e.Seq)
            .Should().BeEquivalentTo((await Task.WhenAll(queued)).SelectMany(r => r.Events).Select(e => e.Seq));
    }

    [Fact]
    public async Task Nothing_is_opened_until_OpenAsync_and_nothing_is_used_before()
    {
        await using var log = new SqliteEventLog(Options(_dir));

        File.Exists(_dir.File("pact.db")).Should().BeFalse("creating the log only checks its options");
        await log.Invoking(l => l.AppendAsync(Append("ses_a", 1))).Should().ThrowAsync<InvalidOperationException>().WithMessage("*is not open yet*");
        await log.Invoking(l => l.ReadAllAsync(0, 1)).Should().ThrowAsync<InvalidOperationException>().WithMessage("*is not open yet*");

        await log.OpenAsync();

        (await log.AppendAsync(Append("ses_a", 2))).Events.Should().HaveCount(2);
        await log.Invoking(l => l.OpenAsync()).Should().ThrowAsync<InvalidOperationException>().WithMessage("*already opened*");
    }

    [Fact]
    public async Task A_store_is_opened_by_its_owner_and_one_never_opened_disposes_quietly()
    {
        await using (var never = new SqlitePactStore(Options(_dir)))
            await never.Invoking(s => s.ReadAllAsync(0, 1)).Should().ThrowAsync<InvalidOperationException>().WithMessage("*is not open yet*");
        File.Exists(_dir.File("pact.db")).Should().BeFalse();

        await using var store = new SqlitePactStore(Options(_dir));
        await store.OpenAsync();

        (await store.ReadAllAsync(0, 1)).Should().BeEmpty();
        (await store.GetDiagnosticsAsync()).Engine.Should().Be("sqlite");
    }

    [Theory]
    [InlineData("FULL", 2)]
    [InlineData("normal", 1)]
    public async Task Pragmas_are_set_and_read_back(string synchronous, long expected)
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir, NotesMigration) with { Synchronous = synchronous });

        var pragmas = await store.GetPragmasAsync();

        pragmas.Should().Be(new SqlitePragmas("wal", expected, true, 5000, 2, TempStore: 2, WalAutocheckpointPages: 10_000, WalSizeLimitBytes: 64L << 20));
    }

    [Fact]
    public async Task Synchronous_other_than_FULL_or_NORMAL_is_refused()
    {
        var open = () => SqliteEventLog.OpenAsync(Options(_dir) with { Synchronous = "OFF" });
        (await open.Should().ThrowAsync<ArgumentException>()).WithMessage("*FULL or NORMAL*");
        File.Exists(_dir.File("pact.db")).Should().BeFalse();
    }

    [Fact]
    public async Task Refused_options_fail_the_returned_task_rather_than_the_call()
    {
        var log = SqliteEventLog.OpenAsync(Options(_dir) with { Synchronous = "OFF" });
        var store = SqlitePactStore.OpenAsync(Options(_dir) with { MaxBatchSize = 0 });

        // A caller that starts the open and awaits it later gets the refusal from the task, like any failed open.
        await log.Invoking(t => t).Should().ThrowAsync<ArgumentException>();
        await store.Invoking(t => t).Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task A_second_store_on_the_same_file_is_refused_while_the_first_is_open()
    {
        var options = Options(_dir);
        await using (var first = await SqliteEventLog.OpenAsync(options))
        {
            var second = () => SqliteEventLog.OpenAsync(options);
            (await second.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*already open*");
            await first.AppendAsync(Append("ses_a", 1));
        }
        await using var again = await SqliteEventLog.OpenAsync(options);
        again.HeadSeq.Should().Be(1);
    }

    [Fact]
    public async Task Missing_directories_are_created()
    {
        var options = new PactStoreOptions { DatabasePath = Path.Combine(_dir.Path, "a", "b", "pact.db") };
        await using var store = await SqliteEventLog.OpenAsync(options);
        (await store.AppendAsync(Append("ses_a", 1))).Events.Single().Seq.Should().Be(1);
        File.Exists(options.DatabasePath).Should().BeTrue();
    }

    [Fact]
    public async Task Read_connections_cannot_write()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir, NotesMigration));
        await using var connection = await store.OpenReadConnectionAsync();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO notes (seq, body) VALUES (1, 'x');";
        command.Invoking(c => c.ExecuteNonQuery()).Should().Throw<SqliteException>().Which.SqliteErrorCode.Should().Be(8); // SQLITE_READONLY
    }
}
