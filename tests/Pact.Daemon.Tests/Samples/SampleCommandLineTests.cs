using FluentAssertions;
using Pact.Daemon.Tests.Infrastructure;
using Xunit;

namespace Pact.Daemon.Tests.Samples;

/// <summary>
/// The samples as a newcomer runs them: one flag set, and a daemon that is not running answered with one line that
/// says how to start it (exit 4, as the CLI) instead of an unhandled exception.
/// </summary>
public sealed class SampleCommandLineTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _home = Directory.CreateTempSubdirectory("pact-sample-home-").FullName;
    private readonly string _work = Directory.CreateTempSubdirectory("pact-sample-cwd-").FullName;

    public static TheoryData<string, string[]> Samples => new()
    {
        { "Pact.Samples.KitchenRemodel.dll", [] },
        { "Pact.Samples.Mesh.dll", [] },
        { "Pact.Samples.WebhookReceiver.dll", ["--listen", "http://127.0.0.1:0"] },
        { "Pact.Samples.TriggerRunner.dll", ["--on", "compact.in-force", "--run", "/bin/true"] },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task A_sample_against_a_stopped_daemon_says_how_to_start_one(string sample, string[] args)
    {
        var url = ChildProgram.ClosedLoopbackUrl();

        var run = await ChildProgram.RunAsync(sample, [.. args, "--url", url.ToString()], _work, _home, Timeout);

        run.ExitCode.Should().Be(4, run.Stderr);
        run.Stderr.Should().Contain($"not reachable at {url}").And.Contain("dotnet run --project src/Pact.Daemon");
        run.Stderr.Should().NotContain("Unhandled exception").And.NotContain("   at ");
        Directory.EnumerateFileSystemEntries(_work).Should().BeEmpty("a sample writes nothing into the directory it runs from");
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Help_prints_the_usage_with_the_shared_flags(string sample, string[] args)
    {
        _ = args;
        var run = await ChildProgram.RunAsync(sample, ["--help"], _work, _home, Timeout);

        run.ExitCode.Should().Be(0, run.Stderr);
        run.Stdout.Should().StartWith("usage: ").And.Contain("--url");
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task An_unknown_option_is_a_usage_error(string sample, string[] args)
    {
        var run = await ChildProgram.RunAsync(sample, [.. args, "--daemon", "http://127.0.0.1:7700"], _work, _home, Timeout);

        run.ExitCode.Should().Be(2, run.Stderr);
        run.Stderr.Should().Contain("--daemon").And.Contain("usage: ");
    }

    public void Dispose()
    {
        Directory.Delete(_home, recursive: true);
        Directory.Delete(_work, recursive: true);
    }
}
