using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Daemon.Http;

namespace Pact.Daemon.Application;

/// <summary>What a command answers: a status and JSON body, or a refusal.</summary>
public sealed record CommandOutcome(int Status, JsonNode? Body, PactError? Error)
{
    public static CommandOutcome Ok(int status, JsonNode body) => new(status, body, null);

    public static CommandOutcome Fail(PactError error) => new(error.Status, null, error);

    public static implicit operator CommandOutcome(PactError error) => Fail(error);

    public IResult ToResult() => Error is not null ? Problems.Result(Error) : Json(Status, Body!.ToJsonString(Pact.Core.Json.PactJson.Options));

    public static IResult Json(int status, string body) => Results.Text(body, "application/json; charset=utf-8", System.Text.Encoding.UTF8, status);
}
