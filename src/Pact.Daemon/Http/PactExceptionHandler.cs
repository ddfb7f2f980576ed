using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Pact.Core.Errors;

namespace Pact.Daemon.Http;

/// <summary>
/// Last line of defence, behind ASP.NET's exception-handler middleware: every failure leaves as ProblemDetails with
/// a PACT code. Malformed JSON is a 400, an oversized body a 413; a damaged transcript a 500 PACT-401; a database server that gives no connection a 503 with Retry-After; anything
/// unexpected is logged with its stack and answered as a 500 that reveals nothing but the traceId. (A request the
/// client aborted is not answered: the middleware itself recognises it.)
/// </summary>
public sealed class PactExceptionHandler(ILogger<PactExceptionHandler> logger) : IExceptionHandler
{
    private static readonly TimeSpan RetryStoreAfter = TimeSpan.FromSeconds(1);

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var error = ToError(httpContext, exception);
        await Problems.WriteAsync(httpContext, error, exception is Pact.Store.StoreUnavailableException ? RetryStoreAfter : null);
        return true;
    }

    private PactError ToError(HttpContext context, Exception exception)
    {
        switch (exception)
        {
            case InvalidJsonException e:
                return new PactError(PactCodes.InvalidJson, 400, "Body is not valid JSON", e.Message);
            case PactProblemException e:
                return e.Error;
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                return Problems.ForStatus(413);
            case BadHttpRequestException e:
                return new PactError(PactCodes.InvalidJson, 400, "Bad request", e.Message);
            case Pact.Store.StoreUnavailableException e:
                logger.LogWarning(e, "The store is unavailable on {Method} {Path} (trace {TraceId})", context.Request.Method, context.Request.Path, Problems.TraceId(context));
                return new PactError(PactCodes.NotReady, StatusCodes.Status503ServiceUnavailable, "Store unavailable",
                    "The database server did not give the daemon a connection (too many clients, or it is starting or stopping); nothing was recorded. Retry after Retry-After.");
            case Pact.Store.TranscriptIntegrityException e:
                logger.LogCritical(e, "Transcript integrity failure on {Method} {Path} (trace {TraceId})", context.Request.Method, context.Request.Path, Problems.TraceId(context));
                return new PactError(PactCodes.IntegrityFailure, 500, "Transcript integrity failure", e switch
                {
                    { SessionId: { } sessionId } => $"The stored data of session {sessionId} failed its integrity checks: it was altered or damaged. Run GET /v1/sessions/{sessionId}/verify; the operator sees the finding in GET /healthz.",
                    { Resource: { } resource } => $"The stored {resource} failed its integrity check: it was altered or damaged, and is not served.",
                    _ => "A stored event no longer matches its hash; the transcript has been altered. Run GET /v1/sessions/{id}/verify to locate it.",
                });
            default:
                logger.LogError(exception, "Unhandled failure on {Method} {Path} (trace {TraceId})", context.Request.Method, context.Request.Path, Problems.TraceId(context));
                return new PactError(PactCodes.Internal, 500, "Internal error", "The daemon failed to handle this request; quote the traceId when reporting it.");
        }
    }
}

/// <summary>Turns body-less error statuses from routing and MVC (404, 405, 415, …) into ProblemDetails.</summary>
public static class StatusCodeProblems
{
    public static async Task WriteAsync(StatusCodeContext ctx)
    {
        var response = ctx.HttpContext.Response;
        if (response.HasStarted || response.ContentLength > 0 || response.ContentType is not null) return;
        if (ctx.HttpContext.Features.Get<IHttpResponseBodyFeature>() is null) return;
        await Problems.WriteAsync(ctx.HttpContext, Problems.ForStatus(response.StatusCode));
    }
}

public static class ProblemServices
{
    /// <summary>ProblemDetails for every failure: <see cref="PactExceptionHandler"/> through ASP.NET's exception handler.</summary>
    public static IServiceCollection AddPactProblems(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<PactExceptionHandler>();
        return services;
    }
}
