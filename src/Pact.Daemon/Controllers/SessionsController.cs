using Microsoft.AspNetCore.Mvc;
using Pact.Daemon.Auth;
using Microsoft.Extensions.Options;
using Pact.Core.Contracts.Responses;
using Pact.Core.Errors;
using Pact.Daemon.Application;
using Pact.Daemon.Hosting;
using Pact.Daemon.Http;

using Pact.Store;

namespace Pact.Daemon.Controllers;

/// <summary>Long-lived sessions in which agents negotiate (§7).</summary>
public sealed class SessionsController(
    ResourceVisibility visibility, CommandRunner commands, SessionService service, ISessionReadModel sessions, TranscriptQuarantine quarantine, IOptions<PactOptions> options) : PactControllerBase
{
    /// <summary>Creates a session (session.create envelope; the signer must be a participant).</summary>
    [HttpPost("/v1/sessions")]
    [ProducesResponseType(typeof(SessionCreated), StatusCodes.Status201Created)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [Envelope("session.create")]
    public Task<IResult> Create([FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, SessionService.CreateSpec, null, service.CreateAsync, ct);

    /// <summary>A session visible to the caller: status, participants, proposals, compacts, head, checkpoints.</summary>
    [HttpGet("/v1/sessions/{sessionId}")]
    [ProducesResponseType(typeof(SessionView), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> Get(string sessionId, CancellationToken ct)
    {
        var caller = Reader;
        var row = await sessions.GetAsync(sessionId, ct);
        if (row is null || !visibility.CanSeeSession(caller, row.Participants)) return Problem(PactError.NotFound($"Session {sessionId}"));
        quarantine.ThrowIfUnreadable(sessionId);
        return Json(200, await service.GetViewAsync(row, ct));
    }

    /// <summary>Sessions visible to the caller, in id order; pass <c>next</c> as <c>after</c> for the next page.</summary>
    [HttpGet("/v1/sessions")]
    [ProducesResponseType(typeof(SessionPage), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> List([FromQuery] string? participant, [FromQuery] string? status, [FromQuery] string? after, [FromQuery] int limit = 50, CancellationToken ct = default)
    {
        var caller = Reader;
        if (limit < 1) return Problem(PactError.InvalidPayload("'limit' must be at least 1.", "/limit"));
        if (status is not null and not ("active" or "suspended" or "terminated"))
            return Problem(PactError.InvalidPayload("'status' is active, suspended or terminated.", "/status"));
        limit = Math.Min(limit, options.Value.Limits.MaxPageSize);
        var rows = await sessions.ListAsync(caller.IsAdmin ? null : caller.Agent, participant, status, after, limit + 1, ct);
        var page = rows.Take(limit).ToList();
        var items = new List<SessionView>(page.Count);
        foreach (var row in page)
        {
            quarantine.ThrowIfUnreadable(row.SessionId);
            items.Add(await service.GetViewAsync(row, ct));
        }
        return Json(200, new SessionPage(items, rows.Count > limit ? page[^1].SessionId : null));
    }

    /// <summary>Suspends an active session: no new proposals, signatures, declines or counters until resumed.</summary>
    [HttpPost("/v1/sessions/{sessionId}/suspend")]
    [ProducesResponseType(typeof(SessionView), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status409Conflict, "application/problem+json")]
    [Envelope("session.suspend")]
    public Task<IResult> Suspend(string sessionId, [FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, SessionService.SuspendSpec, Targets(("sessionId", sessionId)), service.SuspendAsync, ct);

    /// <summary>Resumes a suspended session.</summary>
    [HttpPost("/v1/sessions/{sessionId}/resume")]
    [ProducesResponseType(typeof(SessionView), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status409Conflict, "application/problem+json")]
    [Envelope("session.resume")]
    public Task<IResult> Resume(string sessionId, [FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, SessionService.ResumeSpec, Targets(("sessionId", sessionId)), service.ResumeAsync, ct);

    /// <summary>Terminates the session for good; open and withdrawal-pending proposals are retired. Compacts outlive it.</summary>
    [HttpPost("/v1/sessions/{sessionId}/terminate")]
    [ProducesResponseType(typeof(SessionView), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status409Conflict, "application/problem+json")]
    [Envelope("session.terminate")]
    public Task<IResult> Terminate(string sessionId, [FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, SessionService.TerminateSpec, Targets(("sessionId", sessionId)), service.TerminateAsync, ct);

    /// <summary>Records a checkpoint: a snapshot of the session state with its stateHash, a starting point for replay.</summary>
    [HttpPost("/v1/sessions/{sessionId}/checkpoints")]
    [ProducesResponseType(typeof(CheckpointCreated), StatusCodes.Status201Created)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [Envelope("session.checkpoint")]
    public Task<IResult> Checkpoint(string sessionId, [FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, SessionService.CheckpointSpec, Targets(("sessionId", sessionId)), service.CheckpointAsync, ct);

    /// <summary>The session state after event <c>at</c> (default: the head), rebuilt from the nearest checkpoint.</summary>
    [HttpGet("/v1/sessions/{sessionId}/state")]
    [ProducesResponseType(typeof(SessionStateView), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> State(string sessionId, [FromQuery] long? at, CancellationToken ct)
    {
        var caller = Reader;
        var row = await sessions.GetAsync(sessionId, ct);
        if (row is null || !visibility.CanSeeSession(caller, row.Participants)) return Problem(PactError.NotFound($"Session {sessionId}"));
        quarantine.ThrowIfUnreadable(sessionId);
        var (body, error) = await service.StateAtAsync(sessionId, at, ct);
        return error is not null ? Problem(error) : Json(200, body!);
    }
}
