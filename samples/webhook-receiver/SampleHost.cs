using System.Runtime.InteropServices;

namespace Pact.Samples.WebhookReceiver;

/// <summary>The console life of a sample: read its arguments, then run until Ctrl+C or a service manager's SIGTERM.</summary>
public static class SampleHost
{
    /// <summary>
    /// Parses <paramref name="args"/> (an <see cref="ArgumentException"/> prints its message and
    /// <paramref name="usage"/> and exits 2), then runs until stopped; both signals end the run cleanly, so the
    /// sample can delete its subscription on the way out.
    /// </summary>
    public static async Task<int> RunAsync<TOptions>(string[] args, Func<string[], TOptions> parse, string usage, Func<TOptions, CancellationToken, Task> run)
    {
        TOptions options;
        try
        {
            options = parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            await Console.Error.WriteLineAsync("usage: " + usage);
            return 2;
        }
        using var stop = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
        await run(options, stop.Token);
        return 0;
    }
}
