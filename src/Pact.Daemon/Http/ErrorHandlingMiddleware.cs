using Microsoft.AspNetCore.Http.Features;
using Pact.Core.Errors;

namespace Pact.Daemon.Http;

/// <summary>
/// Last line of defence: every failure leaves as ProblemDetails with a PACT code. Malformed JSON is a
/// 400, an oversized body a 413; anything unexpected is logged with its stack and answered as a 500
/// that reveals nothing but the traceId.
/// </summary>
public sealed class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (InvalidJsonException e)
        {
            await Problems.WriteAsync(context, new PactError(PactCodes.InvalidJson, 400, "Body is not valid JSON", e.Message));
        }
        catch (PactProblemException e)
        {
            await Problems.WriteAsync(context, e.Error);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await Problems.WriteAsync(context, Problems.ForStatus(413));
        }
        catch (BadHttpRequestException e)
        {
            await Problems.WriteAsync(context, new PactError(PactCodes.InvalidJson, 400, "Bad request", e.Message));
        }
        catch (Pact.Store.TranscriptIntegrityException e)
        {
            logger.LogCritical(e, "Transcript integrity failure on {Method} {Path} (trace {TraceId})", context.Request.Method, context.Request.Path, Problems.TraceId(context));
            await Problems.WriteAsync(context, new PactError(PactCodes.IntegrityFailure, 500, "Transcript integrity failure",
                "A stored event no longer matches its hash; the transcript has been altered. Run GET /v1/sessions/{id}/verify to locate it."));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception e)
        {
            logger.LogError(e, "Unhandled failure on {Method} {Path} (trace {TraceId})", context.Request.Method, context.Request.Path, Problems.TraceId(context));
            await Problems.WriteAsync(context, new PactError(PactCodes.Internal, 500, "Internal error",
                "The daemon failed to handle this request; quote the traceId when reporting it."));
        }
    }
}

/// <summary>Turns body-less error statuses from routing and MVC (404, 405, 415, …) into ProblemDetails.</summary>
public static class StatusCodeProblems
{
    public static async Task WriteAsync(Microsoft.AspNetCore.Diagnostics.StatusCodeContext ctx)
    {
        var response = ctx.HttpContext.Response;
        if (response.HasStarted || response.ContentLength > 0 || response.ContentType is not null) return;
        if (ctx.HttpContext.Features.Get<IHttpResponseBodyFeature>() is null) return;
        await Problems.WriteAsync(ctx.HttpContext, Problems.ForStatus(response.StatusCode));
    }
}
