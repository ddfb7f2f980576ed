using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Pact.Daemon.Tests.Durability;

/// <summary>
/// The real daemon as a child process (<c>dotnet Pact.Daemon.dll</c>), so a test can kill it with SIGKILL the way
/// a crash or the OOM killer would: no shutdown hooks, no flush, no disposal.
/// </summary>
public sealed partial class DaemonProcess : IAsyncDisposable
{
    public const string AdminToken = "durability-admin-token";

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DaemonProcess(Process process) => _process = process;

    public Uri BaseAddress { get; private set; } = null!;

    public int ProcessId => _process.Id;

    /// <summary>What the daemon printed so far, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>The daemon's entry assembly, copied into the test output because the test project references Pact.Daemon.</summary>
    public static string DaemonAssembly
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "Pact.Daemon.dll");
            if (!File.Exists(path) || !File.Exists(Path.ChangeExtension(path, ".runtimeconfig.json")))
                throw new FileNotFoundException($"Pact.Daemon.dll and its runtimeconfig.json are expected in {AppContext.BaseDirectory}.", path);
            return path;
        }
    }

    /// <summary>Starts the daemon on a free loopback port over <paramref name="dataDirectory"/> and waits until /readyz answers 200.</summary>
    /// <param name="settings">More command-line arguments, after the defaults (so they win over them).</param>
    public static Task<DaemonProcess> StartAsync(string dataDirectory, TimeSpan timeout, params string[] settings) =>
        StartAsync(["--data-dir", dataDirectory, .. settings], AppContext.BaseDirectory, timeout);

    /// <summary>Starts the daemon as a user would, with no --data-dir, in <paramref name="workingDirectory"/>.</summary>
    public static Task<DaemonProcess> StartInAsync(string workingDirectory, TimeSpan timeout) =>
        StartAsync([], workingDirectory, timeout);

    private static async Task<DaemonProcess> StartAsync(IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Pact.Daemon.Tests.Infrastructure.ChildProgram.DotnetHost)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])
        [
            DaemonAssembly,
            // Port 0: the kernel picks a free port, so parallel test runs cannot collide; the daemon logs the real one.
            "--urls", "http://127.0.0.1:0",
            "--admin-token", AdminToken,
            "--Pact:Limits:RequestsPerWindow=1000000",
            "--Serilog:MinimumLevel:Default=Warning",
            "--Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime=Information",
            .. arguments,
        ])
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var daemon = new DaemonProcess(process);
        process.OutputDataReceived += (_, e) => daemon.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => daemon.Collect(e.Data);
        process.Exited += (_, _) => daemon._listening.TrySetException(new InvalidOperationException("The daemon exited before it listened."));
        if (!process.Start()) throw new InvalidOperationException("Could not start the daemon process.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            using var deadline = new CancellationTokenSource(timeout);
            daemon.BaseAddress = await daemon._listening.Task.WaitAsync(deadline.Token);
            await daemon.WaitReadyAsync(deadline.Token);
            return daemon;
        }
        catch (Exception e)
        {
            var output = daemon.Output;
            await daemon.DisposeAsync();
            throw new InvalidOperationException($"The daemon did not become ready within {timeout.TotalSeconds} s: {e.Message}\n{output}", e);
        }
    }

    /// <summary>
    /// SIGKILL. On Unix <see cref="Process.Kill(bool)"/> sends SIGKILL, and .NET reports a signalled child's exit
    /// code as 128 + the signal: the returned 137 is how the caller checks it really was a kill -9.
    /// </summary>
    public async Task<int> KillHardAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    private async Task WaitReadyAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (_process.HasExited) throw new InvalidOperationException($"The daemon exited with {_process.ExitCode}.");
            try
            {
                using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative), ct);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // Not accepting yet.
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // One slow answer on a loaded machine; ask again.
            }
            // A polling interval, not an assertion: readiness is decided by the 200 above.
            await Task.Delay(100, ct);
        }
    }

    private void Collect(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        var match = ListeningLine().Match(line);
        if (match.Success) _listening.TrySetResult(new Uri(match.Groups[1].Value));
    }

    // In the JSON log format the address is a quoted (and so escaped) string.
    [GeneratedRegex(@"Now listening on: \\?""?(http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        _process.Dispose();
    }
}
