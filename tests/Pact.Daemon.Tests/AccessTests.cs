using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests;

public class AccessTests
{
    [Fact]
    public async Task Beyond_loopback_registration_needs_a_one_time_invite_from_the_operator()
    {
        // Bound to every interface, the daemon no longer counts as loopback-only; the test still talks to 127.0.0.1.
        await using var host = await DaemonHost.StartAsync(settings: new Dictionary<string, string> { ["urls"] = "http://0.0.0.0:0" });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.BaseAddress.Port}") };
        var daemonId = await TestAgent.DaemonIdOf(http);

        var agent = new TestAgent(http, daemonId);
        var refused = await agent.RegisterAsync();
        refused.Status.Should().Be(HttpStatusCode.Forbidden);
        refused.Code.Should().Be("PACT-205");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/invites") { Content = JsonContent.Create(new { expiresIn = "P1D" }) };
        request.Headers.Authorization = new("Bearer", DaemonHost.AdminToken);
        var invite = await Reply.From(await http.SendAsync(request));
        invite.Status.Should().Be(HttpStatusCode.Created);
        var code = invite.Json!["code"]!.GetValue<string>();

        var principal = new JsonObject { ["id"] = agent.Did, ["kind"] = "agent", ["name"] = "Invited" };
        var accepted = await agent.PostAsync("/v1/agents", "agent.register", new JsonObject { ["principal"] = principal, ["invite"] = code });
        accepted.Status.Should().Be(HttpStatusCode.Created, accepted.Text);

        var second = new TestAgent(http, daemonId);
        var reused = await second.PostAsync("/v1/agents", "agent.register",
            new JsonObject { ["principal"] = new JsonObject { ["id"] = second.Did, ["kind"] = "agent", ["name"] = "Late" }, ["invite"] = code });
        reused.Status.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Only_the_admin_token_creates_invites()
    {
        await using var host = await DaemonHost.StartAsync();
        using var http = host.CreateHttpClient();
        var agent = new TestAgent(http, await TestAgent.DaemonIdOf(http));
        await agent.RegisterAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/invites") { Content = JsonContent.Create(new { }) };
        request.Headers.Authorization = new("Bearer", await agent.TokenAsync());
        var reply = await Reply.From(await http.SendAsync(request));
        reply.Code.Should().Be("PACT-205");
    }

    [Fact]
    public async Task An_agent_over_its_budget_gets_429_with_Retry_After()
    {
        await using var host = await DaemonHost.StartAsync(settings: new Dictionary<string, string>
        {
            ["Pact:Limits:RequestsPerWindow"] = "5",
            ["Pact:Limits:RateWindowSeconds"] = "60",
        });
        using var http = host.CreateHttpClient();
        var agent = new TestAgent(http, await TestAgent.DaemonIdOf(http));
        var statuses = new List<HttpStatusCode>();
        Reply? last = null;
        for (var i = 0; i < 8; i++)
        {
            last = await agent.RegisterAsync();
            statuses.Add(last.Status);
        }
        statuses.Should().Contain(HttpStatusCode.TooManyRequests);
        last!.Code.Should().Be("PACT-429");
        last.Headers.Headers.RetryAfter.Should().NotBeNull();
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_every_endpoint_and_Swagger_UI_is_served()
    {
        await using var host = await DaemonHost.StartAsync();
        using var http = host.CreateHttpClient();
        var document = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!;
        document["openapi"]!.GetValue<string>().Should().StartWith("3.1");
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        paths.Should().Contain(["/v1/daemon", "/v1/agents", "/v1/sessions", "/v1/sessions/{sessionId}/proposals",
            "/v1/proposals/{proposalId}/sign", "/v1/sessions/{sessionId}/events/stream", "/v1/compacts/{compactId}"]);
        document["components"]!["securitySchemes"]!["bearer"].Should().NotBeNull();
        var create = document["paths"]!["/v1/sessions"]!["post"]!;
        create["requestBody"]!["content"]!["application/json"]!["example"]!["payload"]!["type"]!.GetValue<string>().Should().Be("session.create");
        (await http.GetAsync("/swagger/index.html")).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
