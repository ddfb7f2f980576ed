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
    public async Task Reads_spend_the_budget_of_the_agent_holding_the_token_not_a_shared_one()
    {
        await using var host = await DaemonHost.StartAsync(settings: new Dictionary<string, string>
        {
            ["Pact:Limits:RequestsPerWindow"] = "5",
            ["Pact:Limits:RateWindowSeconds"] = "60",
        });
        using var http = host.CreateHttpClient();
        var daemonId = await TestAgent.DaemonIdOf(http);
        var (noisy, quiet) = (new TestAgent(http, daemonId), new TestAgent(http, daemonId));
        await noisy.RegisterAsync();
        await quiet.RegisterAsync();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++) statuses.Add((await noisy.GetAsync("/v1/sessions")).Status);

        statuses.Should().StartWith([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK]).And.EndWith(HttpStatusCode.TooManyRequests);
        var limited = await noisy.GetAsync("/v1/sessions");
        limited.Code.Should().Be("PACT-429");
        limited.ContentType.Should().Be("application/problem+json");
        limited.Headers.Headers.RetryAfter!.Delta.Should().BePositive();
        (await quiet.GetAsync("/v1/sessions")).Status.Should().Be(HttpStatusCode.OK, "the other agent has its own budget");
    }

    [Fact]
    public async Task A_missing_and_a_bad_bearer_token_are_both_PACT_207_and_say_which()
    {
        await using var host = await DaemonHost.StartAsync();
        using var http = host.CreateHttpClient();

        var missing = await Reply.From(await http.GetAsync("/v1/sessions"));
        missing.Status.Should().Be(HttpStatusCode.Unauthorized);
        missing.Code.Should().Be("PACT-207");
        missing.Json!["title"]!.GetValue<string>().Should().Be("Bearer token required");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/sessions");
        request.Headers.Authorization = new("Bearer", "pat_forged.token");
        var bad = await Reply.From(await http.SendAsync(request));
        bad.Status.Should().Be(HttpStatusCode.Unauthorized);
        bad.Code.Should().Be("PACT-207");
        bad.Json!["title"]!.GetValue<string>().Should().Be("Invalid bearer token");

        (await http.GetAsync("/v1/stdlib")).StatusCode.Should().Be(HttpStatusCode.OK, "a public read needs no token");
    }

    [Fact]
    public async Task A_bad_body_is_answered_before_a_missing_bearer_token()
    {
        await using var host = await DaemonHost.StartAsync();
        using var http = host.CreateHttpClient();
        using var body = new StringContent("{\"tier\": ", System.Text.Encoding.UTF8, "application/json");
        var reply = await Reply.From(await http.PostAsync("/v1/compacts/draft", body));
        reply.Status.Should().Be(HttpStatusCode.BadRequest, "§11 puts the body (PACT-100) before the bearer token (PACT-207)");
        reply.Code.Should().Be("PACT-100");
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
