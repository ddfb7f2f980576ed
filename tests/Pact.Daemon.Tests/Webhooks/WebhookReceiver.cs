using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Pact.Core.Json;

namespace Pact.Daemon.Tests.Webhooks;

/// <summary>One request as a receiver saw it.</summary>
public sealed record ReceivedWebhook(string? Id, string? Timestamp, string? Signature, string? ContentType, byte[] Body)
{
    public JsonObject Json => (JsonObject)StrictJson.Parse(Body)!;

    public long Seq => Json["data"]!["seq"]!.GetValue<long>();
}

/// <summary>What the receiver answers: a status and an optional Retry-After.</summary>
public sealed record ReceiverAnswer(int Status, string? RetryAfter = null);

/// <summary>
/// A real HTTP receiver on 127.0.0.1:0 (Kestrel) that records every request and answers as the test says,
/// so deliveries cross a real socket exactly as they would to an agent.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly SemaphoreSlim _arrivals = new(0);

    private WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>Decides each answer; by default 204. Called with the request and how many came before it.</summary>
    public Func<ReceivedWebhook, int, ReceiverAnswer> Answer { get; set; } = (_, _) => new ReceiverAnswer(204);

    public string Url { get; private set; } = "";

    public int Port { get; private set; }

    public IReadOnlyList<ReceivedWebhook> Received => _received.ToArray();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var request = new ReceivedWebhook(
                context.Request.Headers["webhook-id"].ToString(),
                context.Request.Headers["webhook-timestamp"].ToString(),
                context.Request.Headers["webhook-signature"].ToString(),
                context.Request.ContentType,
                buffer.ToArray());
            int before;
            lock (receiver._received)
            {
                before = receiver._received.Count;
                receiver._received.Enqueue(request);
            }
            receiver._arrivals.Release();
            var answer = receiver.Answer(request, before);
            context.Response.StatusCode = answer.Status;
            if (answer.RetryAfter is not null) context.Response.Headers.RetryAfter = answer.RetryAfter;
        });
        await app.StartAsync();
        receiver.Url = app.Urls.First() + "/hook";
        receiver.Port = new Uri(receiver.Url).Port;
        return receiver;
    }

    /// <summary>Waits (in real time, bounded) until at least <paramref name="count"/> requests arrived.</summary>
    public async Task WaitForAsync(int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        while (_received.Count < count)
        {
            try
            {
                await _arrivals.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Expected {count} webhook requests, got {_received.Count}.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _arrivals.Dispose();
    }
}
