using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Pact.Daemon.Hosting;
using Pact.Store;

namespace Pact.Daemon.Tests.Hosting;

/// <summary>
/// Start-up blocks no thread: building the daemon and constructing its services opens no store; the host opens it in
/// its starting phase (<see cref="PactStoreOpener"/>), before the start-up replay, and readiness waits for both.
/// </summary>
public sealed class StartupTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "pact-startup-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_store_is_opened_by_the_host_start_and_readiness_waits_for_it()
    {
        await using var app = PactApp.Build(["--urls", "http://127.0.0.1:0", "--data-dir", _data, "--admin-token", "t", "--Serilog:MinimumLevel:Default=Warning"]);
        // What the host does first: construct every hosted service, and so everything they depend on, the store included.
        app.Services.GetServices<IHostedService>().Should().NotBeEmpty();
        var health = app.Services.GetRequiredService<HealthCheckService>();

        var before = await health.CheckHealthAsync(check => check.Tags.Contains("ready"));

        File.Exists(Path.Combine(_data, "pact.db")).Should().BeFalse("constructing the services opens no store");
        app.Services.GetRequiredService<PactStoreOpener>().IsOpen.Should().BeFalse();
        before.Status.Should().Be(HealthStatus.Unhealthy);
        before.Entries["store"].Description.Should().Be("The transcript store is not open yet.");
        before.Entries["startup"].Description.Should().Be("The daemon is still replaying its transcript.");

        await app.StartAsync();
        var after = await health.CheckHealthAsync(check => check.Tags.Contains("ready"));
        await app.StopAsync();

        after.Status.Should().Be(HealthStatus.Healthy);
        File.Exists(Path.Combine(_data, "pact.db")).Should().BeTrue();
    }

    public void Dispose()
    {
        if (Directory.Exists(_data)) Directory.Delete(_data, recursive: true);
    }
}
