using System.Net;
using System.Text.Json.Nodes;
using Pact.Core.Json;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Daemon.Tests.Webhooks;

namespace Pact.Daemon.Tests.Hardening;

/// <summary>
/// Whatever the daemon accepts it can serve back: a session whose metadata nests as deep as the door allows goes
/// through every reader — the session, its events, state, verify, export, both live streams and a webhook — and one
/// level deeper is refused at the door. A value that fit the parser but not the serializer once poisoned every
/// stream through it.
/// </summary>
public class DeepValueTests
{
    [Fact]
    public async Task The_deepest_accepted_metadata_is_served_by_every_reader_and_one_level_more_is_refused()
    {
        await using var host = await DaemonHost.StartAsync();
        using var http = host.CreateHttpClient();
        await using var receiver = await WebhookReceiver.StartAsync();
        var daemonId = await TestAgent.DaemonIdOf(http);
        var a = new TestAgent(http, daemonId);
        var b = new TestAgent(http, daemonId);
        (await a.RegisterAsync()).Status.Should().Be(HttpStatusCode.Created);
        (await b.RegisterAsync()).Status.Should().Be(HttpStatusCode.Created);
        await WebhookTestKit.SubscribeAsync(b, receiver.Url);

        // The body is { "payload": { "metadata": <value> }, … }: the value starts two levels down.
        var deepest = JsonLimits.RequestDepth - 2;
        var tooDeep = await CreateAsync(a, b, Nested(deepest + 1));
        tooDeep.Status.Should().Be(HttpStatusCode.BadRequest);
        tooDeep.Code.Should().Be("PACT-100");
        tooDeep.ContentType.Should().Be("application/problem+json");

        var metadata = Nested(deepest);
        var created = await CreateAsync(a, b, metadata);
        created.Status.Should().Be(HttpStatusCode.Created, created.Text);
        var session = created.Json!["sessionId"]!.GetValue<string>();
        var expected = metadata.ToJsonString();

        var token = await b.TokenAsync();
        foreach (var path in new[] { $"/v1/sessions/{session}", $"/v1/sessions/{session}/events", $"/v1/sessions/{session}/export", "/v1/sessions" })
        {
            var reply = await b.GetAsync(path, token);
            reply.Status.Should().Be(HttpStatusCode.OK, $"{path}: {reply.Text}");
            reply.Text.Should().Contain(expected, path);
            StrictJson.Parse(reply.Text).Should().NotBeNull(path);
        }
        (await b.GetAsync($"/v1/sessions/{session}/state", token)).Status.Should().Be(HttpStatusCode.OK);
        (await b.GetAsync($"/v1/sessions/{session}/verify", token)).Json!["ok"]!.GetValue<bool>().Should().BeTrue();

        foreach (var path in new[] { $"/v1/sessions/{session}/events/stream", "/v1/events/stream" })
        {
            using var sse = await SseReader.OpenAsync(host, path, token);
            var (_, type, data) = await sse.NextEventAsync(TimeSpan.FromSeconds(10));
            type.Should().Be("session.created");
            data.Should().Contain(expected, path);
        }

        await receiver.WaitForAsync(1, TimeSpan.FromSeconds(20));
        var webhook = receiver.Received[0];
        webhook.Json["data"]!["type"]!.GetValue<string>().Should().Be("session.created");
        System.Text.Encoding.UTF8.GetString(webhook.Body).Should().Contain(expected);

        var health = await Reply.From(await http.GetAsync("/readyz"));
        health.Json!["status"]!.GetValue<string>().Should().Be("ready");
    }

    private static Task<Reply> CreateAsync(TestAgent a, TestAgent b, JsonNode metadata) =>
        a.PostAsync("/v1/sessions", "session.create", new JsonObject
        {
            ["participants"] = new JsonArray(a.Did, b.Did),
            ["topic"] = "deep",
            ["metadata"] = metadata,
        });

    /// <summary>An object nesting <paramref name="depth"/> levels: {"d":{"d":…{}}}.</summary>
    private static JsonObject Nested(int depth)
    {
        var node = new JsonObject();
        for (var i = 1; i < depth; i++) node = new JsonObject { ["d"] = node };
        return node;
    }
}
