using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pact.Core.Crypto;
using Pact.Core.Errors;
using Pact.Daemon.Application;
using Pact.Daemon.Auth;
using Pact.Daemon.Http;
using Pact.Daemon.Http.OpenApi;
using Pact.Daemon.Streaming;
using Pact.Store;

namespace Pact.Daemon.Hosting;

/// <summary>Builds the daemon: configuration, services and the HTTP pipeline. Tests build it the same way.</summary>
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

    /// <summary>Builds the daemon and opens its store (asynchronously: nothing in start-up blocks a thread).</summary>
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? customize = null, CancellationToken ct = default)
    {
        // Fails at start if the bundled libsodium cannot load or miscomputes, rather than at the first signature.
        Ed25519.EnsureAvailable();

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(PactApp).Assembly.GetName().Name, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(PactEnvironmentVariables());
        builder.Configuration.AddCommandLine(args, SwitchMappings);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["Kestrel:Endpoints:Http:Url"]))
            builder.WebHost.UseUrls(DefaultUrl);
        customize?.Invoke(builder);

        var pact = builder.Configuration.GetSection(PactOptions.Section).Get<PactOptions>() ?? new PactOptions();
        builder.Services.Configure<PactOptions>(builder.Configuration.GetSection(PactOptions.Section));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = pact.Limits.MaxBodyBytes;
            k.AddServerHeader = false;
        });

        builder.Services.AddPactObservability(builder.Configuration);
        AddPactServices(builder.Services, pact);

        var app = builder.Build();
        await app.Services.OpenPactStoreAsync(ct);
        ConfigurePipeline(app);
        return app;
    }

    private static void AddPactServices(IServiceCollection services, PactOptions pact)
    {
        services.TryAddSingleton(TimeProvider.System);
        // First of the hosted services: the others start on a loaded state.
        services.AddSingleton<DaemonStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<DaemonStartup>());
        services.AddSingleton(sp => new DataDirectory(pact.DataDirectory));
        services.AddSingleton(sp =>
        {
            var data = sp.GetRequiredService<DataDirectory>();
            var key = data.LoadOrCreateDaemonKey(out var created);
            if (created) sp.GetRequiredService<ILogger<DaemonIdentity>>().LogInformation("Created the daemon key {DaemonId} in {Path}", key.Did, data.DaemonKeyPath);
            return new DaemonIdentity(key, pact.Origin);
        });
        services.AddSingleton(sp =>
        {
            var data = sp.GetRequiredService<DataDirectory>();
            if (!string.IsNullOrEmpty(pact.AdminToken)) return new AdminToken(pact.AdminToken);
            var token = data.LoadOrCreateSecret(data.AdminTokenPath, 32, out var created);
            if (created)
            {
                // The token itself never goes to the log (logs are shipped and kept): only where to read it.
                sp.GetRequiredService<ILogger<AdminToken>>().LogWarning("Generated an admin token; read it from {Path} (mode 0600)", data.AdminTokenPath);
            }
            return new AdminToken(token);
        });
        services.AddSingleton(sp =>
        {
            var data = sp.GetRequiredService<DataDirectory>();
            var secret = data.LoadOrCreateSecret(data.TokenSecretPath, 32, out _);
            return new BearerTokens(Pact.Core.Encoding.Base64Url.Decode(secret), sp.GetRequiredService<TimeProvider>());
        });
        services.AddPactStore(sp => new PactStoreOptions
        {
            DatabasePath = sp.GetRequiredService<DataDirectory>().DatabasePath,
            Synchronous = pact.Synchronous,
            // A damaged log must not keep the daemon down: it starts degraded so verify can name the damage.
            OpenWithBrokenLog = true,
        });
        services.AddHttpContextAccessor();
        services.AddPactReverseProxy(pact.ReverseProxy);
        services.AddPactAuthentication();
        services.AddPactRateLimiting();
        services.AddPactProblems();
        services.AddPactHealthChecks();
        services.AddSingleton<EnvelopeAuthenticator>();
        services.AddSingleton<CommandRunner>();
        services.AddSingleton<KeyedLock>();
        services.AddSingleton<AgentService>();
        services.AddSingleton<TranscriptQuarantine>();
        services.AddSingleton<DecisionEngine>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<ProposalService>();
        services.AddSingleton<LifecycleService>();
        services.AddPactPassports();
        services.AddHostedService<DeadlineTimer>();
        services.AddSingleton<EventHub>();
        services.AddSingleton<EventStreamer>();
        services.AddHostedService<NonceJanitor>();

        // ---- Webhooks (§10): subscriptions, transactional outbox, dispatcher — see Webhooks/WebhookServices.cs ----
        Pact.Daemon.Webhooks.WebhookServices.AddPactWebhooks(services, pact.Webhooks);
        // ---- end webhooks ----

        // ---- Verifiable log (PROTOCOL §7 verify, §8.4 export, §9 checkpoints and proofs) ----
        services.AddSingleton<Pact.Daemon.TransparencyLog.LogCheckpointer>();
        services.AddHostedService(sp => sp.GetRequiredService<Pact.Daemon.TransparencyLog.LogCheckpointer>());
        services.AddSingleton<Pact.Daemon.TransparencyLog.SessionVerifier>();
        services.AddSingleton<Pact.Daemon.TransparencyLog.SessionExporter>();
        // ---- end of the verifiable log ----

        services.AddControllers(mvc =>
            {
                // The strict reader is the only one: no other formatter may accept a body it would refuse.
                mvc.InputFormatters.Clear();
                mvc.InputFormatters.Add(new StrictJsonInputFormatter());
                mvc.Conventions.Add(new HeadServedLikeGet());
                // Bodies are JSON only: MVC's form readers would parse a form-encoded body before the action could
                // refuse it (415), and the jQuery one throws on a key with an unclosed bracket (a 500).
                for (var i = mvc.ValueProviderFactories.Count - 1; i >= 0; i--)
                {
                    if (mvc.ValueProviderFactories[i] is Microsoft.AspNetCore.Mvc.ModelBinding.FormValueProviderFactory
                        or Microsoft.AspNetCore.Mvc.ModelBinding.JQueryFormValueProviderFactory
                        or Microsoft.AspNetCore.Mvc.ModelBinding.FormFileValueProviderFactory)
                        mvc.ValueProviderFactories.RemoveAt(i);
                }
            })
            .ConfigureApiBehaviorOptions(api =>
            {
                // Body-less client errors (415, …) go through the status-code pages, which answer with PACT codes.
                api.SuppressMapClientErrors = true;
                api.InvalidModelStateResponseFactory = context =>
                {
                    var message = context.ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage).FirstOrDefault(m => !string.IsNullOrEmpty(m))
                        ?? "The request body is missing or malformed.";
                    return Problems.ActionResult(new PactError(PactCodes.InvalidJson, 400, "Body is not valid JSON", message));
                };
            });
        services.AddPactOpenApi();
    }

    private static void ConfigurePipeline(WebApplication app)
    {
        var listener = app.Services.GetRequiredService<ListenerInfo>();
        app.Lifetime.ApplicationStarted.Register(() => listener.Update(app.Urls));

        app.UsePactReverseProxy();
        app.UsePactRequestLogging();
        app.UseExceptionHandler();
        app.UseMiddleware<LoopbackHostMiddleware>();
        app.UseMiddleware<BodyLimitMiddleware>();
        app.UseAuthentication();
        app.UsePactMetricsEndpoint(app.Services.GetRequiredService<IOptions<PactOptions>>().Value.Telemetry, listener);
        app.UseRateLimiter();
        app.UseStatusCodePages(StatusCodeProblems.WriteAsync);
        app.MapPactHealthChecks();
        app.MapPactOpenApi();
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

/// <summary>Forgets expired nonces every few minutes.</summary>
internal sealed class NonceJanitor(INonceStore nonces, TimeProvider time, ILogger<NonceJanitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(5), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var removed = await nonces.PruneAsync(time.GetUtcNow(), stoppingToken);
                if (removed > 0) logger.LogDebug("Pruned {Count} expired nonces", removed);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Pruning nonces failed; will retry");
            }
        }
    }
}
