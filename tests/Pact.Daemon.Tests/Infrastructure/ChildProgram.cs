using System.Diagnostics;

namespace Pact.Daemon.Tests.Infrastructure;

/// <summary>What a program run as a child process printed and how it ended.</summary>
public sealed record ChildProgramResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs one of the repository's programs (<c>dotnet X.dll …</c> from the test output, where project references
/// copy them) as a user would from a shell, in a working directory and home directory of the test's choosing.
/// </summary>
public static class ChildProgram
{
    public static async Task<ChildProgramResult> RunAsync(string assembly, IEnumerable<string> args, string workingDirectory, string homeDirectory, TimeSpan timeout)
    {
        var path = Path.Combine(AppContext.BaseDirectory, assembly);
        if (!File.Exists(path)) throw new FileNotFoundException($"{assembly} is expected in the test output {AppContext.BaseDirectory}.", path);
        var start = new ProcessStartInfo(DotnetHost)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(path);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["HOME"] = homeDirectory;
        start.Environment.Remove("PACT_URL");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {assembly}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{assembly} {string.Join(' ', args)} did not exit within {timeout}.\n{await stdout}\n{await stderr}");
        }
        return new ChildProgramResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The dotnet host: the dotnet CLI tells its children where it is; outside it, "dotnet" on the PATH.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";

    /// <summary>A loopback URL on which nothing listens: a port the kernel handed out and that was closed again.</summary>
    public static Uri ClosedLoopbackUrl()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }
}
