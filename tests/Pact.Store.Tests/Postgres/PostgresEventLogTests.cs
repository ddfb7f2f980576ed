using FluentAssertions;
using Npgsql;
using Pact.Core.Events;
using Pact.Store.Postgres;
using static Pact.Store.Tests.Requests;
using Pact.Tests.Shared;

namespace Pact.Store.Tests.Postgres;

/// <summary>The PostgreSQL event log on a real server: what the SQLite log guarantees, and the writer role across instances.</summary>
public sealed class PostgresEventLogTests
{
    private static async Task<PostgresStoreOptions> NewDatabaseAsync(params string[] migrations) =>
        new() { ConnectionString = await PostgresServer.CreateDatabaseAsync(), Migrations = migrations };

    private const string NotesTable = "CREATE TABLE notes (id bigint PRIMARY KEY, seq bigint NOT NULL REFERENCES events (seq), body text NOT NULL);";

    [PostgresFact]
    public async Task Appends_get_a_gapless_seq_and_linked_chains_that_read_back_identical_and_verify()
    {
        await using var log = await PostgresEventLog.OpenAsync(await NewDatabaseAsync());
        var first = await log.AppendAsync(Append("ses_a", 3));
        var second = await log.AppendAsync(new AppendRequest(T0.AddSeconds(1),
            [new StreamAppend("ses_b", [Draft("test.event", 1)]), new StreamAppend("ses_a", [Draft("test.event", 4)])]));

        first.Events.Select(e => e.Seq).Should().Equal(1, 2, 3);
        second.Events.Select(e => (e.Seq, e.Stream, e.StreamSeq)).Should().Equal((4, "ses_b", 1), (5, "ses_a", 4));
        second.Events[1].PrevHash.Should().Be(first.Events[2].Hash);
        log.HeadSeq.Should().Be(5);

        var all = await log.ReadAllAsync(0, 100);
        all.Select(e => e.Hash).Should().Equal(first.Events.Concat(second.Events).Select(e => e.Hash));
        all[0].Data.ToJsonString().Should().Be(first.Events[0].Data.ToJsonString());
        (await log.ReadStreamAsync("ses_a", 1, 2)).Select(e => e.StreamSeq).Should().Equal(2, 3);
        (await log.GetStreamHeadAsync("ses_a")).Should().Be((4L, second.Events[1].Hash));
        (await log.GetStreamHeadAsync("ses_none")).Should().BeNull();
        (await log.GetBySeqAsync(4))!.Stream.Should().Be("ses_b");
        (await log.VerifyAsync()).Should().Be(new TranscriptVerification(5, 2));
    }

    [PostgresFact]
    public async Task The_Merkle_tree_roots_and_proofs_are_byte_identical_to_the_SQLite_store_fed_the_same_requests()
    {
        using var dir = new TempDirectory();
        await using var sqlite = await SqliteEventLog.OpenAsync(Options(dir));
        await using var postgres = await PostgresEventLog.OpenAsync(await NewDatabaseAsync());
        // 37 events in uneven requests: subtrees complete inside requests and across them.
        foreach (var size in new[] { 1, 2, 5, 1, 8, 3, 17 })
        {
            var request = Append("ses_" + size, size);
            (await sqlite.AppendAsync(request)).Events.Select(e => e.Hash)
                .Should().Equal((await postgres.AppendAsync(request)).Events.Select(e => e.Hash));
        }

        foreach (var size in new long[] { 1, 2, 3, 16, 31, 32, 37 })
        {
            (await postgres.RootAsync(size)).Should().Equal(await sqlite.RootAsync(size));
            (await postgres.ConsistencyProofAsync(1, size)).Should().BeEquivalentTo(await sqlite.ConsistencyProofAsync(1, size), o => o.WithStrictOrdering());
        }
        var leaves = Enumerable.Range(0, 37).Select(i => (long)i).ToList();
        (await postgres.InclusionProofsAsync(leaves, 37)).Should().BeEquivalentTo(await sqlite.InclusionProofsAsync(leaves, 37), o => o.WithStrictOrdering());
    }

    [PostgresFact]
    public async Task A_request_that_fails_in_a_group_commit_is_undone_alone_and_its_seqs_are_reused()
    {
        await using var log = await PostgresEventLog.OpenAsync(await NewDatabaseAsync(NotesTable));
        var gate = new SemaphoreSlim(0);
        var entered = new TaskCompletionSource();
        var holder = log.WriteAsync(_ =>
        {
            entered.SetResult();
            gate.Wait(TimeSpan.FromSeconds(30));
            return 0;
        });
        await entered.Task;
        // Queued while the writer is busy: taken as one batch afterwards.
        var ok1 = log.AppendAsync(Append("ses_a", 2), ctx => Note(ctx, 1));
        var bad = log.AppendAsync(Append("ses_b", 2), ctx => Note(ctx, 1)); // duplicate key: refused by the server
        var thrower = log.AppendAsync(Append("ses_c", 1), _ => throw new InvalidOperationException("its own work failed"));
        var ok2 = log.AppendAsync(Append("ses_b", 1), ctx => Note(ctx, 2));
        gate.Release();
        await holder;

        (await ok1).Events.Select(e => e.Seq).Should().Equal(1, 2);
        await FluentActions.Awaiting(() => bad).Should().ThrowAsync<PostgresException>().Where(e => e.SqlState == PostgresErrorCodes.UniqueViolation);
        await FluentActions.Awaiting(() => thrower).Should().ThrowAsync<InvalidOperationException>();
        (await ok2).Events.Should().ContainSingle().Which.Should().Match<TranscriptEvent>(e => e.Seq == 3 && e.StreamSeq == 1);
        log.CommitCount.Should().Be(2, "the holder's write, then one batch of four requests");
        (await log.VerifyAsync()).EventCount.Should().Be(3);
        (await log.RootAsync(3)).Should().HaveCount(32);
    }

