using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pact.Core.Errors;

namespace Pact.Daemon.Http;

/// <summary>
/// The one place a <see cref="PactError"/> becomes an RFC 9457 ProblemDetails (§11): type
/// urn:pact:error:CODE, title, status, detail, and the extension members code, traceId and errors.
/// </summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";

    public static string TraceId(HttpContext context) =>
        Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;

    /// <summary>
    /// The longest detail or message a problem carries. Messages quote what was wrong (a member name, a value), so a
    /// 0.9 MB bad value would otherwise come back twice, in the detail and in its error.
    /// </summary>
    public const int MaxTextLength = 1000;

    public static JsonObject ToJson(PactError error, string traceId)
    {
        var body = new JsonObject
        {
            ["type"] = "urn:pact:error:" + error.Code,
            ["title"] = error.Title,
            ["status"] = error.Status,
            ["detail"] = Capped(error.Detail),
            ["code"] = error.Code,
            ["traceId"] = traceId,
        };
        foreach (var (name, value) in error.Members ?? []) body[name] = value;
        foreach (var (name, value) in error.JsonMembers ?? []) body[name] = value?.DeepClone();
        if (error.Errors is { Count: > 0 } errors)
        {
            body["errors"] = new JsonArray(errors.Select(e => (JsonNode)new JsonObject
            {
                ["pointer"] = e.Pointer,
                ["code"] = e.Code,
                ["message"] = Capped(e.Message),
            }).ToArray());
        }
        return body;
    }

    private static string? Capped(string? text) =>
        text is null || text.Length <= MaxTextLength ? text : string.Concat(text.AsSpan(0, MaxTextLength), "… (cut)");

    public static async Task WriteAsync(HttpContext context, PactError error, TimeSpan? retryAfter = null)
    {
        RequestLog.NoteRefusal(context, error.Code);
        if (context.Response.HasStarted) return;
        context.Response.Clear();
        context.Response.StatusCode = error.Status;
        context.Response.ContentType = ContentType;
        if (retryAfter is { } wait)
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await context.Response.WriteAsync(ToJson(error, TraceId(context)).ToJsonString(JsonOptions), context.RequestAborted);
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A result rendering the error as ProblemDetails (with Retry-After when a wait is given).</summary>
    public static IResult Result(PactError error, TimeSpan? retryAfter = null) => new ProblemResult(error, retryAfter);

    /// <summary>The same for MVC, where model binding answers with an action result.</summary>
    public static Microsoft.AspNetCore.Mvc.IActionResult ActionResult(PactError error) => new ProblemResult(error, null);

    private sealed class ProblemResult(PactError error, TimeSpan? retryAfter) : IResult, Microsoft.AspNetCore.Mvc.IActionResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext, error, retryAfter);

        public Task ExecuteResultAsync(Microsoft.AspNetCore.Mvc.ActionContext context) => WriteAsync(context.HttpContext, error, retryAfter);
    }

    public static PactError ForStatus(int status) => status switch
    {
        404 => new PactError(PactCodes.NotFound, 404, "Not found", "No resource matches this path."),
        405 => new PactError(PactCodes.MethodNotAllowed, 405, "Method not allowed", "This path does not accept that method."),
        413 => new PactError(PactCodes.BodyTooLarge, 413, "Body too large", "The request body is over the limit."),
        415 => new PactError(PactCodes.UnsupportedMediaType, 415, "Unsupported media type", "Send the body as application/json."),
        401 => new PactError(PactCodes.BadToken, 401, "Unauthorized", "A valid bearer token is required."),
        _ => new PactError("PACT-" + status.ToString(System.Globalization.CultureInfo.InvariantCulture), status, "Request failed", null),
    };
}

/// <summary>Carries a refusal out of model binding, where returning a result is not possible.</summary>
public sealed class PactProblemException(PactError error) : Exception(error.Detail ?? error.Title)
{
    public PactError Error { get; } = error;
}
