using Microsoft.AspNetCore.Mvc;
using Pact.Daemon.Auth;
using Pact.Core.Contracts.Responses;
using Pact.Core.Errors;
using Pact.Core.Time;
using Pact.Daemon.Application;
using Pact.Daemon.Http;

using Pact.Store;

namespace Pact.Daemon.Controllers;

/// <summary>Agents, their bearer tokens, and registration invites (§3).</summary>
public sealed class AgentsController(CommandRunner commands, AgentService service, IAgentDirectory agents, TranscriptQuarantine quarantine) : PactControllerBase
{
    /// <summary>Registers the signing agent (an agent.register envelope signed by the new key: proof of possession).</summary>
    /// <response code="201">Registered.</response>
    /// <response code="200">Already registered: the existing record.</response>
    [HttpPost("/v1/agents")]
    [ProducesResponseType(typeof(AgentInfo), StatusCodes.Status201Created)]
    [ProducesResponseType(typeof(AgentInfo), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [Envelope("agent.register")]
    public Task<IResult> Register([FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, AgentService.RegisterSpec, null, service.RegisterAsync, ct, signerMayBeUnregistered: true);

    /// <summary>An agent's public record.</summary>
    [HttpGet("/v1/agents/{agentId}")]
    [ProducesResponseType(typeof(AgentInfo), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IResult> Get(string agentId, CancellationToken ct)
    {
        if (await agents.GetAsync(agentId, ct) is not { } agent) return Problem(PactError.NotFound($"Agent {agentId}"));
        quarantine.ThrowIfUnreadable(null);
        return Json(200, agent.ToResponse());
    }

    /// <summary>Issues a one-hour bearer token for reads to the signing agent (auth.token envelope).</summary>
    [HttpPost("/v1/auth/token")]
    [ProducesResponseType(typeof(BearerToken), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [Envelope("auth.token")]
    public Task<IResult> Token([FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, AgentService.TokenSpec, null, service.IssueTokenAsync, ct);

    /// <summary>Creates a one-time registration code (admin token).</summary>
    [HttpPost("/v1/invites")]
    [ProducesResponseType(typeof(Invite), StatusCodes.Status201Created)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status403Forbidden, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Operator, Forbidden = "Only the operator's admin token may create invites.")]
    public async Task<IResult> CreateInvite([FromBody] InviteRequest? request, CancellationToken ct)
    {
        if (request?.ExpiresIn is { } expiresIn && !IsoDuration.IsValid(expiresIn))
            return Problem(PactError.InvalidPayload("'expiresIn' must be an ISO 8601 duration like P7D.", "/expiresIn"));
        return Json(201, await service.CreateInviteAsync(request?.ExpiresIn, ct));
    }
}

/// <summary>POST /v1/invites body.</summary>
public sealed record InviteRequest(string? ExpiresIn);
