using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Npgsql;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Tests.Shared;

namespace Pact.Daemon.Tests.Postgres;

/// <summary>
/// A database server that gives no connection (too many clients, starting, stopping) is the server's state, not a fault
/// of the request: the answer is a retryable 503 ProblemDetails with Retry-After, never a 500, and it recovers by itself.
/// </summary>
public sealed class StoreUnavailableTests
{
    [PostgresFact]
    public async Task A_read_the_server_refuses_a_connection_for_answers_503_with_Retry_After_and_the_next_one_after_it_allows_them_200()
    {
        // Without pooling every read opens a connection, so refusing new ones refuses the next read (the writer's own
        // session stays open, as a pooled idle connection would).
        var connectionString = new NpgsqlConnectionStringBuilder(await PostgresServer.CreateDatabaseAsync()) { Pooling = false };
        await using var host = await DaemonHost.StartAsync(settings: new Dictionary<string, string>
        {
            ["Pact:Store:Provider"] = "postgres",
            ["Pact:Store:ConnectionString"] = connectionString.ConnectionString,
        });
        using var http = host.CreateHttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DaemonHost.AdminToken);
        (await http.GetAsync("/v1/sessions")).StatusCode.Should().Be(HttpStatusCode.OK);

        await AllowConnectionsAsync(connectionString, false);
        try
        {
            using var refused = await http.GetAsync("/v1/sessions");
            refused.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, await refused.Content.ReadAsStringAsync());
            refused.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
            refused.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(1));
            var problem = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
            problem["code"]!.GetValue<string>().Should().Be("PACT-503");
            problem["detail"]!.GetValue<string>().Should().Contain("did not give the daemon a connection").And.NotContain("Npgsql");
        }
        finally
        {
            await AllowConnectionsAsync(connectionString, true);
        }
        (await http.GetAsync("/v1/sessions")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private static async Task AllowConnectionsAsync(NpgsqlConnectionStringBuilder database, bool allow)
    {
        var admin = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Database = "postgres" };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"ALTER DATABASE \"{database.Database}\" WITH ALLOW_CONNECTIONS {(allow ? "true" : "false")}", connection);
        await command.ExecuteNonQueryAsync();
    }
}
