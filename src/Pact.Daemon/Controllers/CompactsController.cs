using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Pact.Core.Compliance;
using Pact.Core.Contracts.Responses;
using Pact.Core.Errors;
using Pact.Core.Json;
using Pact.Core.Stdlib;
using Pact.Daemon.Application;
using Pact.Daemon.Http;
using Pact.Daemon.Auth;
using Pact.Daemon.Hosting;

using Pact.Store;

namespace Pact.Daemon.Controllers;

/// <summary>Signed compacts, the standard library, and terms drafts (§4.4, §6).</summary>
public sealed class CompactsController(
    ResourceVisibility visibility, IProposalReadModel compacts, TranscriptQuarantine quarantine, TimeProvider time, IOptions<PactOptions> options) : PactControllerBase
{
    /// <summary>A compact: parties, status, current version, every version and its history.</summary>
    [HttpGet("/v1/compacts/{compactId}")]
    [ProducesResponseType(typeof(CompactInfo), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> Get(string compactId, CancellationToken ct)
    {
        var caller = Reader;
        var versions = await compacts.GetVersionsAsync(compactId, ct);
        if (versions.Count == 0 || !visibility.CanSeeCompact(caller, compactId)) return Problem(PactError.NotFound($"Compact {compactId}"));
        foreach (var v in versions) quarantine.ThrowIfUnreadable(v.SessionId, compactId);
        var current = versions[^1];
        var record = await compacts.GetRecordAsync(compactId, current.Version, ct);
        var parties = record!["terms"]!["parties"]!.Deserialize<CompactParties>(PactJson.Options)!;
        return Json(200, new CompactInfo(compactId, parties, current.Status, current.Version, [.. versions.Select(v => v.ToResponse())],
            [.. versions.SelectMany(v => v.History.Deserialize<List<HistoryEntry>>(PactJson.Options)!)]));
    }

    /// <summary>The caller's compacts (the operator's: all), current versions, optionally by status.</summary>
    [HttpGet("/v1/compacts")]
    [ProducesResponseType(typeof(CompactPage), StatusCodes.Status200OK)]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> List([FromQuery] string? party, [FromQuery] string? status, [FromQuery] string? after, [FromQuery] int limit = 50, CancellationToken ct = default)
    {
        var caller = Reader;
        if (party is not null and not "me") return Problem(PactError.InvalidPayload("'party' can only be 'me'.", "/party"));
        if (limit < 1) return Problem(PactError.InvalidPayload("'limit' must be at least 1.", "/limit"));
        limit = Math.Min(limit, options.Value.Limits.MaxPageSize);
        var agent = caller.IsAdmin && party is null ? null : caller.Agent;
        var rows = await compacts.ListCurrentAsync(agent, status, after, limit + 1, ct);
        var page = rows.Take(limit).ToList();
        foreach (var v in page) quarantine.ThrowIfUnreadable(v.SessionId, v.CompactId);
        return Json(200, new CompactPage([.. page.Select(v => v.ToSummary())], rows.Count > limit ? page[^1].CompactId : null));
    }

    /// <summary>One version's signed compact record, identical in both parties' copies.</summary>
    [HttpGet("/v1/compacts/{compactId}/versions/{version:long}")]
    [ProducesResponseType(typeof(CompactRecordInfo), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> GetVersion(string compactId, long version, CancellationToken ct)
    {
        var caller = Reader;
        var versions = await compacts.GetVersionsAsync(compactId, ct);
        if (versions.Count == 0 || !visibility.CanSeeCompact(caller, compactId)) return Problem(PactError.NotFound($"Compact {compactId}"));
        foreach (var v in versions) quarantine.ThrowIfUnreadable(v.SessionId, compactId);
        var record = await compacts.GetRecordAsync(compactId, version, ct);
        return record is null ? Problem(PactError.NotFound($"Version {version} of compact {compactId}")) : Json(200, StoreRecordResponses.ToCompactRecord(record));
    }

    /// <summary>The standard library's entries (public): categories, operations, recipients and tiers.</summary>
    [HttpGet("/v1/stdlib")]
    [ProducesResponseType(typeof(StdlibEntries), StatusCodes.Status200OK)]
    public IResult Stdlib() => Json(200, StandardLibrary.Entries());

    /// <summary>Complete, explicit, unsigned terms from a tier's defaults; they pass validation as they are.</summary>
    [HttpPost("/v1/compacts/draft")]
    [ProducesResponseType(typeof(CompactDraft), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public IResult Draft([FromBody] JsonObject body)
    {
        var (terms, error) = DraftBuilder.Build(body, time.GetUtcNow());
        return error is not null ? Problem(error) : Json(200, new CompactDraft(terms!));
    }

}

/// <summary>Living under a compact (§6): revocations, markers, the compliance check and disposition duties.</summary>
public sealed class LifecycleController(CommandRunner commands, LifecycleService service) : PactControllerBase
{
    /// <summary>Starts a revocation of a version in force (compact.revoke). It stays in force until the revocation is active.</summary>
    [Envelope("compact.revoke")]
    [HttpPost("/v1/compacts/{compactId}/revocations")]
    [ProducesResponseType(typeof(RevocationInitiated), StatusCodes.Status201Created)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    public Task<IResult> Revoke(string compactId, [FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, LifecycleService.RevokeSpec, Targets(("compactId", compactId)), service.RevokeAsync, ct);

    /// <summary>The other party acknowledges a revocation, naming its initiationHash (compact.revoke.ack).</summary>
    [Envelope("compact.revoke.ack")]
    [HttpPost("/v1/compacts/{compactId}/revocations/{revocationId}/ack")]
    [ProducesResponseType(typeof(RevocationInfo), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    public Task<IResult> AcknowledgeRevocation(string compactId, string revocationId, [FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, LifecycleService.RevokeAckSpec, Targets(("compactId", compactId), ("revocationId", revocationId)), service.AcknowledgeRevocationAsync, ct);

    /// <summary>A revocation of a visible compact.</summary>
    [HttpGet("/v1/compacts/{compactId}/revocations/{revocationId}")]
    [ProducesResponseType(typeof(RevocationInfo), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public IResult GetRevocation(string compactId, string revocationId)
    {
        var caller = Reader;
        var (body, error) = service.Revocation(caller, compactId, revocationId);
        return error is not null ? Problem(error) : Json(200, body!);
    }

    /// <summary>Records a marker such as work-complete (compact.marker); it takes effect on acknowledgment or after ackTimeout.</summary>
    [Envelope("compact.marker")]
    [HttpPost("/v1/compacts/{compactId}/markers")]
    [ProducesResponseType(typeof(MarkerRecorded), StatusCodes.Status201Created)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    public Task<IResult> RecordMarker(string compactId, [FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, LifecycleService.MarkerSpec, Targets(("compactId", compactId)), service.RecordMarkerAsync, ct);

    /// <summary>The other party acknowledges a marker (compact.marker.ack); the marker takes effect.</summary>
    [Envelope("compact.marker.ack")]
    [HttpPost("/v1/compacts/{compactId}/markers/{markerId}/ack")]
    [ProducesResponseType(typeof(MarkerInfo), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    public Task<IResult> AcknowledgeMarker(string compactId, string markerId, [FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, LifecycleService.MarkerAckSpec, Targets(("compactId", compactId), ("markerId", markerId)), service.AcknowledgeMarkerAsync, ct);

    /// <summary>A marker of a visible compact.</summary>
    [HttpGet("/v1/compacts/{compactId}/markers/{markerId}")]
    [ProducesResponseType(typeof(MarkerInfo), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public IResult GetMarker(string compactId, string markerId)
    {
        var caller = Reader;
        var (body, error) = service.Marker(caller, compactId, markerId);
        return error is not null ? Problem(error) : Json(200, body!);
    }

    /// <summary>
    /// May this party do this with this category now (or at <c>at</c>), and why: the eight steps of §6.3 in order,
    /// default-deny, with the failing dimension, a readable explanation and the full trace.
    /// </summary>
    [HttpPost("/v1/compacts/{compactId}/check")]
    [ProducesResponseType(typeof(ComplianceDecision), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public IResult Check(string compactId, [FromBody] JsonObject body)
    {
        var caller = Reader;
        var (decision, error) = service.Check(caller, compactId, body);
        return error is not null ? Problem(error) : Json(200, decision!);
    }

    /// <summary>For each party and category, the duty in force now: delete, retain-until a date, transition, indefinite or none.</summary>
    [HttpGet("/v1/compacts/{compactId}/dispositions")]
    [ProducesResponseType(typeof(Dispositions), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public IResult Dispositions(string compactId, [FromQuery] long? version)
    {
        var caller = Reader;
        var (report, error) = service.Dispositions(caller, compactId, version);
        return error is not null ? Problem(error) : Json(200, report!);
    }
}
