using System.Collections.Concurrent;
using FluentAssertions;
using Npgsql;
using Pact.Core.Events;
using Pact.Store.Postgres;
using static Pact.Store.Tests.Requests;
using Pact.Tests.Shared;

namespace Pact.Store.Tests.Postgres;

/// <summary>Another instance's view of the log: every committed event raised once, in order, whatever happens to notifications.</summary>
public sealed class PostgresLogFollowerTests
{
    [PostgresFact]
    public async Task A_follower_raises_every_committed_event_once_in_seq_order_including_those_before_it_started()
    {
        var connection = await PostgresServer.CreateDatabaseAsync();
        await using var writer = await PostgresEventLog.OpenAsync(new PostgresStoreOptions { ConnectionString = connection });
        await writer.AppendAsync(Append("ses_early", 3));

        var seen = new ConcurrentQueue<TranscriptEvent>();
        // A long catch-up interval: only notifications can make it read promptly.
        await using var follower = new PostgresLogFollower(connection, afterSeq: 1, catchUpInterval: TimeSpan.FromMinutes(5));
        follower.Committed += batch => { foreach (var e in batch) seen.Enqueue(e); };
        follower.Start();

        var appended = new List<TranscriptEvent>();
        var writes = Enumerable.Range(0, 20).Select(i => writer.AppendAsync(Append("ses_" + (i % 4), 1 + (i % 3)))).ToList();
        foreach (var w in writes) appended.AddRange((await w).Events);

        await WaitUntilAsync(() => follower.HeadSeq == writer.HeadSeq);
        seen.Select(e => e.Seq).Should().Equal(Enumerable.Range(2, (int)writer.HeadSeq - 1).Select(i => (long)i));
        seen.Where(e => e.Seq > 3).Select(e => e.Hash).Should().Equal(appended.OrderBy(e => e.Seq).Select(e => e.Hash));
    }

    [PostgresFact]
    public async Task A_follower_whose_connection_is_killed_reconnects_and_catches_up_without_loss_or_repeat()
    {
        var connection = await PostgresServer.CreateDatabaseAsync();
        await using var writer = await PostgresEventLog.OpenAsync(new PostgresStoreOptions { ConnectionString = connection });
        var seen = new ConcurrentQueue<long>();
        await using var follower = new PostgresLogFollower(connection, afterSeq: 0, catchUpInterval: TimeSpan.FromMinutes(5));
        follower.Committed += batch => { foreach (var e in batch) seen.Enqueue(e.Seq); };
        follower.Start();
        await writer.AppendAsync(Append("ses_a", 2));
        await WaitUntilAsync(() => follower.HeadSeq == 2);

        await using (var admin = new NpgsqlConnection(connection))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pact-follower' AND datname = current_database()", admin);
            (await kill.ExecuteScalarAsync()).Should().Be(true);
        }
        // Committed while the follower is disconnected: its notifications are lost, its catch-up on reconnect is not.
        await writer.AppendAsync(Append("ses_a", 3));
        await writer.AppendAsync(Append("ses_b", 1));

        await WaitUntilAsync(() => follower.HeadSeq == 6);
        seen.Should().Equal(1L, 2L, 3L, 4L, 5L, 6L);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The follower did not catch up within 20 s.");
            await Task.Delay(20);
        }
    }
}
