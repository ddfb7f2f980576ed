using FluentAssertions;
using Pact.Daemon.Hosting;
using Pact.Daemon.Tests.Durability;
using Pact.Daemon.Tests.Infrastructure;
using Xunit;

namespace Pact.Daemon.Tests.Hosting;

/// <summary>
/// The daemon's command line as a newcomer meets it: help and version that create nothing, a misspelt option or a
/// bad URL refused with one line, start-up failures explained in two lines, and ./data where the user started it.
/// </summary>
public sealed class DaemonCommandLineTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly string _work = Directory.CreateTempSubdirectory("pact-daemon-cwd-").FullName;

    private Task<ChildProgramResult> RunAsync(params string[] args) =>
        ChildProgram.RunAsync("Pact.Daemon.dll", args, _work, _work, Timeout);

    [Fact]
    public async Task Help_prints_the_options_and_creates_nothing()
    {
        var run = await RunAsync("--help");

        run.ExitCode.Should().Be(0, run.Stderr);
        run.Stdout.Should().Contain("--data-dir").And.Contain("--urls").And.Contain("PACT_");
        Directory.EnumerateFileSystemEntries(_work).Should().BeEmpty();
    }

    [Fact]
    public async Task Version_prints_the_product_and_protocol_and_creates_nothing()
    {
        var run = await RunAsync("--version");

        run.ExitCode.Should().Be(0, run.Stderr);
        run.Stdout.Should().StartWith($"pact-daemon {DaemonIdentity.ProductVersion} (pact/1");
        Directory.EnumerateFileSystemEntries(_work).Should().BeEmpty();
    }

    [Theory]
    [InlineData("--data-dri|x", "unknown option '--data-dri' (did you mean --data-dir?)")]
    [InlineData("--urls|foo", "'foo' is not a URL to listen on")]
    [InlineData("--urls|http://127.0.0.1:99999", "'http://127.0.0.1:99999' is not a URL to listen on: the port must be a number from 0 to 65535")]
    [InlineData("--data-dir", "--data-dir needs a value")]
    [InlineData("serve", "unexpected argument 'serve'")]
    public async Task A_wrong_command_line_exits_2_with_one_line_and_creates_nothing(string line, string message)
    {
        var run = await RunAsync(line.Split('|'));

        run.ExitCode.Should().Be(2, run.Stderr);
        run.Stderr.Should().StartWith($"error: {message}").And.Contain("--help");
        run.Stderr.Should().NotContain("   at ");
        Directory.EnumerateFileSystemEntries(_work).Should().BeEmpty();
    }

    [Fact]
    public async Task A_port_in_use_is_named_with_its_fix_and_nothing_is_created()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;

            var run = await RunAsync("--urls", $"http://127.0.0.1:{port}");

            run.ExitCode.Should().Be(1, run.Stderr);
            run.Stderr.Should().StartWith($"error: cannot listen on http://127.0.0.1:{port}: the address is already in use.").And.Contain("--urls");
            run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(2);
            Directory.EnumerateFileSystemEntries(_work).Should().BeEmpty();
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task The_default_data_directory_is_data_under_the_directory_it_was_started_in()
    {
        await using (await DaemonProcess.StartInAsync(_work, Timeout))
        {
            File.Exists(Path.Combine(_work, "data", "pact.db")).Should().BeTrue();
            File.Exists(Path.Combine(_work, "data", "daemon.key.json")).Should().BeTrue();
        }
    }

    [Fact]
    public async Task A_second_daemon_on_the_same_data_directory_says_so_in_two_lines()
    {
        var data = Path.Combine(_work, "shared");
        await using var first = await DaemonProcess.StartAsync(data, Timeout);

        var run = await RunAsync("--urls", "http://127.0.0.1:0", "--data-dir", data);

        run.ExitCode.Should().Be(1, run.Stdout + run.Stderr);
        run.Stderr.Should().Contain("already open by another store").And.Contain("Another Pact daemon uses this data directory");
        (run.Stdout + run.Stderr).Should().NotContain("   at ");
    }

    [Fact]
    public async Task A_bad_setting_is_named_in_two_lines_with_its_fix()
    {
        var run = await RunAsync("--urls", "http://127.0.0.1:0", "--data-dir", Path.Combine(_work, "data"), "--Pact:Limits:MaxBodyBytes=0");

        run.ExitCode.Should().Be(1, run.Stdout + run.Stderr);
        run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal(
            "error: Pact:Limits:MaxBodyBytes must be at least 1.",
            "Fix the setting (README, \"Configuration\").");
        (run.Stdout + run.Stderr).Should().NotContain("   at ");
    }

    [Theory]
    [InlineData("--Pact:Limits:MaxBodyBytes=5|--urls|http://+:7700;http://[::1]:0", null)]
    [InlineData("--urls=http://*:8080|--origin|example.org/pact", null)]
    [InlineData("--Serilog:MinimumLevel:Default|Warning", null)]
    [InlineData("--AllowedHosts=pact.example.org|--shutdownTimeoutSeconds|30", null)]
    [InlineData("--urls|http://unix:/run/pact.sock", null)]
    [InlineData("--Kestrel:Endpoints:Http:Url=http://127.0.0.1:7801", null)]
    [InlineData("--admin-tokn|t", "unknown option '--admin-tokn' (did you mean --admin-token?)")]
    [InlineData("--frobnicate", "unknown option '--frobnicate'; see --help")]
    public void Options_and_configuration_keys_are_told_apart(string line, string? error)
    {
        var (action, refused) = DaemonCommandLine.Parse(line.Split('|'), _ => null);

        action.Should().Be(DaemonAction.Run);
        refused.Should().Be(error);
    }

    [Fact]
    public void Listening_urls_come_from_the_command_line_else_the_environment_else_the_default()
    {
        DaemonCommandLine.Parse([], _ => null, out var byDefault);
        DaemonCommandLine.Parse([], v => v == "ASPNETCORE_URLS" ? "http://127.0.0.1:1;http://127.0.0.1:2" : null, out var fromEnvironment);
        var (_, bad) = DaemonCommandLine.Parse([], v => v == "ASPNETCORE_URLS" ? "nonsense" : null, out _);

        byDefault.Should().Equal(PactApp.DefaultUrl);
        fromEnvironment.Should().Equal("http://127.0.0.1:1", "http://127.0.0.1:2");
        bad.Should().Contain("'nonsense' is not a URL to listen on");
    }

    [Fact]
    public async Task Dotnet_run_of_the_project_keeps_its_data_in_the_directory_it_was_typed_in()
    {
        // The README's first command, from another directory: RunWorkingDirectory (Directory.Build.props) makes
        // `dotnet run` keep the caller's directory, so ./data is there and not in src/Pact.Daemon.
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Pact.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("No Pact.sln above the test output.");
        var start = new System.Diagnostics.ProcessStartInfo(ChildProgram.DotnetHost) { WorkingDirectory = _work, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "run", "--no-build", "--project", Path.Combine(root, "src", "Pact.Daemon"), "--", "--urls", "http://127.0.0.1:0" })
            start.ArgumentList.Add(arg);
        using var daemon = System.Diagnostics.Process.Start(start)!;
        daemon.OutputDataReceived += (_, _) => { };
        daemon.ErrorDataReceived += (_, _) => { };
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();
        try
        {
            var database = Path.Combine(_work, "data", "pact.db");
            var deadline = DateTime.UtcNow + Timeout;
            // Polling for a file the daemon creates at start, not a timing assertion.
            while (!File.Exists(database) && !daemon.HasExited && DateTime.UtcNow < deadline) await Task.Delay(200);

            File.Exists(database).Should().BeTrue("the daemon started by dotnet run keeps ./data under the caller's directory");
        }
        finally
        {
            daemon.Kill(entireProcessTree: true);
            await daemon.WaitForExitAsync();
        }
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
