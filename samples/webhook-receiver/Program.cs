using System.Runtime.InteropServices;

namespace Pact.Samples.WebhookReceiver;

/// <summary>
/// dotnet run --project samples/webhook-receiver -- [--daemon URL] [--listen URL] [--key FILE]
///     [--types compact.*,session.created] [--sessions ses_…] [--callback URL] [--secret whsec_… ] [--keep]
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        ReceiverOptions options;
        try
        {
            options = Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            await Console.Error.WriteLineAsync("usage: webhook-receiver [--daemon URL] [--listen URL] [--key FILE] [--types a,b.*] [--sessions ses_…] [--callback URL] [--secret whsec_…] [--keep]");
            return 2;
        }
        using var stop = new CancellationTokenSource();
        // Ctrl+C and a service manager's SIGTERM both end the run cleanly (the subscription is deleted).
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
        await ReceiverApp.RunAsync(options, e =>
        {
            // React here; this sample prints one line per new event.
            Console.WriteLine($"{e["seq"],6} {e["type"],-36} {e["stream"]} {e["actor"]}");
            return Task.CompletedTask;
        }, message => Console.Error.WriteLine(message), stop.Token, callback => Console.Error.WriteLine($"listening for deliveries at {callback}; Ctrl+C to stop"));
        return 0;
    }

    internal static ReceiverOptions Parse(string[] args)
    {
        var options = new ReceiverOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--daemon" => options with { Daemon = new Uri(Value()) },
                "--listen" => options with { Listen = Value() },
                "--callback" => options with { Callback = Value() },
                "--key" => options with { KeyFile = Value() },
                "--types" => options with { Types = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--sessions" => options with { Sessions = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--secret" => options with { Secret = Value() },
                "--keep" => options with { Keep = true },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return options;
    }
}
