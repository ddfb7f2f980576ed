using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Pact.Core.Contracts.Responses;
using Pact.Daemon.Application;
using Pact.Daemon.Auth;
using Pact.Daemon.Http;
using Pact.Daemon.Policies;

namespace Pact.Daemon.Controllers;

/// <summary>Policies (§13): CEL rules that decide how an agent answers a proposal; published by hash, readable by any agent.</summary>
public sealed class PoliciesController(CommandRunner commands, PolicyService service) : PactControllerBase
{
    /// <summary>
    /// Publishes a policy (policy.publish envelope). Every defect inside the policy is 422 PACT-120 with a pointer such as
    /// /payload/policy/rules/3/when. Records no event: a policy is content, named by its hash.
    /// </summary>
    /// <response code="201">Published: the hash, the name and the effective rule count (after extends).</response>
    /// <response code="200">That hash was already published: the same answer.</response>
    [HttpPost("/v1/policies")]
    [ProducesResponseType(typeof(PolicyPublished), StatusCodes.Status201Created)]
    [ProducesResponseType(typeof(PolicyPublished), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [Envelope("policy.publish")]
    public Task<IResult> Publish([FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, PolicyService.PublishSpec, null, service.PublishAsync, ct);

    /// <summary>A published policy document, by its policyHash. Policies are not secret: any registered agent may read one.</summary>
    [HttpGet("/v1/policies/{policyHash}")]
    [ProducesResponseType(typeof(JsonObject), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> Get(string policyHash, CancellationToken ct)
    {
        var (policy, error) = await service.GetAsync(policyHash, ct);
        return error is not null ? Problem(error) : Json(200, policy);
    }

    /// <summary>
    /// Evaluates a policy without recording anything: { policy | policyHash, proposalId } (the caller must be a party;
    /// the admin names the party with me) or { policy | policyHash, terms, me, counterparty?, session?, at? } (the terms
    /// are validated first, pointers under /terms; the counterparty's passport defaults to its current one, at to now).
    /// </summary>
    /// <response code="200">The decision, its hash, and the input it was taken on.</response>
    [HttpPost("/v1/policies/evaluate")]
    [Consumes(typeof(JsonObject), "application/json")]
    [ProducesResponseType(typeof(PolicyEvaluation), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> Evaluate([FromBody] JsonObject body, CancellationToken ct)
    {
        var (evaluation, error) = await service.EvaluateAsync(Reader, body, ct);
        return error is not null ? Problem(error) : Json(200, evaluation);
    }
}
