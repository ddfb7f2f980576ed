using System.Security.Cryptography;
using System.Text.Json.Nodes;
using FluentAssertions;
using Npgsql;
using Pact.Store.Postgres;
using Pact.Store.ReadModels;
using Pact.Tests.Shared;

namespace Pact.Store.Tests.Postgres;

/// <summary>Row seals on PostgreSQL: kept by triggers under a key only the writer's session holds.</summary>
public sealed class PostgresRowSealTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    [PostgresFact]
    public async Task The_SQL_HMAC_is_HMAC_SHA256_for_short_long_and_empty_keys()
    {
        var options = await OpenAsync();
        await using var log = await PostgresEventLog.OpenAsync(options);
        await using var connection = new NpgsqlConnection(options.ConnectionString);
        await connection.OpenAsync();
        foreach (var keyLength in new[] { 0, 1, 32, 64, 65, 200 })
        {
            var key = RandomNumberGenerator.GetBytes(keyLength);
            var message = RandomNumberGenerator.GetBytes(keyLength * 3 + 1);
            await using var command = new NpgsqlCommand("SELECT pact_hmac_sha256($1, $2)", connection);
            command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = key });
            command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = message });
            ((byte[])(await command.ExecuteScalarAsync())!).Should().Equal(HMACSHA256.HashData(key, message), $"a {keyLength}-byte key");
        }
    }

    [PostgresFact]
    public async Task The_writer_seals_the_rows_it_writes_and_a_session_without_the_key_cannot_write_them()
    {
        var options = await OpenAsync();
        await using var log = await PostgresEventLog.OpenAsync(options);
        var agent = new AgentRecord("did:key:z6MkA", "pk", new JsonObject { ["name"] = "Ann" }, null, "2026-11-21T00:00:00.000Z");
        await log.WriteAsync(c => AgentDirectory.Insert(c, agent));
        await new AgentDirectory(log).CreateInviteAsync("inv_1", "2026-12-01T00:00:00.000Z", CancellationToken.None);
        await log.WriteAsync(c => AgentDirectory.ConsumeInvite(c, "inv_1", agent.AgentId, Requests.T0));

        await using var other = new NpgsqlConnection(options.ConnectionString);
        await other.OpenAsync();
        // Recomputed with the key in this session: every row carries the seal of what it holds.
        await Execute(other, $"SELECT set_config('pact.seal_key', 'k:{Pact.Core.Encoding.Hex.Encode(Key)}', false)");
        (await Scalar(other, "SELECT count(*) FROM agents WHERE seal = pact_seal('agents', did, public_key, principal, display_name, registered_at)")).Should().Be(1L);
        (await Scalar(other, "SELECT count(*) FROM invites WHERE used_by IS NOT NULL AND seal = pact_seal('invites', code, expires_at, used_by, used_at)")).Should().Be(1L);
        // A row changed behind the writer's back (here with the triggers bypassed) no longer matches.
        await Execute(other, "SET session_replication_role = replica; UPDATE agents SET public_key = 'forged'; SET session_replication_role = DEFAULT");
        (await Scalar(other, "SELECT count(*) FROM agents WHERE seal = pact_seal('agents', did, public_key, principal, display_name, registered_at)")).Should().Be(0L);

        await using var keyless = new NpgsqlConnection(options.ConnectionString);
        await keyless.OpenAsync();
        foreach (var sql in new[] { "UPDATE agents SET display_name = 'x'", "INSERT INTO invites(code, expires_at) VALUES ('inv_2', 'x')" })
        {
            var write = () => Execute(keyless, sql);
            await write.Should().ThrowAsync<PostgresException>().WithMessage("*sealed*", sql);
        }
    }

    private static async Task<PostgresStoreOptions> OpenAsync() => new()
    {
        ConnectionString = await PostgresServer.CreateDatabaseAsync(),
        Migrations = PostgresReadModelSchema.Migrations,
        SealKey = Key,
    };

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> Scalar(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
