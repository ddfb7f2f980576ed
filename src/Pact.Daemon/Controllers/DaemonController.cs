using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Pact.Core.Time;
using Pact.Daemon.Application;
using Pact.Daemon.Hosting;
using Pact.Store;

namespace Pact.Daemon.Controllers;

/// <summary>Who this daemon is, and whether it is alive and ready.</summary>
public sealed class DaemonController(DaemonIdentity daemon, TimeProvider time, TranscriptStore store, TranscriptQuarantine quarantine) : PactControllerBase
{
    /// <summary>The daemon's identity and protocol versions (public). Agents address envelopes to its daemonId.</summary>
    [HttpGet("/v1/daemon")]
    [ProducesResponseType(typeof(DaemonInfoBody), StatusCodes.Status200OK)]
    public IResult Get() => JsonResult(200, new JsonObject
    {
        ["daemonId"] = daemon.DaemonId,
        ["publicKey"] = daemon.PublicKey,
        ["origin"] = daemon.Origin,
        ["protocol"] = DaemonIdentity.Protocol,
        ["acp"] = DaemonIdentity.AcpVersion,
        ["version"] = DaemonIdentity.ProductVersion,
        ["stdlib"] = new JsonArray("contractor-and-service@0.1"),
        ["time"] = Timestamp.ToText(time.GetUtcNow()),
    });

    /// <summary>
    /// Liveness: the process answers. Status "degraded" (still 200: a restart would not help) when the transcript
    /// failed its checks at start, with the reason; the admin token also sees which sessions are quarantined.
    /// </summary>
    [HttpGet("/healthz")]
    [ProducesResponseType(StatusCodes.Status200OK)]
    public IResult Health() => JsonResult(200, WithIntegrity(new JsonObject { ["status"] = "ok" }));

    /// <summary>Readiness: the store accepts a write.</summary>
    [HttpGet("/readyz")]
    [ProducesResponseType(StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public async Task<IResult> Ready(CancellationToken ct)
    {
        try
        {
            await store.WriteAsync(context =>
            {
                using var command = context.CreateCommand("SELECT 1");
                return command.ExecuteScalar();
            }, ct);
            return JsonResult(200, WithIntegrity(new JsonObject { ["status"] = "ready", ["headSeq"] = store.HeadSeq }));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Problem(new Pact.Core.Errors.PactError(Pact.Core.Errors.PactCodes.NotReady, 503, "Not ready", "The transcript store is not writable: " + e.Message));
        }
    }

    /// <summary>A degraded daemon says so in place of "ok"/"ready"; a clean one answers exactly as before.</summary>
    private JsonObject WithIntegrity(JsonObject body)
    {
        var operatorView = Request.Headers.Authorization.Count > 0 && RequireCaller().Caller is { IsAdmin: true };
        quarantine.Describe(body, operatorView);
        return body;
    }
}

/// <summary>GET /v1/daemon (§1).</summary>
public sealed record DaemonInfoBody(string DaemonId, string PublicKey, string Origin, string Protocol, string Acp, string Version, IReadOnlyList<string> Stdlib, string Time);
