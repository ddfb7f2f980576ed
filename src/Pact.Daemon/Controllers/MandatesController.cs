using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Pact.Core.Contracts.Responses;
using Pact.Core.Errors;
using Pact.Daemon.Application;
using Pact.Daemon.Auth;
using Pact.Daemon.Hosting;
using Pact.Daemon.Http;
using Pact.Daemon.Mandates;

namespace Pact.Daemon.Controllers;

/// <summary>
/// Mandates (§14): an agent lets the daemon answer proposals addressed to it, as a published policy decides, within a
/// scope, until it revokes the mandate or it expires. Visible to the granter and the operator only.
/// </summary>
public sealed class MandatesController(CommandRunner commands, MandateService service, IOptions<PactOptions> options) : PactControllerBase
{
    /// <summary>
    /// Grants a mandate (mandate.grant envelope): the policy must be published (PACT-120 at /payload/policyHash), expiresAt
    /// in the future and at most a year ahead (PACT-101), every scoped session visible to the granter (PACT-404); the same
    /// grant twice is PACT-306 (a resend of the identical envelope is answered as before).
    /// </summary>
    /// <response code="201">The mandate, active.</response>
    [HttpPost("/v1/mandates")]
    [ProducesResponseType(typeof(MandateResource), StatusCodes.Status201Created)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [Envelope("mandate.grant")]
    public Task<IResult> Grant([FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, MandateService.GrantSpec, null, service.GrantAsync, ct);

    /// <summary>Revokes a mandate (mandate.revoke envelope, by its granter); a mandate already revoked or expired is PACT-306.</summary>
    /// <response code="200">The mandate, revoked.</response>
    [HttpPost("/v1/mandates/{mandateId}/revoke")]
    [ProducesResponseType(typeof(MandateResource), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status409Conflict, "application/problem+json")]
    [Envelope("mandate.revoke")]
    public Task<IResult> Revoke(string mandateId, [FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, MandateService.RevokeSpec, Targets(("mandateId", mandateId)), service.RevokeAsync, ct);

    /// <summary>One mandate: its grant, scope, status and the number of actions taken under it.</summary>
    [HttpGet("/v1/mandates/{mandateId}")]
    [ProducesResponseType(typeof(MandateResource), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public IResult Get(string mandateId)
    {
        var (mandate, error) = service.Get(Reader, mandateId);
        return error is not null ? Problem(error) : Json(200, mandate);
    }

    /// <summary>The caller's mandates in id (creation) order (the operator's without agent=me: all); next is the after of the next page.</summary>
    [HttpGet("/v1/mandates")]
    [ProducesResponseType(typeof(MandatePage), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public IResult List([FromQuery] string? agent, [FromQuery] string? after, [FromQuery] int limit = 50)
    {
        if (SingleQueryValues("agent", "after") is { } repeated) return Problem(repeated);
        if (agent is not null and not "me") return Problem(PactError.InvalidPayload("'agent' can only be 'me'.", "/agent"));
        if (limit < 1) return Problem(PactError.InvalidPayload("'limit' must be at least 1.", "/limit"));
        return Json(200, service.List(Reader, agent is not null, after, Math.Min(limit, options.Value.Limits.MaxPageSize)));
    }

    /// <summary>A page of the mandate stream's events (mandate.granted, mandate.revoked, mandate.expired) in streamSeq order, as §8.3.</summary>
    [HttpGet("/v1/mandates/{mandateId}/events")]
    [ProducesResponseType(typeof(EventPage), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> Events(string mandateId, [FromQuery] long after = 0, [FromQuery] int limit = 100, CancellationToken ct = default)
    {
        if (after < 0 || limit < 1) return Problem(PactError.InvalidPayload("'after' must be ≥ 0 and 'limit' ≥ 1.", "/after"));
        var (page, error) = await service.EventsAsync(Reader, mandateId, after, Math.Min(limit, options.Value.Limits.MaxPageSize), ct);
        return error is not null ? Problem(error) : Json(200, page);
    }
}
