using Pact.Daemon.Tests.Infrastructure;
using Pact.Samples.Mesh;

namespace Pact.Daemon.Tests.Samples;

public class MeshSampleTests
{
    [Fact]
    public async Task The_mesh_sample_runs_against_a_daemon_and_ends_with_the_plumbers_access_details_disposed()
    {
        await using var host = await DaemonHost.StartAsync();
        var output = new StringWriter();
        var outcome = await MeshSample.RunAsync(host.BaseAddress, output);
        outcome.PlumbingStatus.Should().Be("revoked");
        outcome.AccessCheckCode.Should().Be("DISPOSED");
        output.ToString().Should().Contain("plumbing compact is now revoked");
    }
}
