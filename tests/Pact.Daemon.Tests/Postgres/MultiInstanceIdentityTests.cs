using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Pact.Daemon.Hosting;
using Pact.Daemon.Instances;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Tests.Shared;

namespace Pact.Daemon.Tests.Postgres;

/// <summary>Instances on one database must be one daemon (ADR 0013): an instance with another key refuses to start.</summary>
public sealed class MultiInstanceIdentityTests
{
    [PostgresFact]
    public async Task An_instance_with_another_daemon_key_refuses_to_start_on_the_database_and_one_with_the_same_key_starts()
    {
        var settings = new Dictionary<string, string>
        {
            ["Pact:Store:Provider"] = "postgres",
            ["Pact:Store:ConnectionString"] = await PostgresServer.CreateDatabaseAsync(),
        };
        await using var writer = await DaemonHost.StartAsync(settings: settings);
        using var http = writer.CreateHttpClient();
        var daemonId = await TestAgent.DaemonIdOf(http);
        (await new TestAgent(http, daemonId).RegisterAsync()).Status.Should().Be(HttpStatusCode.Created);

        // A data directory of its own: a key of its own, so another daemon id.
        var start = async () => await DaemonHost.StartAsync(settings: settings);
        var refused = (await start.Should().ThrowAsync<StartRefusedException>()).Which;
        refused.Message.Should().Contain("belongs to daemon " + daemonId);
        DaemonCommandLine.Explain(refused).Should().StartWith("error: this instance's daemon key is did:key:");

        // The writer serves on, and an instance with the writer's key files starts as its standby.
        await using var standby = await DaemonHost.StartAsync(settings: settings, dataDirectory: writer.DataDirectory);
        standby.Services.GetRequiredService<InstanceRole>().IsWriter.Should().BeFalse();
        using var standbyHttp = standby.CreateHttpClient();
        (await TestAgent.DaemonIdOf(standbyHttp)).Should().Be(daemonId);
        (await new TestAgent(standbyHttp, daemonId).RegisterAsync()).Status.Should().Be(HttpStatusCode.Created, "forwarded to the writer");
        await standby.StopAsync();
    }
}
