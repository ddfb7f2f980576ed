using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Pact.Core.Contracts.Responses;
using Pact.Core.Errors;
using Pact.Core.Json;
using Pact.Daemon.Application;
using Pact.Daemon.Application.Reputation;
using Pact.Daemon.Auth;

namespace Pact.Daemon.Controllers;

/// <summary>Agents' passports: reputation computed from this daemon's log by fixed integer arithmetic (§16).</summary>
public sealed class PassportsController(PassportService service, ReputationProviders providers) : PactControllerBase
{
    /// <summary>
    /// An agent's passport over the log up to <c>asOfSeq</c>, or up to the last event at or before <c>asOf</c>, or by
    /// default up to the last committed event: its counts, score, confidence, recent failures and passportHash; then,
    /// outside the hash, the figures of the deployment's extra reputation providers, if it has any.
    /// </summary>
    [HttpGet("/v1/agents/{agentId}/passport")]
    [ProducesResponseType(typeof(PassportResponse), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> Get(string agentId, [FromQuery] string? asOfSeq, [FromQuery] string? asOf, CancellationToken ct)
    {
        if (SingleQueryValues("asOfSeq", "asOf") is { } ambiguous) return Problem(ambiguous);
        var (passport, error) = await service.GetAsync(agentId, asOfSeq, asOf, ct);
        if (error is not null) return Problem(error);
        return Json(PassportResponse.From(passport!) with { Providers = await providers.EvaluateAsync(passport!, ct) });
    }

    /// <summary>
    /// Whether an agent's passport meets <c>minScore</c> (hundredths) and <c>minConfidence</c> (percent): the first
    /// reason that applies, in the order INSUFFICIENT_HISTORY, RECENT_POLICY_VIOLATION, LOW_SCORE, LOW_CONFIDENCE,
    /// with a sentence naming what decided. Both thresholds 0 always pass.
    /// </summary>
    [HttpPost("/v1/agents/{agentId}/passport/check")]
    [ProducesResponseType(typeof(PassportCheckResponse), StatusCodes.Status200OK)]
    [Consumes(typeof(PassportCheckRequest), "application/json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> Check(string agentId, [FromBody] JsonObject body, CancellationToken ct)
    {
        var (verdict, error) = await service.CheckAsync(agentId, body, ct);
        return error is not null ? Problem(error) : Json(PassportCheckResponse.From(verdict!));
    }

    private static IResult Json<T>(T body) => CommandOutcome.Json(200, JsonSerializer.Serialize(body, PactJson.Options));
}
