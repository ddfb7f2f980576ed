using Microsoft.AspNetCore.Mvc;
using Pact.Core.Contracts.Responses;
using Pact.Core.Errors;
using Pact.Daemon.Application;
using Pact.Daemon.Auth;
using Pact.Daemon.Http;

namespace Pact.Daemon.Controllers;

/// <summary>Bundles (§15): members committed all together, or the best of them by a deterministic ranking.</summary>
public sealed class BundlesController(ResourceVisibility visibility, CommandRunner commands, BundleService service, TranscriptQuarantine quarantine) : PactControllerBase
{
    /// <summary>Creates a bundle (bundle.create): 2–16 members, each a proposal with the coordinator's first signature.</summary>
    /// <response code="201">The bundle, open; its members are proposals with its bundleId.</response>
    [HttpPost("/v1/sessions/{sessionId}/bundles")]
    [ProducesResponseType(typeof(BundleView), StatusCodes.Status201Created)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status413PayloadTooLarge, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [Envelope("bundle.create")]
    public Task<IResult> Create(string sessionId, [FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, BundleService.CreateSpec, Targets(("sessionId", sessionId)), service.CreateAsync, ct);

    /// <summary>The coordinator withdraws the bundle (bundle.withdraw): it aborts and its members are retired.</summary>
    [HttpPost("/v1/bundles/{bundleId}/withdraw")]
    [ProducesResponseType(typeof(BundleView), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status409Conflict, "application/problem+json")]
    [Envelope("bundle.withdraw")]
    public Task<IResult> Withdraw(string bundleId, [FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, BundleService.WithdrawSpec, Targets(("bundleId", bundleId)), service.WithdrawAsync, ct);

    /// <summary>A bundle visible to the caller (a participant of its session): its members' statuses, and once settled its selection, ranking or cause.</summary>
    [HttpGet("/v1/bundles/{bundleId}")]
    [ProducesResponseType(typeof(BundleView), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public IResult Get(string bundleId)
    {
        if (service.Get(bundleId) is not { } bundle || !visibility.CanSeeInSession(Reader, bundle.SessionId))
            return Problem(PactError.NotFound($"Bundle {bundleId}"));
        quarantine.ThrowIfUnreadable(bundle.SessionId);
        return Json(200, bundle);
    }
}
