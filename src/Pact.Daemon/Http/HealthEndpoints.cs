using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pact.Core.Errors;
using Pact.Daemon.Application;
using Pact.Daemon.Auth;
using Pact.Daemon.Hosting;
using Pact.Store;

namespace Pact.Daemon.Http;

/// <summary>
/// /healthz (liveness: the process answers) and /readyz (readiness: the start-up replay is done and the store accepts
/// a write) on ASP.NET's health checks, answering with the bodies §12 and the tests fix. A daemon whose transcript
/// failed its checks at start says "degraded" in place of "ok"/"ready" (still 200: a restart would not help); the
/// admin token also sees which sessions are quarantined. The probes spend no rate budget: a supervisor must see a
/// busy daemon as alive.
/// </summary>
public static class HealthEndpoints
{
    private const string Readiness = "ready";

    public static IServiceCollection AddPactHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<StartupCompleteCheck>("startup", tags: [Readiness])
            .AddCheck<StoreWritableCheck>("store", tags: [Readiness]);
        return services;
    }

    public static void MapPactHealthChecks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = (context, _) => WriteJsonAsync(context, new JsonObject { ["status"] = "ok" }),
            AllowCachingResponses = true,
        }).WithMetadata(new HttpMethodMetadata([HttpMethods.Get])).DisableRateLimiting();
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Readiness),
            ResponseWriter = WriteReadinessAsync,
            AllowCachingResponses = true,
        }).WithMetadata(new HttpMethodMetadata([HttpMethods.Get])).DisableRateLimiting();
    }

    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        if (report.Status != HealthStatus.Healthy)
        {
            var reason = report.Entries.Values.First(e => e.Status != HealthStatus.Healthy).Description;
            return Problems.WriteAsync(context, new PactError(PactCodes.NotReady, 503, "Not ready", reason));
        }
        var store = context.RequestServices.GetRequiredService<IPactStore>();
        return WriteJsonAsync(context, new JsonObject { ["status"] = "ready", ["headSeq"] = store.HeadSeq });
    }

    private static Task WriteJsonAsync(HttpContext context, JsonObject body)
    {
        context.RequestServices.GetRequiredService<TranscriptQuarantine>().Describe(body, context.User.IsOperator());
        return CommandOutcome.Json(StatusCodes.Status200OK, body.ToJsonString(Pact.Core.Json.PactJson.Options)).ExecuteAsync(context);
    }
}

/// <summary>Not ready until <see cref="DaemonStartup"/> has replayed the transcript into the decision state.</summary>
internal sealed class StartupCompleteCheck(DaemonStartup startup) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(startup.IsComplete
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The daemon is still replaying its transcript."));
}

/// <summary>The store is open (<see cref="PactStoreOpener"/>) and takes a write: a read of its settings through the writer.</summary>
internal sealed class StoreWritableCheck(PactStoreOpener opener, IPactStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!opener.IsOpen) return HealthCheckResult.Unhealthy("The transcript store is not open yet.");
        try
        {
            // Through the writer: the database answers and the writer takes requests.
            await store.GetDiagnosticsAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The transcript store is not writable: " + e.Message, e);
        }
    }
}
