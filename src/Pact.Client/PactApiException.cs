using System.Net;
using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Json;

namespace Pact.Client;

/// <summary>
/// The daemon answered a request with a non-2xx status. When the body is an RFC 9457 ProblemDetails (§11)
/// its members are parsed out; otherwise <see cref="Code"/> is null and <see cref="RawBody"/> holds what came.
/// </summary>
public sealed class PactApiException : Exception
{
    /// <summary>Builds the exception from a parsed or unparsed error answer.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="code">The PACT-xxx code, when the body carried one.</param>
    /// <param name="title">The ProblemDetails title, or the HTTP reason.</param>
    /// <param name="detail">The ProblemDetails detail.</param>
    /// <param name="traceId">The daemon's trace id for its logs.</param>
    /// <param name="type">The ProblemDetails type URI.</param>
    /// <param name="errors">The field errors, empty when none.</param>
    /// <param name="rawBody">The body exactly as received.</param>
    /// <param name="retryAfter">The Retry-After delay of a 429 or 503, when given.</param>
    public PactApiException(
        int status,
        string? code,
        string title,
        string? detail,
        string? traceId,
        string? type,
        IReadOnlyList<FieldError> errors,
        string rawBody,
        TimeSpan? retryAfter = null)
        : base(Describe(status, code, title, detail))
    {
        Status = status;
        Code = code;
        Title = title;
        Detail = detail;
        TraceId = traceId;
        Type = type;
        Errors = errors;
        RawBody = rawBody;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status.</summary>
    public int Status { get; }

    /// <summary>The PACT-xxx code (see <see cref="PactCodes"/>), or null when the body was not a Pact ProblemDetails.</summary>
    public string? Code { get; }

    /// <summary>The ProblemDetails title, or the HTTP reason phrase.</summary>
    public string Title { get; }

    /// <summary>The ProblemDetails detail, or null.</summary>
    public string? Detail { get; }

    /// <summary>The daemon's trace id for this request, or null.</summary>
    public string? TraceId { get; }

    /// <summary>The ProblemDetails type URI, e.g. "urn:pact:error:PACT-301", or null.</summary>
    public string? Type { get; }

    /// <summary>The field errors of a validation failure (§4.2), in the daemon's order; empty when none.</summary>
    public IReadOnlyList<FieldError> Errors { get; }

    /// <summary>The response body as received.</summary>
    public string RawBody { get; }

    /// <summary>How long the daemon asked to wait before retrying, when it said so.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>True when the body was a ProblemDetails carrying a Pact code.</summary>
    public bool IsProblemDetails => Code is not null;

    /// <summary>The error as the shared <see cref="PactError"/> record (code "" when the body carried none).</summary>
    public PactError ToPactError() => new(Code ?? "", Status, Title, Detail, Errors);

    /// <summary>
    /// Reads an error answer. A JSON object body is taken as ProblemDetails; anything else is kept raw with
    /// the reason phrase as title.
    /// </summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="reasonPhrase">The HTTP reason phrase, used when the body says nothing better.</param>
    /// <param name="body">The body as text.</param>
    /// <param name="retryAfter">The Retry-After delay, when given.</param>
    public static PactApiException FromResponse(int status, string? reasonPhrase, string body, TimeSpan? retryAfter = null)
    {
        var fallbackTitle = string.IsNullOrEmpty(reasonPhrase) ? ((HttpStatusCode)status).ToString() : reasonPhrase;
        JsonObject? problem = null;
        try
        {
            problem = StrictJson.Parse(body) as JsonObject;
        }
        catch (Exception e) when (e is InvalidJsonException or System.Text.Json.JsonException)
        {
            // Not JSON (a proxy's HTML page, say): keep it raw below.
        }
        if (problem is null)
            return new PactApiException(status, null, fallbackTitle, null, null, null, [], body, retryAfter);

        var errors = new List<FieldError>();
        if (problem["errors"] is JsonArray list)
        {
            foreach (var item in list)
            {
                if (item is not JsonObject e) continue;
                errors.Add(new FieldError(Text(e, "pointer") ?? "", Text(e, "code") ?? "", Text(e, "message") ?? ""));
            }
        }
        return new PactApiException(
            status,
            Text(problem, "code"),
            Text(problem, "title") ?? fallbackTitle,
            Text(problem, "detail"),
            Text(problem, "traceId"),
            Text(problem, "type"),
            errors,
            body,
            retryAfter);
    }

    private static string? Text(JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static string Describe(int status, string? code, string title, string? detail)
    {
        var head = code is null ? $"{status} {title}" : $"{code} {title} ({status})";
        return string.IsNullOrEmpty(detail) ? head : $"{head}: {detail}";
    }
}
