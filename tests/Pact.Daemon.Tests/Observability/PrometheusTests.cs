using System.Net;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests.Observability;

/// <summary>GET /metrics: the Pact meter's figures in Prometheus' text format, on by default while loopback-only.</summary>
public class PrometheusTests
{
    private static async Task<(HttpStatusCode Status, string ContentType, string Body)> ScrapeAsync(HttpClient http, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (bearer is not null) request.Headers.Authorization = new("Bearer", bearer);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType ?? "", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_loopback_daemon_serves_the_pact_metrics_to_a_scraper()
    {
        await using var host = await DaemonHost.StartAsync();
        using var http = host.CreateHttpClient();
        var agent = new TestAgent(http, await TestAgent.DaemonIdOf(http));
        (await agent.RegisterAsync()).Status.Should().Be(HttpStatusCode.Created);

        var (status, contentType, body) = await ScrapeAsync(http);

        status.Should().Be(HttpStatusCode.OK, body);
        contentType.Should().Be("text/plain");
        body.Should().Contain("pact_transcript_events_total").And.Contain("pact_transcript_commits_total").And.Contain("http_server_request_duration_seconds");
    }

    [Fact]
    public async Task Switched_off_it_is_a_404_problem()
    {
        await using var host = await DaemonHost.StartAsync(settings: new Dictionary<string, string> { ["Pact:Telemetry:Prometheus"] = "false" });
        using var http = host.CreateHttpClient();

        var (status, contentType, _) = await ScrapeAsync(http);

        status.Should().Be(HttpStatusCode.NotFound);
        contentType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task An_exposed_daemon_serves_it_only_when_asked_to_and_only_to_the_admin_token()
    {
        var exposed = new Dictionary<string, string> { ["urls"] = "http://0.0.0.0:0" };
        await using var byDefault = await DaemonHost.StartAsync(settings: exposed);
        await using var enabled = await DaemonHost.StartAsync(settings: new Dictionary<string, string>(exposed) { ["Pact:Telemetry:Prometheus"] = "true" });
        using var quiet = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{byDefault.BaseAddress.Port}") };
        using var open = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{enabled.BaseAddress.Port}") };

        (await ScrapeAsync(quiet, DaemonHost.AdminToken)).Status.Should().Be(HttpStatusCode.NotFound);
        (await ScrapeAsync(open)).Status.Should().Be(HttpStatusCode.NotFound);
        (await ScrapeAsync(open, DaemonHost.AdminToken)).Status.Should().Be(HttpStatusCode.OK);
    }
}
