using Microsoft.AspNetCore.Mvc;
using Pact.Daemon.Auth;
using Pact.Core.Contracts.Responses;
using Pact.Core.Errors;
using Pact.Daemon.TransparencyLog;

using Pact.Store;

namespace Pact.Daemon.Controllers;

/// <summary>Checking a session's transcript on the daemon (§7 verify) and taking it away to check elsewhere (§8.4 export).</summary>
public sealed class VerificationController(ResourceVisibility visibility, ISessionReadModel sessions, ISessionCheckpointReadModel checkpoints, SessionVerifier verifier, SessionExporter exporter) : PactControllerBase
{
    /// <summary>
    /// Re-checks the session's events as stored: streamSeq, prevHash links, hashes, every envelope, compact and
    /// in-force signature, and the head's inclusion in the latest signed checkpoint. <c>from</c> (a checkpoint id of
    /// this session) starts at that checkpoint. Answers 200 with <c>ok: false</c> and the first error when something
    /// does not hold.
    /// </summary>
    [HttpGet("/v1/sessions/{sessionId}/verify")]
    [ProducesResponseType(typeof(VerifyReport), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> Verify(string sessionId, [FromQuery] string? from, CancellationToken ct)
    {
        var caller = Reader;
        var row = await sessions.GetAsync(sessionId, ct);
        if (row is null || !visibility.CanSeeSession(caller, row.Participants)) return Problem(PactError.NotFound($"Session {sessionId}"));
        SessionCheckpointRow? start = null;
        if (from is not null)
        {
            start = await checkpoints.GetAsync(from, ct);
            if (start is null || start.SessionId != sessionId) return Problem(PactError.NotFound($"Checkpoint {from} of session {sessionId}"));
        }
        var result = await verifier.VerifyAsync(sessionId, start, ct);
        return Json(200, result.ToReport());
    }

    /// <summary>
    /// The session's export bundle (pact-export/1): its events, state, signed compact records, session checkpoints,
    /// a signed log checkpoint covering them and an inclusion proof per event — verifiable offline with only the
    /// daemon's public key (Pact.Client's ExportVerifier; docs/export-format.md).
    /// </summary>
    [HttpGet("/v1/sessions/{sessionId}/export")]
    [ProducesResponseType(typeof(ExportBundle), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status500InternalServerError, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> Export(string sessionId, CancellationToken ct)
    {
        var caller = Reader;
        var row = await sessions.GetAsync(sessionId, ct);
        if (row is null || !visibility.CanSeeSession(caller, row.Participants)) return Problem(PactError.NotFound($"Session {sessionId}"));
        var (bundle, error) = await exporter.ExportAsync(sessionId, ct);
        return error is not null ? Problem(error) : Json(200, bundle!);
    }
}
