using Microsoft.AspNetCore.Mvc;
using Pact.Daemon.Auth;
using Pact.Core.Errors;
using Pact.Core.Time;
using Pact.Daemon.Application;
using Pact.Daemon.Http;

using Pact.Store;

namespace Pact.Daemon.Controllers;

/// <summary>Agents, their bearer tokens, and registration invites (§3).</summary>
public sealed class AgentsController(CommandRunner commands, AgentService service, IAgentDirectory agents) : PactControllerBase
{
    /// <summary>Registers the signing agent (an agent.register envelope signed by the new key: proof of possession).</summary>
    /// <response code="201">Registered.</response>
    /// <response code="200">Already registered: the existing record.</response>
    [HttpPost("/v1/agents")]
    [ProducesResponseType(typeof(AgentBody), StatusCodes.Status201Created)]
    [ProducesResponseType(typeof(AgentBody), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [Envelope("agent.register")]
    public Task<IResult> Register([FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, AgentService.RegisterSpec, null, service.RegisterAsync, ct, signerMayBeUnregistered: true);

    /// <summary>An agent's public record.</summary>
    [HttpGet("/v1/agents/{agentId}")]
    [ProducesResponseType(typeof(AgentBody), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IResult> Get(string agentId, CancellationToken ct) =>
        await agents.GetAsync(agentId, ct) is { } agent ? JsonResult(200, agent.ToJson()) : Problem(PactError.NotFound($"Agent {agentId}"));

    /// <summary>Issues a one-hour bearer token for reads to the signing agent (auth.token envelope).</summary>
    [HttpPost("/v1/auth/token")]
    [ProducesResponseType(typeof(TokenBody), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [Envelope("auth.token")]
    public Task<IResult> Token([FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, AgentService.TokenSpec, null, service.IssueTokenAsync, ct);

    /// <summary>Creates a one-time registration code (admin token).</summary>
    [HttpPost("/v1/invites")]
    [ProducesResponseType(typeof(InviteBody), StatusCodes.Status201Created)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status403Forbidden, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Operator, Forbidden = "Only the operator's admin token may create invites.")]
    public async Task<IResult> CreateInvite([FromBody] InviteRequest? request, CancellationToken ct)
    {
        if (request?.ExpiresIn is { } expiresIn && !IsoDuration.IsValid(expiresIn))
            return Problem(PactError.InvalidPayload("'expiresIn' must be an ISO 8601 duration like P7D.", "/expiresIn"));
        return JsonResult(201, await service.CreateInviteAsync(request?.ExpiresIn, ct));
    }
}

/// <summary>A registered agent.</summary>
public sealed record AgentBody(string AgentId, string PublicKey, PrincipalBody Principal, string? DisplayName, string RegisteredAt);

/// <summary>The person, organization or agent an agent acts for.</summary>
public sealed record PrincipalBody(string Id, string Kind, string Name);

/// <summary>A bearer token and its expiry.</summary>
public sealed record TokenBody(string Token, string ExpiresAt);

/// <summary>POST /v1/invites body.</summary>
public sealed record InviteRequest(string? ExpiresIn);

/// <summary>A one-time registration code.</summary>
public sealed record InviteBody(string Code, string ExpiresAt);
