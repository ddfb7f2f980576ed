using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Pact.Core.Json;
using Pact.Core.Time;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests.Webhooks;

/// <summary>Shared steps of the webhook tests: subscribing, reading deliveries as the operator, waiting for the dispatcher to settle.</summary>
internal static class WebhookTestKit
{
    public static readonly DateTimeOffset Start = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    public static JsonObject PactVectors =>
        (JsonObject)StrictJson.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "testdata", "pact-vectors.json")))!;

    public static async Task<(string Id, string Secret)> SubscribeAsync(TestAgent agent, string callback, JsonObject? filter = null)
    {
        var fields = new JsonObject { ["callback"] = callback };
        if (filter is not null) fields["filter"] = filter;
        var reply = await agent.PostAsync("/v1/subscriptions", "subscription.create", fields);
        reply.Status.Should().Be(HttpStatusCode.Created, reply.Text);
        return (reply.Json!["subscriptionId"]!.GetValue<string>(), reply.Json["secret"]!.GetValue<string>());
    }

    public static async Task<Reply> AdminGetAsync(HttpClient http, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DaemonHost.AdminToken);
        using var response = await http.SendAsync(request);
        return await Reply.From(response);
    }

    public static async Task<Reply> SendAsync(HttpClient http, HttpMethod method, string path, string token)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return await Reply.From(response);
    }

    public static async Task<List<JsonObject>> DeliveriesAsync(HttpClient http, string subscriptionId)
    {
        var reply = await AdminGetAsync(http, $"/v1/subscriptions/{subscriptionId}/deliveries");
        reply.Status.Should().Be(HttpStatusCode.OK, reply.Text);
        return reply.Json!["deliveries"]!.AsArray().Select(d => d!.AsObject()).ToList();
    }

    /// <summary>
    /// Waits (real time, bounded) until no delivery of the subscription is due or in flight at the clock's
    /// time — each is done, or waits for a later instant — and at least <paramref name="expected"/> exist.
    /// Only then may a test move the clock, or an attempt in flight would see its timeout fire.
    /// </summary>
    public static async Task<List<JsonObject>> SettleAsync(HttpClient http, string subscriptionId, TimeProvider clock, int expected)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var deliveries = await DeliveriesAsync(http, subscriptionId);
            var now = clock.GetUtcNow();
            if (deliveries.Count >= expected && deliveries.All(d => d["status"]!.GetValue<string>() != "pending" ||
                    Timestamp.Parse(d["nextAttemptAt"]!.GetValue<string>()) > now))
                return deliveries;
            if (waited.Elapsed > TimeSpan.FromSeconds(20))
                throw new TimeoutException("Deliveries did not settle: " + new JsonArray(deliveries.Select(d => (JsonNode)d.DeepClone()).ToArray()).ToJsonString());
            await Task.Delay(20);
        }
    }

    /// <summary>Waits (real time, bounded) for a condition the daemon reaches asynchronously.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(20)) throw new TimeoutException("Timed out waiting for " + what);
            await Task.Delay(20);
        }
    }

    public static async Task<JsonObject> ActiveSessionEventAsync(TestAgent agent, string sessionId, string action) =>
        (await agent.PostAsync($"/v1/sessions/{sessionId}/{action}", "session." + action, new JsonObject { ["sessionId"] = sessionId })).Json!.AsObject();
}
