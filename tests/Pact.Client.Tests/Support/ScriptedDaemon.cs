using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pact.Core.Crypto;
using Pact.Core.Json;
using Pact.Core.Time;

namespace Pact.Client.Tests.Support;

/// <summary>What the scripted daemon received.</summary>
internal sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    public JsonObject Json() => (JsonObject)StrictJson.Parse(Body)!;
}

/// <summary>
/// A real Kestrel on 127.0.0.1:0 that plays the daemon's side of the wire from a script: discovery and tokens
/// are built in, each test maps the rest. Every request is recorded with its headers and body.
/// </summary>
internal sealed class ScriptedDaemon : IAsyncDisposable
{
    private WebApplication? _app;
    private int _tokens;

    private ScriptedDaemon(TimeProvider clock) => Clock = clock;

    public static KeyPair DaemonKey { get; } = TestData.Key("daemon");

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>The time written into discovery and tokens' expiresAt.</summary>
    public TimeProvider Clock { get; }

    public int TokensIssued => Volatile.Read(ref _tokens);

    public List<RecordedRequest> RequestsTo(string path) => Requests.Where(r => r.Path == path).ToList();

    public HttpClient CreateHttpClient() => new() { BaseAddress = BaseAddress };

    public static async Task<ScriptedDaemon> StartAsync(Action<WebApplication, ScriptedDaemon> map, TimeProvider? clock = null)
    {
        var daemon = new ScriptedDaemon(clock ?? TimeProvider.System);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();

        app.Use(async (ctx, next) =>
        {
            ctx.Request.EnableBuffering();
            using var buffer = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted);
            ctx.Request.Body.Position = 0;
            var headers = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            daemon.Requests.Enqueue(new RecordedRequest(ctx.Request.Method, ctx.Request.Path.Value ?? "", ctx.Request.QueryString.Value ?? "", headers, buffer.ToArray()));
            await next(ctx);
        });

        app.MapGet("/v1/daemon", (HttpContext ctx) => WriteJsonAsync(ctx, 200, new JsonObject
        {
            ["daemonId"] = DaemonKey.Did,
            ["publicKey"] = DaemonKey.PublicKeyB64u,
            ["origin"] = "localhost/pact",
            ["protocol"] = "pact/1",
            ["acp"] = "0.1",
            ["version"] = "0.0.0-test",
            ["stdlib"] = new JsonArray("contractor-and-service@0.1"),
            ["time"] = Timestamp.ToText(daemon.Clock.GetUtcNow()),
        }));

        app.MapPost("/v1/auth/token", (HttpContext ctx) =>
        {
            var n = Interlocked.Increment(ref daemon._tokens);
            return WriteJsonAsync(ctx, 200, new JsonObject
            {
                ["token"] = $"token-{n}",
                ["expiresAt"] = Timestamp.ToText(daemon.Clock.GetUtcNow().AddHours(1)),
            });
        });

        map(app, daemon);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        daemon.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        daemon._app = app;
        return daemon;
    }

    public static async Task WriteJsonAsync(HttpContext ctx, int status, JsonNode body, string contentType = "application/json; charset=utf-8")
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType;
        await ctx.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
