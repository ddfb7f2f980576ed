using FluentAssertions;
using static Pact.Store.Tests.Requests;

namespace Pact.Store.Tests;

public sealed class MigrationTests : IDisposable
{
    private const string Agents = "CREATE TABLE agents (did TEXT PRIMARY KEY, name TEXT NOT NULL) STRICT;";
    private const string SeedAgent = "INSERT INTO agents (did, name) VALUES ('did:key:z6Mk', 'seed');";
    private const string Tokens = "CREATE TABLE tokens (hash TEXT PRIMARY KEY, did TEXT NOT NULL REFERENCES agents (did)) STRICT;";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Migrations_are_applied_once_in_order_and_user_version_counts_them_all()
    {
        await using (var store = await SqliteEventLog.OpenAsync(Options(_dir, Agents, SeedAgent)))
        {
            (await store.GetPragmasAsync()).UserVersion.Should().Be(3, "one store migration and two of the daemon's");
            (await CountAsync(store, "SELECT count(*) FROM agents")).Should().Be(1);
        }

        await using (var store = await SqliteEventLog.OpenAsync(Options(_dir, Agents, SeedAgent)))
        {
            (await store.GetPragmasAsync()).UserVersion.Should().Be(3);
            (await CountAsync(store, "SELECT count(*) FROM agents")).Should().Be(1, "the seed ran only the first time");
        }

        await using (var store = await SqliteEventLog.OpenAsync(Options(_dir, Agents, SeedAgent, Tokens)))
        {
            (await store.GetPragmasAsync()).UserVersion.Should().Be(4);
            (await CountAsync(store, "SELECT count(*) FROM agents")).Should().Be(1);
            (await CountAsync(store, "SELECT count(*) FROM sqlite_schema WHERE name = 'tokens'")).Should().Be(1);
            (await CountAsync(store, "SELECT count(*) FROM schema_migrations")).Should().Be(4);
        }
    }

    [Fact]
    public async Task A_failing_migration_leaves_the_schema_at_the_last_good_version()
    {
        var open = () => SqliteEventLog.OpenAsync(Options(_dir, Agents, "CREATE TABLE broken (x INTEGER); INSERT INTO nowhere VALUES (1);"));
        await open.Should().ThrowAsync<Microsoft.Data.Sqlite.SqliteException>();

        await using var store = await SqliteEventLog.OpenAsync(Options(_dir, Agents));
        (await store.GetPragmasAsync()).UserVersion.Should().Be(2);
        (await CountAsync(store, "SELECT count(*) FROM sqlite_schema WHERE name = 'broken'")).Should().Be(0, "the failed migration's transaction was rolled back");
    }

    [Fact]
    public async Task An_edited_or_missing_migration_is_refused_at_open()
    {
        await using (await SqliteEventLog.OpenAsync(Options(_dir, Agents, Tokens))) { }

        var edited = () => SqliteEventLog.OpenAsync(Options(_dir, Agents, Tokens.Replace("hash", "digest", StringComparison.Ordinal)));
        (await edited.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*migration 3 differs*");

        var older = () => SqliteEventLog.OpenAsync(Options(_dir, Agents));
        (await older.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*schema version 3*");

        // A failed open must not keep the file locked.
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir, Agents, Tokens.ReplaceLineEndings("\r\n")));
        (await store.GetPragmasAsync()).UserVersion.Should().Be(3);
    }
}
