using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Pact.Core.Time;
using Pact.Daemon.Hosting;

using Pact.Store;

namespace Pact.Daemon.Controllers;

/// <summary>Who this daemon is (liveness and readiness: <see cref="Http.HealthEndpoints"/>).</summary>
public sealed class DaemonController(DaemonIdentity daemon, TimeProvider time) : PactControllerBase
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
}

/// <summary>GET /v1/daemon (§1).</summary>
public sealed record DaemonInfoBody(string DaemonId, string PublicKey, string Origin, string Protocol, string Acp, string Version, IReadOnlyList<string> Stdlib, string Time);
