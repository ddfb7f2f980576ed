using Serilog.AspNetCore;
using Serilog.Events;

namespace Pact.Daemon.Http;

/// <summary>
/// The one line logged per request (Serilog's request logging): method, path, status, elapsed time, the PACT
/// code of a refusal ("-" when there is none), the caller and the traceId.
/// </summary>
public static class RequestLog
{
    public const string Template =
        "HTTP {RequestMethod:l} {RequestPath:l} responded {StatusCode} {PactCode:l} in {Elapsed:0.0} ms (caller {Caller:l}, trace {TraceId:l})";

    public static void Configure(RequestLoggingOptions options)
    {
        options.MessageTemplate = Template;
        options.GetLevel = (context, _, exception) =>
            exception is not null || context.Response.StatusCode >= 500 ? LogEventLevel.Error : LogEventLevel.Information;
        options.EnrichDiagnosticContext = (diagnostics, context) =>
        {
            diagnostics.Set("PactCode", context.Items.TryGetValue(CallerItems.RefusalCode, out var code) ? code : "-");
            diagnostics.Set("Caller", context.Items.TryGetValue(CallerItems.Agent, out var agent) ? agent : "-");
            diagnostics.Set("TraceId", Problems.TraceId(context));
        };
    }

    /// <summary>Notes the PACT code a request was refused with; the ProblemDetails writer calls it.</summary>
    public static void NoteRefusal(HttpContext context, string code) => context.Items[CallerItems.RefusalCode] = code;
}

/// <summary>Keys under which the pipeline leaves facts about the caller and the outcome in HttpContext.Items.</summary>
public static class CallerItems
{
    public const string Agent = "pact.agent";

    public const string RefusalCode = "pact.refusal-code";
}
