using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Pact.Daemon.Auth;
using Pact.Daemon.Http;
using Pact.Daemon.Hosting;
using Serilog;
using Serilog.Extensions.Hosting;
using Serilog.Formatting.Compact;

namespace Pact.Daemon.Telemetry;

/// <summary>
/// Logging (Serilog) and telemetry (OpenTelemetry) for the daemon: where log lines go and in which format, the
/// one request-log line, and which traces and metrics are collected and where they are exported.
/// </summary>
public static class ObservabilityServices
{
    private const string TextTemplate = "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>Registers Serilog as the logging provider and OpenTelemetry's tracing and metrics.</summary>
    public static IServiceCollection AddPactObservability(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPactSettings<LoggingOptions>(configuration, LoggingOptions.Section);
        services.AddPactSettings<TelemetryOptions>(configuration, TelemetryOptions.Section);
        services.AddPactLogging(configuration);
        services.AddSingleton(sp => new CachingLoggerFactory(sp.GetRequiredService<ILoggerFactory>()));
        // Which exporters exist is decided as services are registered; a bad value is refused at start like any other.
        services.AddPactTelemetry(Settings.Read<TelemetryOptions>(configuration, TelemetryOptions.Section));
        return services;
    }

    /// <summary>One line per request (Serilog's request logging), carrying the PACT code of a refusal.</summary>
    public static IApplicationBuilder UsePactRequestLogging(this IApplicationBuilder app)
    {
        // The host's own logger: Serilog's middleware would otherwise write through the static Log.Logger,
        // which is this logger only when Program.cs installed the bootstrap logger.
        var logger = app.ApplicationServices.GetRequiredService<Serilog.ILogger>();
        return app.UseSerilogRequestLogging(options =>
        {
            RequestLog.Configure(options);
            options.Logger = logger;
        });
    }

    /// <summary>
    /// <c>GET /metrics</c> in Prometheus' text format (<see cref="TelemetryOptions.Prometheus"/> says to whom). After
    /// authentication, so an exposed daemon can ask for the admin token; before the rate limiter, so a scraper does
    /// not spend a budget. A request it does not serve falls through to the 404 ProblemDetails.
    /// </summary>
    public static IApplicationBuilder UsePactMetricsEndpoint(this IApplicationBuilder app)
    {
        var telemetry = app.ApplicationServices.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        var listener = app.ApplicationServices.GetRequiredService<ListenerInfo>();
        if (telemetry.Prometheus == false) return app;
        return app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
            context.Request.Path == "/metrics" &&
            (listener.LoopbackOnly || (telemetry.Prometheus == true && context.User.IsOperator())));
    }

    private static void AddPactLogging(this IServiceCollection services, IConfiguration configuration)
    {
        // Program.cs installs a bootstrap logger; here it is reconfigured from the settings and frozen. A host
        // built without it (the tests build several in one process) gets a logger of its own instead.
        var hasBootstrapLogger = Log.Logger is ReloadableLogger;
        services.AddSerilog((provider, logger) =>
        {
            logger.ReadFrom.Configuration(configuration)
                .ReadFrom.Services(provider)
                .Enrich.FromLogContext();
            // Program.cs reports a failed start itself (a line naming the fix, or the exception once); the host's
            // own "Hosting failed to start" would repeat it as a stack trace.
            if (hasBootstrapLogger) logger.Filter.ByExcluding(e => e.MessageTemplate.Text == "Hosting failed to start");
            if (provider.GetRequiredService<IOptions<LoggingOptions>>().Value.Format == LogFormat.Json) logger.WriteTo.Console(new RenderedCompactJsonFormatter());
            else logger.WriteTo.Console(outputTemplate: TextTemplate);
        }, preserveStaticLogger: !hasBootstrapLogger);
    }

    private static void AddPactTelemetry(this IServiceCollection services, TelemetryOptions telemetry)
    {
        // Exported only when an endpoint is configured. Without one the providers still run, so a test's in-memory
        // exporter sees the same metrics, and the spans of the traces that are recorded.
        var endpoint = telemetry.OtlpUri;
        services.AddOpenTelemetry()
            .WithTracing(tracing =>
            {
                tracing.AddSource(PactTelemetry.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation();
                if (endpoint is not null) tracing.AddOtlpExporter(o => o.Endpoint = endpoint);
                // The caller's traceparent decides for its request; a trace the daemon starts itself is recorded only when
                // RecordsRootTraces. An unrecorded request's own activity still exists (OpenTelemetry keeps it for
                // propagation), so the request log and ProblemDetails keep its traceId; its Pact child spans are not created.
                tracing.SetSampler(new ParentBasedSampler(telemetry.RecordsRootTraces ? new AlwaysOnSampler() : new AlwaysOffSampler()));
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PactTelemetry.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
                if (endpoint is not null) metrics.AddOtlpExporter(o => o.Endpoint = endpoint);
                if (telemetry.Prometheus != false) metrics.AddPrometheusExporter();
            });
    }
}
