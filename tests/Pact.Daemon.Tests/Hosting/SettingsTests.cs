using Pact.Daemon.Hosting;

namespace Pact.Daemon.Tests.Hosting;

/// <summary>
/// Every setting is bound and checked when the host starts (<see cref="Settings"/>): a bad value stops the daemon
/// with one line naming the setting as it was configured, which the command line prints with the fix.
/// </summary>
public sealed class SettingsTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "pact-settings-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData("Pact:Limits:MaxBodyBytes", "0", "Pact:Limits:MaxBodyBytes must be at least 1.")]
    [InlineData("Pact:Limits:MaxBodyBytes", "3221225472", "Pact:Limits:MaxBodyBytes must be at most 1073741824 (1 GiB)")]
    [InlineData("Pact:Limits:RequestsPerWindow", "-5", "Pact:Limits:RequestsPerWindow must be at least 1.")]
    [InlineData("Pact:Limits:MaxPageSize", "lots", "Failed to convert configuration value 'lots' at 'Pact:Limits:MaxPageSize'")]
    [InlineData("Pact:Synchronous", "SOMETIMES", "Pact:Synchronous must be FULL or NORMAL.")]
    [InlineData("Pact:Origin", "example.org pact", "Pact:Origin must be a name without spaces")]
    [InlineData("Pact:ReverseProxy:KnownProxies:0", "proxy.example", "Pact:ReverseProxy:KnownProxies: 'proxy.example' is not an IP address")]
    [InlineData("Pact:Webhooks:RetrySchedule", "PT0S,5 minutes", "Pact:Webhooks:RetrySchedule entry '5 minutes' is not an ISO 8601 duration")]
    [InlineData("Pact:Webhooks:Jitter", "1.5", "Pact:Webhooks:Jitter must be from 0 up to (not including) 1.")]
    [InlineData("Pact:Webhooks:TimeoutSeconds", "0", "Pact:Webhooks:TimeoutSeconds must be at least 1.")]
    [InlineData("Pact:Telemetry:OtlpEndpoint", "localhost:4317", "Pact:Telemetry:OtlpEndpoint must be an http(s) URL")]
    [InlineData("Pact:Logging:Format", "7", "Pact:Logging:Format must be Text or Json.")]
    [InlineData("Pact:Store:Provider", "mysql", "Pact:Store:Provider must be sqlite or postgres.")]
    [InlineData("Pact:Store:Provider", "postgres", "Pact:Store:ConnectionString must be set when Provider is postgres")]
    public async Task A_bad_value_stops_the_start_with_a_line_naming_the_setting(string key, string value, string message)
    {
        var failure = await FailToStartAsync($"--{key}={value}");

        var explanation = DaemonCommandLine.Explain(failure);

        explanation.Should().NotBeNull(failure.ToString());
        var lines = explanation!.Split('\n');
        lines.Should().HaveCount(2);
        lines[0].Should().StartWith("error: ").And.Contain(message);
        lines[1].Should().Be("Fix the setting (README, \"Configuration\").");
    }

    [Fact]
    public async Task Good_values_start_the_daemon()
    {
        var start = async () =>
        {
            await using var app = PactApp.Build(Args(
                "--Pact:Limits:MaxBodyBytes=2097152", "--Pact:Synchronous=normal", "--Pact:ReverseProxy:KnownProxies:0=::1",
                "--Pact:Webhooks:RetrySchedule=PT0S,PT1M", "--Pact:Webhooks:Jitter=0", "--Pact:Logging:Format=Json",
                "--Pact:Telemetry:Prometheus=false"));
            await app.StartAsync();
            await app.StopAsync();
        };

        await start.Should().NotThrowAsync();
    }

    private async Task<Exception> FailToStartAsync(params string[] settings)
    {
        var start = async () =>
        {
            await using var app = PactApp.Build(Args(settings));
            await app.StartAsync();
        };
        return (await start.Should().ThrowAsync<Exception>()).Which;
    }

    private string[] Args(params string[] settings) =>
        ["--urls", "http://127.0.0.1:0", "--data-dir", _data, "--admin-token", "test-admin-token", "--Serilog:MinimumLevel:Default=Fatal", .. settings];

    public void Dispose()
    {
        if (Directory.Exists(_data)) Directory.Delete(_data, recursive: true);
    }
}
