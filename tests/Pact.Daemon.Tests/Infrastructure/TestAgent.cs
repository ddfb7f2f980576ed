using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Pact.Core.Contracts;
using Pact.Core.Crypto;
using Pact.Core.Envelopes;
using Pact.Core.Json;

namespace Pact.Daemon.Tests.Infrastructure;

/// <summary>
/// A raw-HTTP agent for tests that need to send exactly the bytes they choose — including envelopes the SDK
/// would never produce (bad signatures, stale times, wrong audience).
/// </summary>
public sealed class TestAgent(HttpClient http, string daemonId, KeyPair? key = null, TimeProvider? clock = null)
{
    public KeyPair Key { get; } = key ?? KeyPair.Generate();

    public string Did => Key.Did;

    public string DaemonId { get; } = daemonId;

    private string? _token;

    public static async Task<string> DaemonIdOf(HttpClient http) =>
        JsonNode.Parse(await http.GetStringAsync("/v1/daemon"))!["daemonId"]!.GetValue<string>();

    public Envelope Sign(string type, JsonObject? fields = null, DateTimeOffset? issuedAt = null, string? audience = null, string? nonce = null) =>
        Envelope.Sign(Key, type, audience ?? DaemonId, issuedAt ?? (clock ?? TimeProvider.System).GetUtcNow(), fields, nonce);

    public Task<Reply> PostAsync(string path, Envelope envelope) => PostRawAsync(path, envelope.ToJson().ToJsonString());

    public Task<Reply> PostAsync(string path, string type, JsonObject? fields = null) => PostAsync(path, Sign(type, fields));

    /// <summary>Signs a payload record (its type and members as Core writes them) and posts it.</summary>
    public Task<Reply> PostAsync<T>(string path, T payload) where T : IEnvelopePayload<T> =>
        PostAsync(path, Envelope.Sign(Key, DaemonId, (clock ?? TimeProvider.System).GetUtcNow(), payload));

    public async Task<Reply> PostRawAsync(string path, string body, string contentType = "application/json")
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await http.PostAsync(path, content);
        return await Reply.From(response);
    }

    public async Task<Reply> RegisterAsync(string name = "Test principal") =>
        await PostAsync("/v1/agents", "agent.register", new JsonObject
        {
            ["principal"] = new JsonObject { ["id"] = Did, ["kind"] = "organization", ["name"] = name },
            ["displayName"] = name,
        });

    public async Task<string> TokenAsync()
    {
        if (_token is not null) return _token;
        var reply = await PostAsync("/v1/auth/token", "auth.token");
        reply.Status.Should().Be(HttpStatusCode.OK, reply.Text);
        return _token = reply.Json!["token"]!.GetValue<string>();
    }

    public async Task<Reply> GetAsync(string path, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? await TokenAsync());
        using var response = await http.SendAsync(request);
        return await Reply.From(response);
    }

    public async Task<string> CreateSessionAsync(params TestAgent[] others)
    {
        var participants = new JsonArray(new[] { Did }.Concat(others.Select(o => o.Did)).Select(d => (JsonNode)d).ToArray());
        var reply = await PostAsync("/v1/sessions", "session.create", new JsonObject { ["participants"] = participants, ["topic"] = "test" });
        reply.Status.Should().Be(HttpStatusCode.Created, reply.Text);
        return reply.Json!["sessionId"]!.GetValue<string>();
    }
}

/// <summary>A response read whole: status, headers, raw text and (when JSON) the parsed body.</summary>
public sealed record Reply(HttpStatusCode Status, string Text, JsonNode? Json, string? ContentType, HttpResponseMessage Headers)
{
    public string? Code => Json?["code"]?.GetValue<string>();

    public static async Task<Reply> From(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        try
        {
            json = text.Length > 0 ? StrictJson.Parse(text) : null;
        }
        catch (Pact.Core.Errors.InvalidJsonException)
        {
        }
        return new Reply(response.StatusCode, text, json, response.Content.Headers.ContentType?.MediaType, response);
    }
}

/// <summary>Response records as the wire carries them, for comparisons and assertion messages.</summary>
public static class WireJson
{
    public static string ToJsonString<T>(this T value) => System.Text.Json.JsonSerializer.Serialize(value, PactJson.Options);

    public static JsonObject ToJsonObject<T>(this T value) => System.Text.Json.JsonSerializer.SerializeToNode(value, PactJson.Options)!.AsObject();
}
