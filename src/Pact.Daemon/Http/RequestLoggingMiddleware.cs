using System.Diagnostics;

namespace Pact.Daemon.Http;

/// <summary>One structured line per request: method, path, status, elapsed time, caller and traceId.</summary>
public sealed class RequestLoggingMiddleware(RequestDelegate next, ILogger<RequestLoggingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var caller = context.Items.TryGetValue(CallerItems.Agent, out var agent) ? agent : null;
            var level = context.Response.StatusCode >= 500 ? LogLevel.Error : LogLevel.Information;
            logger.Log(level, "HTTP {Method} {Path} responded {StatusCode} in {Elapsed:0.0} ms (caller {Caller}, trace {TraceId})",
                context.Request.Method, context.Request.Path.Value, context.Response.StatusCode, elapsed, caller ?? "-", Problems.TraceId(context));
        }
    }
}

/// <summary>Keys under which the pipeline leaves facts about the caller in HttpContext.Items.</summary>
public static class CallerItems
{
    public const string Agent = "pact.agent";
}
