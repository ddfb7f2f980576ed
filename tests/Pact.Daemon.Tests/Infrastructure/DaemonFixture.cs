namespace Pact.Daemon.Tests.Infrastructure;

/// <summary>One daemon shared by the tests of a class (each test makes its own agents, so they do not interfere).</summary>
public class DaemonFixture : IAsyncLifetime
{
    /// <summary>The store the daemon runs on.</summary>
    protected virtual DaemonStore Store => DaemonStore.Default;

    public DaemonHost Host { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public string DaemonId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Host = await DaemonHost.StartAsync(store: Store);
        Http = Host.CreateHttpClient();
        DaemonId = await TestAgent.DaemonIdOf(Http);
    }

    public async Task<TestAgent> RegisteredAgentAsync(string name = "Agent")
    {
        var agent = new TestAgent(Http, DaemonId);
        var reply = await agent.RegisterAsync(name);
        reply.Status.Should().Be(System.Net.HttpStatusCode.Created, reply.Text);
        return agent;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
    }
}

/// <summary>The shared daemon on PostgreSQL, for a test class run again there (Postgres/OnPostgres.cs).</summary>
public sealed class PostgresDaemonFixture : DaemonFixture
{
    protected override DaemonStore Store => DaemonStore.Postgres;
}
