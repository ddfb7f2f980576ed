using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Pact.Client;
using Pact.Core.Contracts;

namespace Pact.LoadDriver;

/// <param name="Events">Events appended (each is one webhook delivery).</param>
/// <param name="Delivered">Distinct deliveries the receiver got within the time limit.</param>
/// <param name="Seconds">First append sent → last delivery received.</param>
/// <param name="AfterAck">Receive time − the moment the appender had its 2xx for that event.</param>
/// <param name="BaselinePostsPerSecond">A bare, sequential HttpClient POST loop of the same body to the same receiver.</param>
/// <param name="BaselineLatency">Per-POST latency of that loop.</param>
internal sealed record WebhookResult(int Events, long Delivered, double Seconds, Samples AfterAck, double BaselinePostsPerSecond, Samples BaselineLatency)
{
    public double DeliveriesPerSecond => Delivered / Seconds;
}

/// <summary>
/// Webhook delivery to a local receiver: 4 agents flip their sessions; an observer in all four sessions holds one
/// subscription, so every event becomes one signed POST. First attempts of one subscription go out in seq order,
/// one at a time (§10), so the fair baseline is a sequential POST loop of the same body to the same receiver.
/// </summary>
internal static class WebhookBenchmarks
{
    public static async Task<WebhookResult> RunAsync(InProcessDaemon daemon, int events, TimeSpan limit)
    {
        var received = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        string? sampleBody = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var receiver = builder.Build();
        receiver.MapPost("/hook", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var e = JsonNode.Parse(body)!["data"]!;
            received.TryAdd($"{e["stream"]!.GetValue<string>()}/{e["streamSeq"]!.GetValue<long>()}", Stopwatch.GetTimestamp());
            sampleBody ??= body;
            return Results.NoContent();
        });
        receiver.MapPost("/baseline", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            _ = JsonNode.Parse(body)!["data"]!;
            return Results.NoContent();
        });
        await receiver.StartAsync();
        var receiverUrl = receiver.Urls.First();

        using var http = daemon.CreateHttpClient();
        var observer = await Agent.RegisterAsync(http, "Observer", PrincipalKinds.Organization);
        var writers = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Agent.RegisterAsync(http, $"Writer {i}", PrincipalKinds.Organization)));
        var sessions = new string[writers.Length];
        for (var i = 0; i < writers.Length; i++)
            sessions[i] = (await writers[i].Client.CreateSessionAsync([writers[i].Did, observer.Did], "webhooks")).SessionId;
        var envelope = await observer.Client.CreateEnvelopeAsync("subscription.create", new JsonObject
        {
            ["callback"] = receiverUrl + "/hook",
            ["filter"] = new JsonObject { ["types"] = new JsonArray("session.*") },
            ["description"] = "load driver",
        });
        var created = await observer.Client.SendEnvelopeAsync("v1/subscriptions", envelope);
        if (created.Status != HttpStatusCode.Created) throw new InvalidOperationException($"Subscription refused: {created.Body}");

        var acked = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var started = Stopwatch.GetTimestamp();
        var perWriter = events / writers.Length;
        await Task.WhenAll(writers.Select((w, i) => Task.Run(async () =>
        {
            for (var n = 0; n < perWriter; n++)
            {
                var session = n % 2 == 0 ? await w.Client.SuspendSessionAsync(sessions[i]) : await w.Client.ResumeSessionAsync(sessions[i]);
                acked[$"{sessions[i]}/{session.Head!.StreamSeq}"] = Stopwatch.GetTimestamp();
            }
        })));
        var total = perWriter * writers.Length;
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (acked.Keys.Count(received.ContainsKey) < total && Stopwatch.GetTimestamp() < deadline) await Task.Delay(20);

        var afterAck = new Samples();
        long last = started;
        foreach (var (key, ack) in acked)
        {
            if (!received.TryGetValue(key, out var at)) continue;
            afterAck.AddTicks(at - ack);
            last = Math.Max(last, at);
        }
        var delivered = acked.Keys.Count(received.ContainsKey);

        // Baseline: the same body, POSTed back to back by one plain HttpClient.
        using var plain = new HttpClient { BaseAddress = new Uri(receiverUrl) };
        var latency = new Samples();
        var body = sampleBody ?? "{\"data\":{}}";
        var loopStart = Stopwatch.GetTimestamp();
        for (var n = 0; n < total; n++)
        {
            var sent = Stopwatch.GetTimestamp();
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await plain.PostAsync("/baseline", content);
            latency.AddTicks(Stopwatch.GetTimestamp() - sent);
        }
        var loopSeconds = (Stopwatch.GetTimestamp() - loopStart) / (double)Stopwatch.Frequency;
        await receiver.StopAsync();
        return new WebhookResult(total, delivered, (last - started) / (double)Stopwatch.Frequency, afterAck, total / loopSeconds, latency);
    }
}
