using System.Text.Json;
using Pact.Core.Errors;
using Pact.Core.Json;
using Pact.Daemon.Http;

namespace Pact.Daemon.Application;

/// <summary>
/// What a command answers: a status and its response (a record of Pact.Core.Contracts.Responses, serialized once —
/// the same text is remembered with the nonce and sent), or a refusal.
/// </summary>
public sealed record CommandOutcome(int Status, string? Body, PactError? Error)
{
    public static CommandOutcome Ok<T>(int status, T body) => new(status, Serialize(body), null);

    public static CommandOutcome Fail(PactError error) => new(error.Status, null, error);

    public static implicit operator CommandOutcome(PactError error) => Fail(error);

    public IResult ToResult() => Error is not null ? Problems.Result(Error) : Json(Status, Body!);

    /// <summary>A response record as the wire carries it: PactJson's options, written compactly.</summary>
    public static string Serialize<T>(T body) => JsonSerializer.Serialize(body, PactJson.Options);

    /// <summary>JSON text already serialized (a remembered response replays byte for byte).</summary>
    public static IResult Json(int status, string body) => Results.Text(body, "application/json; charset=utf-8", System.Text.Encoding.UTF8, status);
}
