using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Pact.Daemon.Auth;
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
    [ProducesResponseType(typeof(VerifyBody), StatusCodes.Status200OK)]
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
        return JsonResult(200, result.ToJson());
    }

    /// <summary>
    /// The session's export bundle (pact-export/1): its events, state, signed compact records, session checkpoints,
    /// a signed log checkpoint covering them and an inclusion proof per event — verifiable offline with only the
    /// daemon's public key (Pact.Client's ExportVerifier; docs/export-format.md).
    /// </summary>
    [HttpGet("/v1/sessions/{sessionId}/export")]
    [ProducesResponseType(typeof(JsonObject), StatusCodes.Status200OK)]
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
        return error is not null ? Problem(error) : JsonResult(200, bundle!);
    }
}

/// <summary>The outcome of GET /v1/sessions/{id}/verify.</summary>
public sealed record VerifyBody(bool Ok, long EventsChecked, long SignaturesChecked, VerifyHeadBody? Head, string? From, VerifyLogBody? Log, VerifyErrorBody? FirstError);

/// <summary>The last event verification reached.</summary>
public sealed record VerifyHeadBody(long Seq, long StreamSeq, string Hash);

/// <summary>The signed checkpoint the head was proved in.</summary>
public sealed record VerifyLogBody(long TreeSize, string RootHash);

/// <summary>The first failed check: where and which.</summary>
/// <param name="Check">hash, prev-hash, stream-seq, envelope-signature, compact-signature, in-force-signature or inclusion.</param>
public sealed record VerifyErrorBody(long Seq, long StreamSeq, string Check, string Message);
