using System.Runtime.InteropServices;
using Pact.Client;

namespace Pact.Samples;

/// <summary>
/// The console life of a sample: read its arguments, run until done or until Ctrl+C or a service manager's
/// SIGTERM, and answer a daemon that is not running with one line that says how to start it.
/// </summary>
public static class SampleHost
{
    /// <summary>Exit code: the command line is wrong (as <c>pact</c>'s).</summary>
    public const int Usage = 2;

    /// <summary>Exit code: the daemon refused a step (as <c>pact</c>'s).</summary>
    public const int Refused = 3;

    /// <summary>Exit code: the daemon cannot be reached (as <c>pact</c>'s "failure").</summary>
    public const int Unreachable = 4;

    /// <summary>
    /// Parses <paramref name="args"/> (<c>-h</c>/<c>--help</c> prints <paramref name="usage"/> and exits 0; an
    /// <see cref="ArgumentException"/> prints its message and the usage and exits 2), then runs until
    /// <paramref name="run"/> returns its exit code or a signal stops it.
    /// </summary>
    /// <param name="daemonOf">The daemon URL the options name, for the message when it cannot be reached.</param>
    public static async Task<int> RunAsync<TOptions>(string[] args, Func<string[], TOptions> parse, string usage,
        Func<TOptions, Uri> daemonOf, Func<TOptions, CancellationToken, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Any(a => a is "-h" or "--help"))
        {
            Console.WriteLine("usage: " + usage);
            return 0;
        }
        TOptions options;
        try
        {
            options = parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message);
            await Console.Error.WriteLineAsync("usage: " + usage);
            return Usage;
        }
        using var stop = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
        try
        {
            return await run(options, stop.Token);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            await Console.Error.WriteLineAsync($"error: the Pact daemon is not reachable at {daemonOf(options)} ({e.Message}).");
            await Console.Error.WriteLineAsync($"Start one from the repository root with: {SampleOptions.StartDaemon}  (or pass --url)");
            return Unreachable;
        }
        catch (PactApiException e)
        {
            await Console.Error.WriteLineAsync($"error: the daemon refused a step: {e.Message}");
            return Refused;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 0;
        }
    }
}
