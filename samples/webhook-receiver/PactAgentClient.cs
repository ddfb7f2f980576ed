using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.Envelopes;

namespace Pact.Samples.WebhookReceiver;

/// <summary>
/// Just enough of an agent to subscribe: its key (kept in a file, mode 0600), registration, bearer tokens,
/// and signed subscription.create. Samples use it; real agents would use the SDK.
/// </summary>
public sealed class PactAgentClient(HttpClient http, KeyPair key, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private string? _daemonId;
    private (string Token, DateTimeOffset Expires)? _token;

    public KeyPair Key { get; } = key;

    public HttpClient Http { get; } = http;

    /// <summary>Reads the agent key from a JSON file { "did", "seed" }, creating a new one there on first use.</summary>
    public static KeyPair LoadOrCreateKey(string path)
    {
        if (File.Exists(path))
        {
            var node = JsonNode.Parse(File.ReadAllText(path))!;
            return KeyPair.FromSeed(Base64Url.Decode(node["seed"]!.GetValue<string>()));
        }
        var key = KeyPair.Generate();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var writer = new StreamWriter(new FileStream(path, options));
        writer.Write(new JsonObject { ["kind"] = "pact-agent-key", ["did"] = key.Did, ["seed"] = Base64Url.Encode(key.Seed) }.ToJsonString());
        return key;
    }

    public async Task<string> DaemonIdAsync(CancellationToken ct) =>
        _daemonId ??= JsonNode.Parse(await Http.GetStringAsync(new Uri("/v1/daemon", UriKind.Relative), ct))!["daemonId"]!.GetValue<string>();

    /// <summary>Registers the agent (200 when it already was).</summary>
    public Task<JsonNode> RegisterAsync(string name, CancellationToken ct) =>
        PostAsync("/v1/agents", "agent.register", new JsonObject
        {
            ["principal"] = new JsonObject { ["id"] = Key.Did, ["kind"] = "agent", ["name"] = name },
            ["displayName"] = name,
        }, ct);

    /// <summary>A bearer token for reads, renewed a few minutes before it expires.</summary>
    public async Task<string> TokenAsync(CancellationToken ct)
    {
        if (_token is { } held && held.Expires - _time.GetUtcNow() > TimeSpan.FromMinutes(5)) return held.Token;
        var reply = await PostAsync("/v1/auth/token", "auth.token", [], ct);
        var token = reply["token"]!.GetValue<string>();
        _token = (token, DateTimeOffset.Parse(reply["expiresAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        return token;
    }

    /// <summary>Subscribes a callback; returns the id and the secret (shown only in this answer).</summary>
    public async Task<(string SubscriptionId, string Secret)> SubscribeAsync(string callback, IReadOnlyList<string>? types, IReadOnlyList<string>? sessions, string? description, CancellationToken ct)
    {
        var filter = new JsonObject();
        if (types is { Count: > 0 }) filter["types"] = new JsonArray(types.Select(t => (JsonNode?)t).ToArray());
        if (sessions is { Count: > 0 }) filter["sessions"] = new JsonArray(sessions.Select(s => (JsonNode?)s).ToArray());
        var reply = await PostAsync("/v1/subscriptions", "subscription.create", new JsonObject
        {
            ["callback"] = callback,
            ["filter"] = filter,
            ["description"] = description,
        }, ct);
        return (reply["subscriptionId"]!.GetValue<string>(), reply["secret"]!.GetValue<string>());
    }

    public async Task DeleteSubscriptionAsync(string subscriptionId, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri("/v1/subscriptions/" + Uri.EscapeDataString(subscriptionId), UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(ct));
        using var response = await Http.SendAsync(request, ct);
        if (response.StatusCode is not (HttpStatusCode.NoContent or HttpStatusCode.NotFound))
            throw new HttpRequestException($"Deleting {subscriptionId} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
    }

    /// <summary>Signs and posts an envelope; a refusal becomes an exception naming the PACT code.</summary>
    public async Task<JsonNode> PostAsync(string path, string type, JsonObject fields, CancellationToken ct)
    {
        var envelope = Envelope.Sign(Key, type, await DaemonIdAsync(ct), _time.GetUtcNow(), fields);
        using var content = new StringContent(envelope.ToJson().ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(new Uri(path, UriKind.Relative), content, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            string? detail = null;
            try
            {
                var problem = JsonNode.Parse(text);
                detail = $"{problem?["code"]}: {problem?["detail"]}";
            }
            catch (JsonException)
            {
            }
            throw new HttpRequestException($"{type} was refused ({(int)response.StatusCode}) {detail ?? text}");
        }
        return JsonNode.Parse(text)!;
    }
}
