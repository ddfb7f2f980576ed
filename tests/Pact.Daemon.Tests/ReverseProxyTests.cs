using System.Net;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests;

/// <summary>
/// A daemon listening on loopback behind a reverse proxy (Pact:ReverseProxy:KnownProxies): the proxy's public Host
/// is answered, the client's address comes from X-Forwarded-For (only from a configured proxy), and the daemon
/// counts as exposed — registration needs an invite.
/// </summary>
public class ReverseProxyTests
{
    private static Task<DaemonHost> BehindAsync(string proxy, int requestsPerWindow = 600) =>
        DaemonHost.StartAsync(settings: new Dictionary<string, string>
        {
            ["Pact:ReverseProxy:KnownProxies:0"] = proxy,
            ["Pact:Limits:RequestsPerWindow"] = requestsPerWindow.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Pact:Limits:RateWindowSeconds"] = "60",
        });

    private static async Task<HttpStatusCode> GetAsync(HttpClient http, string path, string? host = null, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (host is not null) request.Headers.Host = host;
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task The_proxys_public_host_is_answered_only_when_a_proxy_is_configured()
    {
        await using var plain = await DaemonHost.StartAsync();
        await using var proxied = await BehindAsync("127.0.0.1");
        using var direct = plain.CreateHttpClient();
        using var viaProxy = proxied.CreateHttpClient();

        (await GetAsync(direct, "/v1/daemon", host: "pact.example.org")).Should().Be(HttpStatusCode.MisdirectedRequest);
        (await GetAsync(viaProxy, "/v1/daemon", host: "pact.example.org", forwardedFor: "203.0.113.7")).Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Each_forwarded_client_has_its_own_budget()
    {
        await using var host = await BehindAsync("127.0.0.1", requestsPerWindow: 3);
        using var http = host.CreateHttpClient();

        var first = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++) first.Add(await GetAsync(http, "/v1/sessions", forwardedFor: "203.0.113.7"));
        var second = await GetAsync(http, "/v1/sessions", forwardedFor: "203.0.113.8");

        first.Should().EndWith(HttpStatusCode.TooManyRequests);
        second.Should().Be(HttpStatusCode.Unauthorized, "another client behind the same proxy is not limited by the first one's requests");
    }

    [Fact]
    public async Task Forwarded_addresses_from_a_connection_that_is_not_a_configured_proxy_are_ignored()
    {
        // The test connects from 127.0.0.1, which is not the configured proxy: its X-Forwarded-For is not believed.
        await using var host = await BehindAsync("192.0.2.1", requestsPerWindow: 3);
        using var http = host.CreateHttpClient();

        for (var i = 0; i < 3; i++) await GetAsync(http, "/v1/sessions", forwardedFor: $"203.0.113.{i}");
        var spoofed = await GetAsync(http, "/v1/sessions", forwardedFor: "203.0.113.99");

        spoofed.Should().Be(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Behind_a_proxy_registration_needs_an_invite()
    {
        await using var host = await BehindAsync("127.0.0.1");
        using var http = host.CreateHttpClient();
        var agent = new TestAgent(http, await TestAgent.DaemonIdOf(http));

        var refused = await agent.RegisterAsync();

        refused.Status.Should().Be(HttpStatusCode.Forbidden);
        refused.Code.Should().Be("PACT-205");
    }
}
