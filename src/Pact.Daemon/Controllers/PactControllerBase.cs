using Microsoft.AspNetCore.Mvc;
using Pact.Core.Errors;
using Pact.Daemon.Auth;
using Pact.Daemon.Http;

namespace Pact.Daemon.Controllers;

/// <summary>Shared plumbing of the API controllers: JSON in and out, ProblemDetails for every refusal.</summary>
[ApiController]
[Produces("application/json")]
[ProducesResponseType(typeof(ProblemBody), StatusCodes.Status400BadRequest, "application/problem+json")]
[ProducesResponseType(typeof(ProblemBody), StatusCodes.Status429TooManyRequests, "application/problem+json")]
public abstract class PactControllerBase : ControllerBase
{
    /// <summary>The authenticated reader of an action under <see cref="RequirePolicyAttribute"/>.</summary>
    protected Caller Reader => User.ToCaller() ?? throw new InvalidOperationException("The action reads the caller without [RequirePolicy].");

    protected static IResult Problem(PactError error) => Problems.Result(error);

    /// <summary>
    /// Model binding reads an empty query value as absent and a repeated one as its first; where that would silently
    /// change what a request selects, this refuses either (PACT-101 at the parameter's pointer), or answers null.
    /// </summary>
    protected PactError? SingleQueryValues(params string[] names)
    {
        foreach (var name in names)
        {
            if (Request.Query.TryGetValue(name, out var given) && (given.Count != 1 || string.IsNullOrEmpty(given[0])))
                return PactError.InvalidPayload($"'{name}' is given at most once, with a value.", "/" + name);
        }
        return null;
    }

    /// <summary>A response record of Pact.Core.Contracts.Responses, written as every answer is (<see cref="Application.CommandOutcome.Serialize"/>).</summary>
    protected static IResult Json<T>(int status, T body) => Application.CommandOutcome.Json(status, Application.CommandOutcome.Serialize(body));

    protected static Dictionary<string, string> Targets(params (string Name, string Value)[] targets) =>
        targets.ToDictionary(t => t.Name, t => t.Value, StringComparer.Ordinal);
}

/// <summary>
/// RFC 9457 ProblemDetails as Pact answers it (§11), for the OpenAPI document: the standard members, <c>code</c> and
/// <c>traceId</c> always, <c>errors</c> on validation failures, and the members only one code carries (absent otherwise).
/// </summary>
public sealed class ProblemBody
{
    /// <summary>urn:pact:error:PACT-xxx</summary>
    public string Type { get; init; } = "";

    public string Title { get; init; } = "";

    public int Status { get; init; }

    public string? Detail { get; init; }

    /// <summary>The stable error code, e.g. PACT-301.</summary>
    public string Code { get; init; } = "";

    public string TraceId { get; init; } = "";

    /// <summary>Every violation found in the body, sorted by pointer then code.</summary>
    public IReadOnlyList<ProblemFieldError>? Errors { get; init; }

    /// <summary>PACT-208 only: the first participant, in the order given, that does not pass the session's passport admission (§16).</summary>
    public string? Agent { get; init; }

    /// <summary>PACT-208 only: why it does not pass — INSUFFICIENT_HISTORY, RECENT_POLICY_VIOLATION, LOW_SCORE or LOW_CONFIDENCE.</summary>
    public string? Reason { get; init; }

    /// <summary>PACT-208 only: a sentence naming the figure, or the failure with its date and evidence, that decided.</summary>
    public string? TriggeringFactor { get; init; }
}

public sealed record ProblemFieldError(string Pointer, string Code, string Message);
