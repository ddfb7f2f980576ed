using FluentAssertions;
using Microsoft.Data.Sqlite;
using static Pact.Store.Tests.Requests;

namespace Pact.Store.Tests;

public sealed class StatementCacheTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_writer_command_is_prepared_once_and_reused_by_later_requests_with_fresh_parameters()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir, NotesMigration));
        await store.AppendAsync(Append("ses_a", 2));
        const string insert = "INSERT INTO notes(seq, body) VALUES ($seq, $body)";

        var first = await store.WriteAsync(context =>
        {
            using var command = context.CreateCommand(insert);
            command.Parameters.AddWithValue("$seq", 1);
            command.Parameters.AddWithValue("$body", "one");
            command.ExecuteNonQuery();
            return command;
        });
        var second = await store.WriteAsync(context =>
        {
            using var command = context.CreateCommand(insert);
            // Back from the cache with no parameters left over from the first request.
            command.Parameters.Count.Should().Be(0);
            command.Parameters.AddWithValue("$seq", 2);
            command.Parameters.AddWithValue("$body", "two");
            command.ExecuteNonQuery();
            return command;
        });

        second.Should().BeSameAs(first);
        var bodies = await store.ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT group_concat(body, ',') FROM (SELECT body FROM notes ORDER BY seq)";
            return (string)command.ExecuteScalar()!;
        });
        bodies.Should().Be("one,two");
    }

    [Fact]
    public async Task The_same_statement_used_again_while_its_reader_is_open_gets_a_separate_command()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir));
        await store.AppendAsync(Append("ses_a", 3));
        const string select = "SELECT seq FROM events WHERE seq >= $from ORDER BY seq";

        var pairs = await store.WriteAsync(context =>
        {
            var seen = new List<(long Outer, long Inner)>();
            using var outer = context.CreateCommand(select);
            outer.Parameters.AddWithValue("$from", 1);
            using var reader = outer.ExecuteReader();
            while (reader.Read())
            {
                using var inner = context.CreateCommand(select);
                inner.Should().NotBeSameAs(outer);
                inner.Parameters.AddWithValue("$from", reader.GetInt64(0) + 1);
                seen.Add((reader.GetInt64(0), Convert.ToInt64(inner.ExecuteScalar() ?? 0L, System.Globalization.CultureInfo.InvariantCulture)));
            }
            return seen;
        });

        pairs.Should().Equal((1L, 2L), (2L, 3L), (3L, 0L));
    }

    [Fact]
    public async Task A_request_that_fails_after_using_a_cached_command_leaves_it_usable_for_the_next()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir, NotesMigration));
        await store.AppendAsync(Append("ses_a", 1));
        const string insert = "INSERT INTO notes(seq, body) VALUES ($seq, $body)";

        var failing = () => store.WriteAsync<int>(context =>
        {
            using var command = context.CreateCommand(insert);
            command.Parameters.AddWithValue("$seq", 999); // no such event: the foreign key refuses it
            command.Parameters.AddWithValue("$body", "orphan");
            return command.ExecuteNonQuery();
        });
        await failing.Should().ThrowAsync<SqliteException>();

        var rows = await store.WriteAsync(context =>
        {
            using var command = context.CreateCommand(insert);
            command.Parameters.AddWithValue("$seq", 1);
            command.Parameters.AddWithValue("$body", "kept");
            return command.ExecuteNonQuery();
        });
        rows.Should().Be(1);
    }

    [Fact]
    public async Task A_reader_left_open_is_closed_when_its_command_goes_back_so_the_statement_stays_usable()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir));
        await store.AppendAsync(Append("ses_a", 3));
        const string select = "SELECT seq FROM events ORDER BY seq";

        await store.WriteAsync(context =>
        {
            using var command = context.CreateCommand(select);
            var reader = command.ExecuteReader(); // deliberately not disposed
            return reader.Read();
        });
        var count = await store.WriteAsync(context =>
        {
            using var command = context.CreateCommand(select);
            using var reader = command.ExecuteReader();
            var n = 0;
            while (reader.Read()) n++;
            return n;
        });

        count.Should().Be(3);
    }
}
