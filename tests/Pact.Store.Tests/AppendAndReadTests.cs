using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.Data.Sqlite;
using Pact.Core.Events;
using Pact.Core.Json;
using static Pact.Store.Tests.Requests;

namespace Pact.Store.Tests;

public sealed class AppendAndReadTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Appended_events_read_back_identical_and_hash_chained()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir));

        var first = await store.AppendAsync(Append("ses_a", 3));
        var second = await store.AppendAsync(new AppendRequest(T0.AddSeconds(1), [
            new StreamAppend("ses_b", [Draft("b.one", 1)]),
            new StreamAppend("ses_a", [Draft("a.four", 4)]),
        ]));

        first.Events.Select(e => e.Seq).Should().Equal(1, 2, 3);
        second.Events.Select(e => (e.Seq, e.Stream, e.StreamSeq)).Should().Equal((4, "ses_b", 1), (5, "ses_a", 4));
        store.HeadSeq.Should().Be(5);

        var streamA = await store.ReadStreamAsync("ses_a", 0, 100);
        streamA.Select(e => e.StreamSeq).Should().Equal(1, 2, 3, 4);
        streamA.Select(e => e.Seq).Should().Equal(1, 2, 3, 5);
        streamA[0].PrevHash.Should().Be(EventChain.GenesisHash);
        for (var i = 1; i < streamA.Count; i++) streamA[i].PrevHash.Should().Be(streamA[i - 1].Hash);
        streamA.Should().OnlyContain(e => e.RecomputeHash() == e.Hash);
        streamA[0].Time.Should().Be("2026-11-21T22:33:31.123Z");
        streamA[3].Time.Should().Be("2026-11-21T22:33:32.123Z");
        streamA[3].Type.Should().Be("a.four");
        streamA[3].Actor.Should().Be("daemon");

        // What the caller got back is exactly what any reader gets later.
        var all = await store.ReadAllAsync(0, 100);
        all.Select(e => e.Seq).Should().Equal(1, 2, 3, 4, 5);
        all.Select(e => e.ToJson().ToJsonString())
            .Should().Equal(first.Events.Concat(second.Events).Select(e => e.ToJson().ToJsonString()));
        Jcs.CanonicalString(all[3].Data).Should().Be(Jcs.CanonicalString(Draft("b.one", 1).Data));

        (await store.GetBySeqAsync(4))!.Stream.Should().Be("ses_b");
        (await store.GetBySeqAsync(6)).Should().BeNull();
        (await store.GetStreamHeadAsync("ses_a")).Should().Be((4L, streamA[3].Hash));
        (await store.GetStreamHeadAsync("ses_none")).Should().BeNull();
        (await store.VerifyAsync()).Should().Be(new TranscriptVerification(5, 2));
    }

    [Fact]
    public async Task Data_is_stored_as_its_canonical_text()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir));
        var data = new JsonObject { ["b"] = 2.0, ["a"] = "x", ["c"] = 1e21 };
        await store.AppendAsync(new AppendRequest(T0, [new StreamAppend("ses_a", [new EventDraft("t", "daemon", data)])]));

        var stored = await store.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT data FROM events WHERE seq = 1;";
            return (string)command.ExecuteScalar()!;
        });
        stored.Should().Be("""{"a":"x","b":2,"c":1e+21}""");
    }

    [Fact]
    public async Task Event_time_never_goes_back_within_a_stream()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir));
        await store.AppendAsync(Append("ses_a", 1, T0));
        var earlier = await store.AppendAsync(new AppendRequest(T0.AddMinutes(-5), [
            new StreamAppend("ses_a", [Draft("t", 2)]),
            new StreamAppend("ses_b", [Draft("t", 1)]),
        ]));

        earlier.Events[0].Time.Should().Be("2026-11-21T22:33:31.123Z", "ses_a already has an event at T0");
        earlier.Events[1].Time.Should().Be("2026-11-21T22:28:31.123Z", "ses_b has no earlier event");
        earlier.Events[0].RecomputeHash().Should().Be(earlier.Events[0].Hash);
    }

    [Fact]
    public async Task Paging_by_after_and_limit_walks_streams_and_the_global_log_in_order()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir));
        for (var i = 0; i < 7; i++)
            await store.AppendAsync(new AppendRequest(T0, [new StreamAppend("ses_a", [Draft("a", i)]), new StreamAppend("ses_b", [Draft("b", i)])]));

        var pages = new List<IReadOnlyList<TranscriptEvent>>();
        long after = 0;
        while (true)
        {
            var page = await store.ReadStreamAsync("ses_b", after, 3);
            if (page.Count == 0) break;
            pages.Add(page);
            after = page[^1].StreamSeq;
        }
        pages.Select(p => p.Count).Should().Equal(3, 3, 1);
        pages.SelectMany(p => p).Select(e => e.StreamSeq).Should().Equal(1, 2, 3, 4, 5, 6, 7);
        pages.SelectMany(p => p).Should().OnlyContain(e => e.Stream == "ses_b");

        (await store.ReadAllAsync(10, 2)).Select(e => e.Seq).Should().Equal(11, 12);
        (await store.ReadAllAsync(13, 5)).Select(e => e.Seq).Should().Equal(14);
        (await store.ReadAllAsync(14, 5)).Should().BeEmpty();
        (await store.ReadStreamAsync("ses_a", 5, 10)).Select(e => e.StreamSeq).Should().Equal(6, 7);
    }

    [Fact]
    public async Task Committed_is_raised_once_per_event_in_seq_order()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir));
        var seen = new List<long>();
        var calls = 0;
        store.Committed += events =>
        {
            calls++;
            lock (seen) seen.AddRange(events.Select(e => e.Seq));
        };
        store.Committed += _ => throw new InvalidOperationException("a faulty subscriber must not hurt the writer");

        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++) await store.AppendAsync(Append($"ses_{t}", 2));
        })).ToList();
        await Task.WhenAll(tasks);
        // Committed fires after callers complete; a later write through the same writer is the barrier. It raises nothing itself.
        await store.WriteAsync(_ => 0);

        seen.Should().Equal(Enumerable.Range(1, 400).Select(i => (long)i));
        calls.Should().Be((int)store.CommitCount - 1);
    }

    [Fact]
    public async Task WriteAsync_runs_on_the_writer_and_returns_its_value_without_events()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir, NotesMigration));
        await store.AppendAsync(Append("ses_a", 1));

        var id = await store.WriteAsync(ctx =>
        {
            ctx.Events.Should().BeEmpty();
            using var command = ctx.CreateCommand("INSERT INTO notes (seq, body) VALUES (1, 'hello') RETURNING id;");
            return (long)command.ExecuteScalar()!;
        });

        id.Should().Be(1);
        store.HeadSeq.Should().Be(1);
        (await CountAsync(store, "SELECT count(*) FROM notes WHERE body = 'hello'")).Should().Be(1);
    }

    [Fact]
    public async Task Apply_sees_its_own_events_with_assigned_positions_and_its_value_is_returned()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir, NotesMigration));
        await store.AppendAsync(Append("ses_a", 2));

        var result = await store.AppendAsync(Append("ses_a", 2, apply: ctx =>
        {
            foreach (var e in ctx.Events)
            {
                using var command = ctx.CreateCommand("INSERT INTO notes (seq, body) VALUES ($seq, $hash);");
                command.Parameters.AddWithValue("$seq", e.Seq);
                command.Parameters.AddWithValue("$hash", e.Hash);
                command.ExecuteNonQuery();
            }
            return ctx.Events.Select(e => e.StreamSeq).ToArray();
        }));

        result.Value.Should().BeEquivalentTo(new long[] { 3, 4 });
        (await CountAsync(store, "SELECT count(*) FROM notes JOIN events USING (seq) WHERE notes.body = events.hash")).Should().Be(2);
    }

    [Fact]
    public async Task Stored_events_cannot_be_updated_or_deleted()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir));
        await store.AppendAsync(Append("ses_a", 1));

        var update = () => store.WriteAsync(ctx => ctx.CreateCommand("UPDATE events SET type = 'forged';").ExecuteNonQuery());
        var delete = () => store.WriteAsync(ctx => ctx.CreateCommand("DELETE FROM events;").ExecuteNonQuery());

        (await update.Should().ThrowAsync<SqliteException>()).Which.Message.Should().Contain("append-only");
        (await delete.Should().ThrowAsync<SqliteException>()).Which.Message.Should().Contain("append-only");
        (await store.ReadAllAsync(0, 10)).Single().Type.Should().Be("test.event");
    }

    [Fact]
    public async Task Reading_an_altered_event_fails_its_hash_check()
    {
        var options = Options(_dir);
        await using (var store = await SqliteEventLog.OpenAsync(options))
            await store.AppendAsync(Append("ses_a", 2));

        // Tamper behind the store's back, as someone with the file could.
        await using (var raw = new SqliteConnection($"Data Source={options.DatabasePath};Pooling=False"))
        {
            raw.Open();
            using var command = raw.CreateCommand();
            command.CommandText = """
                DROP TRIGGER events_append_only_update;
                UPDATE events SET data = replace(data, '"n":2', '"n":3') WHERE seq = 2;
                """;
            command.ExecuteNonQuery().Should().Be(1);
        }

        await using var reopened = await SqliteEventLog.OpenAsync(options);
        (await reopened.GetBySeqAsync(1))!.Seq.Should().Be(1);
        await reopened.Invoking(s => s.GetBySeqAsync(2)).Should().ThrowAsync<TranscriptIntegrityException>().WithMessage("*seq 2*");
        await reopened.Invoking(s => s.VerifyAsync()).Should().ThrowAsync<TranscriptIntegrityException>();
    }

    [Fact]
    public async Task Invalid_requests_are_refused_before_they_reach_the_writer()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir));
        await store.Invoking(s => s.AppendAsync(new AppendRequest(T0, [new StreamAppend("", [Draft("t", 1)])])))
            .Should().ThrowAsync<ArgumentException>();
        await store.Invoking(s => s.AppendAsync(new AppendRequest(T0, [new StreamAppend("ses_a", [new EventDraft("", "daemon", [])])])))
            .Should().ThrowAsync<ArgumentException>();
        await store.Invoking(s => s.ReadStreamAsync("ses_a", 0, 0)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        store.CommitCount.Should().Be(0);
    }
}
