using Microsoft.AspNetCore.Mvc;
using Pact.Core.Contracts.Responses;
using Pact.Core.Stdlib;
using Pact.Daemon.Hosting;

using Pact.Store;

namespace Pact.Daemon.Controllers;

/// <summary>Who this daemon is (liveness and readiness: <see cref="Http.HealthEndpoints"/>).</summary>
public sealed class DaemonController(DaemonIdentity daemon, TimeProvider time) : PactControllerBase
{
    /// <summary>The daemon's identity and protocol versions (public). Agents address envelopes to its daemonId.</summary>
    [HttpGet("/v1/daemon")]
    [ProducesResponseType(typeof(DaemonInfo), StatusCodes.Status200OK)]
    public IResult Get() => Json(200, new DaemonInfo(daemon.DaemonId, daemon.PublicKey, daemon.Origin, DaemonIdentity.Protocol,
        DaemonIdentity.AcpVersion, DaemonIdentity.ProductVersion, [StandardLibrary.ContractorAndServicePin], time.GetUtcNow()));
}
