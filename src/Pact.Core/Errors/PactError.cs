namespace Pact.Core.Errors;

/// <summary>One violation inside a request body, located by an RFC 6901 JSON pointer.</summary>
public sealed record FieldError(string Pointer, string Code, string Message);

/// <summary>
/// An expected refusal: what the protocol answers instead of doing something. Carries everything a
/// ProblemDetails needs (§11); domain code returns it, only the host turns it into HTTP.
/// </summary>
public sealed record PactError(string Code, int Status, string Title, string? Detail = null, IReadOnlyList<FieldError>? Errors = null)
{
    /// <summary>Extension members the problem carries besides code, traceId and errors (PACT-208's agent, reason, triggeringFactor).</summary>
    public IReadOnlyList<KeyValuePair<string, string?>>? Members { get; init; }

    /// <summary>Extension members with JSON values (PACT-112's <c>decision</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, System.Text.Json.Nodes.JsonNode?>>? JsonMembers { get; init; }

    /// <summary>Builds a 422 from field errors, sorted by pointer then code, answering with the first one's code (§4.2).</summary>
    public static PactError FromFieldErrors(string title, IEnumerable<FieldError> errors)
    {
        var sorted = errors
            .OrderBy(e => e.Pointer, StringComparer.Ordinal)
            .ThenBy(e => e.Code, StringComparer.Ordinal)
            .ToList();
        if (sorted.Count == 0) throw new ArgumentException("At least one error is required.", nameof(errors));
        return new PactError(sorted[0].Code, 422, title, sorted[0].Message, sorted);
    }

    public static PactError NotFound(string what) => new(PactCodes.NotFound, 404, "Not found", $"{what} was not found.");
    public static PactError Forbidden(string detail) => new(PactCodes.Forbidden, 403, "Not allowed", detail);
    public static PactError InvalidPayload(string detail, string pointer = "") =>
        new(PactCodes.InvalidPayload, 422, "Invalid payload", detail, [new FieldError(pointer, PactCodes.InvalidPayload, detail)]);
}

/// <summary>Thrown when input is not the JSON the protocol requires (PACT-100); the host maps it to 400.</summary>
public sealed class InvalidJsonException(string message, Exception? inner = null) : Exception(message, inner);
