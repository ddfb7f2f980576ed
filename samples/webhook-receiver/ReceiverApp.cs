using Pact.Samples;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Pact.Client;

namespace Pact.Samples.WebhookReceiver;

/// <summary>How the receiver runs.</summary>
public sealed record ReceiverOptions
{
    /// <summary>The daemon's base URL.</summary>
    public Uri Daemon { get; init; } = SampleOptions.DefaultDaemon();

    /// <summary>Where to listen; port 0 picks a free one.</summary>
    public string Listen { get; init; } = "http://127.0.0.1:8787";

    /// <summary>The callback URL the daemon should call, when it differs from the listen address (a proxy, a tunnel).</summary>
    public string? Callback { get; init; }

    public string Path { get; init; } = "/webhooks";

    /// <summary>The agent's key file; created on first run (outside the work tree). Sessions with this agent are the ones delivered.</summary>
    public string KeyFile { get; init; } = SampleOptions.DefaultKeyPath("webhook-receiver");

    public IReadOnlyList<string>? Types { get; init; }

    public IReadOnlyList<string>? Sessions { get; init; }

    /// <summary>Use an existing subscription's secret instead of subscribing.</summary>
    public string? Secret { get; init; }

    /// <summary>Keep the subscription when stopping (by default it is deleted).</summary>
    public bool Keep { get; init; }

    public string Name { get; init; } = "webhook-receiver sample";
}

/// <summary>
/// Listens, subscribes its own URL with the agent's key, verifies and de-duplicates each delivery and hands
/// new events to <c>onEvent</c>. A handler that throws answers 500, so the daemon tries again later.
/// </summary>
public static class ReceiverApp
{
    public const int MaxBodyBytes = 1024 * 1024;

    public static async Task RunAsync(ReceiverOptions options, Func<JsonObject, Task> onEvent, Action<string> log, CancellationToken ct, Action<string>? ready = null)
    {
        var handlerReady = new TaskCompletionSource<WebhookHandler>(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Listen);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxBodyBytes);
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.MapPost(options.Path, async (HttpContext context) =>
        {
            // A delivery can arrive before the subscription's answer with the secret has: wait for it briefly.
            var handler = await handlerReady.Task.WaitAsync(TimeSpan.FromSeconds(10), context.RequestAborted);
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var result = handler.Handle(context.Request.Headers[WebhookVerifier.IdHeader], context.Request.Headers[WebhookVerifier.TimestampHeader],
                context.Request.Headers[WebhookVerifier.SignatureHeader], buffer.ToArray());
            if (result.Reason is not null) log($"{context.Request.Headers[WebhookVerifier.IdHeader]}: {result.Status} {result.Reason}");
            if (result.Event is not null)
            {
                try
                {
                    await onEvent(result.Event);
                }
                catch (Exception e)
                {
                    log($"handling {result.Event["seq"]} failed: {e.Message}");
                    context.Response.StatusCode = 500;
                    return;
                }
            }
            context.Response.StatusCode = result.Status;
        });
        await app.StartAsync(ct);
        // The host may be stopped from outside too (its own signal handling): treat that as the end of the run.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct, app.Lifetime.ApplicationStopping);
        ct = stopping.Token;
        var callback = options.Callback ?? app.Urls.First().TrimEnd('/') + options.Path;

        using var http = new HttpClient { BaseAddress = BaseOf(options.Daemon), Timeout = TimeSpan.FromSeconds(30) };
        var agent = new PactClient(http, AgentKeyFiles.LoadOrCreate(options.KeyFile));
        string? subscriptionId = null;
        try
        {
            var secret = options.Secret;
            if (secret is null)
            {
                await AgentKeys.RegisterAsync(agent, options.Name, ct);
                var created = await agent.CreateSubscriptionAsync(callback, options.Types, options.Sessions, options.Name, ct);
                (subscriptionId, secret) = (created.SubscriptionId, created.Secret);
                log($"agent {agent.AgentId}: subscription {subscriptionId} delivers to {callback}");
            }
            handlerReady.SetResult(new WebhookHandler(secret));
            ready?.Invoke(callback);
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            if (subscriptionId is not null && !options.Keep)
            {
                using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await agent.DeleteSubscriptionAsync(subscriptionId, cleanup.Token);
                    log($"deleted subscription {subscriptionId}");
                }
                catch (PactApiException e) when (e.Status == 404)
                {
                    log($"subscription {subscriptionId} was already gone");
                }
                catch (Exception e) when (e is HttpRequestException or PactApiException or OperationCanceledException)
                {
                    log($"could not delete subscription {subscriptionId}: {e.Message}");
                }
            }
            await app.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>The daemon's URL with the trailing '/' the SDK resolves paths against.</summary>
    public static Uri BaseOf(Uri daemon) => daemon.AbsoluteUri.EndsWith('/') ? daemon : new Uri(daemon.AbsoluteUri + "/");
}