    [PostgresFact]
    public async Task One_instance_at_a_time_holds_the_writer_role_and_the_next_continues_the_same_log()
    {
        var options = await NewDatabaseAsync();
        var first = await PostgresEventLog.OpenAsync(options);
        await first.AppendAsync(Append("ses_a", 3));

        var refused = () => PostgresEventLog.OpenAsync(options with { WriterLockTimeout = TimeSpan.FromMilliseconds(300) });
        await refused.Should().ThrowAsync<InvalidOperationException>().WithMessage("*holds the writer role*");

        var waiting = PostgresEventLog.OpenAsync(options with { WriterLockTimeout = TimeSpan.FromSeconds(20) });
        await Task.Delay(200);
        waiting.IsCompleted.Should().BeFalse("the first instance still writes");
        await first.DisposeAsync();
        await using var second = await waiting;

        second.HeadSeq.Should().Be(3);
        var next = await second.AppendAsync(Append("ses_a", 1));
        next.Events[0].Should().Match<TranscriptEvent>(e => e.Seq == 4 && e.StreamSeq == 4);
        (await second.VerifyAsync()).EventCount.Should().Be(4);
    }

    [PostgresFact]
    public async Task A_writer_whose_connection_is_killed_reconnects_takes_the_role_again_and_loses_nothing_acknowledged()
    {
        var options = await NewDatabaseAsync();
        await using var log = await PostgresEventLog.OpenAsync(options);
        await log.AppendAsync(Append("ses_a", 2));

        await using (var admin = new NpgsqlConnection(options.ConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pact-writer' AND datname = current_database()", admin);
            (await kill.ExecuteScalarAsync()).Should().Be(true);
        }

        // The batch that meets the dead connection fails unacknowledged; the writer then reconnects.
        var acknowledged = new List<TranscriptEvent>();
        for (var i = 0; i < 5; i++)
        {
            try
            {
                acknowledged.AddRange((await log.AppendAsync(Append("ses_b", 1))).Events);
            }
            catch (NpgsqlException)
            {
            }
        }
        acknowledged.Should().HaveCountGreaterThanOrEqualTo(4);
        var all = await log.ReadAllAsync(0, 100);
        all.Select(e => e.Seq).Should().Equal(Enumerable.Range(1, all.Count).Select(i => (long)i));
        all.Select(e => e.Hash).Should().Contain(acknowledged.Select(e => e.Hash));
        (await log.VerifyAsync()).EventCount.Should().Be(all.Count);
        (await log.RootAsync(all.Count)).Should().HaveCount(32);
    }

    [PostgresFact]
    public async Task Events_Merkle_nodes_and_checkpoints_cannot_be_changed_or_truncated()
    {
        var options = await NewDatabaseAsync();
        await using var log = await PostgresEventLog.OpenAsync(options);
        await log.AppendAsync(Append("ses_a", 2));
        await log.SaveLogCheckpointAsync(new SignedLogCheckpoint(2, await log.RootAsync(2), "note", "2026-12-06T00:00:00Z"));

        await using var admin = new NpgsqlConnection(options.ConnectionString);
        await admin.OpenAsync();
        foreach (var sql in new[]
        {
            "UPDATE events SET actor = 'x'", "DELETE FROM events", "TRUNCATE events CASCADE",
            "UPDATE merkle_nodes SET idx = idx + 100", "DELETE FROM log_checkpoints", "TRUNCATE log_checkpoints",
        })
        {
            await using var command = new NpgsqlCommand(sql, admin);
            await FluentActions.Awaiting(() => command.ExecuteNonQueryAsync()).Should().ThrowAsync<PostgresException>().WithMessage("*append-only*", sql);
        }
        (await log.VerifyAsync()).EventCount.Should().Be(2);
    }

    [PostgresFact]
    public async Task Reopening_continues_the_chains_and_keeps_checkpoints_and_a_newer_schema_is_refused()
    {
        var options = await NewDatabaseAsync();
        await using (var log = await PostgresEventLog.OpenAsync(options))
        {
            await log.AppendAsync(Append("ses_a", 3));
            await log.SaveLogCheckpointAsync(new SignedLogCheckpoint(3, await log.RootAsync(3), "note 3", "2026-12-06T00:00:00Z"));
        }
        await using (var log = await PostgresEventLog.OpenAsync(options with { Migrations = [NotesTable] }))
        {
            log.HeadSeq.Should().Be(3);
            (await log.AppendAsync(Append("ses_a", 1))).Events[0].StreamSeq.Should().Be(4);
            (await log.LatestLogCheckpointAsync())!.Note.Should().Be("note 3");
            (await log.GetLogCheckpointAsync(2)).Should().BeNull();
            (await log.ListLogCheckpointsAsync(0, 10)).Should().ContainSingle();
        }
        var older = () => PostgresEventLog.OpenAsync(options);
        await older.Should().ThrowAsync<InvalidOperationException>().WithMessage("*newer database*");
        var edited = () => PostgresEventLog.OpenAsync(options with { Migrations = [NotesTable + " -- edited"] });
        await edited.Should().ThrowAsync<InvalidOperationException>().WithMessage("*differs*");
    }

    private static long Note(PostgresAppendContext context, long id)
    {
        using var command = context.CreateCommand("INSERT INTO notes (id, seq, body) VALUES ($1, $2, 'x')");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = context.Events[0].Seq });
        command.ExecuteNonQuery();
        return id;
    }
}
