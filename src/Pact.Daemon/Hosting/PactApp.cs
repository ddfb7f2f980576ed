using Pact.Daemon.Mandates;
using Pact.Daemon.Policies;
using Pact.Core.Crypto;
using Pact.Daemon.Application;
using Pact.Daemon.Auth;
using Pact.Daemon.WebConsole;
using Pact.Daemon.Http;
using Pact.Daemon.Http.OpenApi;
using Pact.Daemon.Instances;
using Pact.Daemon.Streaming;
using Pact.Daemon.Telemetry;
using Pact.Daemon.TransparencyLog;
using Pact.Daemon.Webhooks;
using Pact.Store;

namespace Pact.Daemon.Hosting;

/// <summary>
/// The composition root: where the settings come from, which features the daemon is made of (each registers itself
/// from its own folder) and the order a request meets the pipeline in. Tests build the daemon the same way.
/// </summary>
public static class PactApp
{
    /// <summary>The address used when no URL is configured: loopback only.</summary>
    public const string DefaultUrl = "http://127.0.0.1:7700";

    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--data-dir"] = "Pact:DataDirectory",
        ["--origin"] = "Pact:Origin",
        ["--admin-token"] = "Pact:AdminToken",
    };

    /// <summary>
    /// Builds the daemon. Nothing is opened yet: starting the host checks the settings, then opens the store
    /// (<see cref="PactStoreOpener"/>), then runs the start-up replay, and only then listens.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? customize = null)
    {
        // Fails at start if the bundled libsodium cannot load or miscomputes, rather than at the first signature.
        Ed25519.EnsureAvailable();

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(PactApp).Assembly.GetName().Name, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(PactEnvironmentVariables());
        builder.Configuration.AddCommandLine(args, SwitchMappings);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["Kestrel:Endpoints:Http:Url"]))
            builder.WebHost.UseUrls(DefaultUrl);
        customize?.Invoke(builder);

        var configuration = builder.Configuration;
        builder.Services
            .AddPactObservability(configuration)     // Telemetry: Serilog, OpenTelemetry, the request log
            .AddPactDaemon(configuration)            // Hosting: settings, data directory, daemon key, start-up replay
            .AddPactTranscriptStore(configuration)   // Hosting → Pact.Store: the transcript store (SQLite or PostgreSQL)
            .AddPactInstances()                      // Instances: writer or standby on a shared store, writes forwarded to the writer
            .AddPactAuthentication()                 // Auth: admin and bearer tokens, policies, visibility, signed envelopes
            .AddPactNegotiation()                    // Application: agents, sessions, proposals, lifecycle, decisions, deadlines
            .AddPactPassports(configuration)         // Application: passports, admission, reputation providers (§16)
            .AddPactPolicies()                       // Policies: publication, dry run, verified standing policies (§13)
            .AddPactMandates()                       // Mandates: grant, revoke, read (§14)
            .AddPactStreaming()                      // Streaming: the event hub and SSE (§8.3)
            .AddPactWebhooks(configuration)          // Webhooks: subscriptions, outbox, dispatcher (§10)
            .AddPactTransparencyLog()                // TransparencyLog: log checkpoints, verify, export (§7–§9)
            .AddPactHttp(configuration)              // Http: Kestrel limits, proxy, rate limit, problems, health, controllers
            .AddPactOpenApi();                       // Http: the OpenAPI document and Swagger UI

        var app = builder.Build();
        UsePactPipeline(app);
        return app;
    }

    /// <summary>The middleware in the order a request meets it, then the endpoints.</summary>
    private static void UsePactPipeline(WebApplication app)
    {
        var listener = app.Services.GetRequiredService<ListenerInfo>();
        app.Lifetime.ApplicationStarted.Register(() => listener.Update(app.Urls));

        app.UsePactReverseProxy();
        app.UsePactRequestLogging();
        app.UseExceptionHandler();
        app.UseMiddleware<LoopbackHostMiddleware>();
        app.UseMiddleware<BodyLimitMiddleware>();
        var forwarding = app.Services.GetRequiredService<WriterForwarding>();
        app.Use((context, next) => forwarding.InvokeAsync(context, next));
        app.UseAuthentication();
        app.UsePactMetricsEndpoint();
        app.UseRateLimiter();
        app.UseStatusCodePages(StatusCodeProblems.WriteAsync);
        app.MapPactHealthChecks();
        app.MapPactOpenApi();
        app.UsePactConsole();
        app.MapControllers();
    }

    /// <summary>PACT_-prefixed environment variables as "Pact:" settings: PACT_DATADIRECTORY, PACT_LIMITS__MAXBODYBYTES, …</summary>
    private static IEnumerable<KeyValuePair<string, string?>> PactEnvironmentVariables()
    {
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var name = (string)entry.Key;
            if (!name.StartsWith("PACT_", StringComparison.OrdinalIgnoreCase)) continue;
            yield return new("Pact:" + name[5..].Replace("__", ":", StringComparison.Ordinal), (string?)entry.Value);
        }
    }
}
