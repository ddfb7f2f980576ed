namespace Pact.Samples.WebhookReceiver;

/// <summary>
/// dotnet run --project samples/webhook-receiver -- [--daemon URL] [--listen URL] [--key FILE]
///     [--types compact.*,session.created] [--sessions ses_…] [--callback URL] [--secret whsec_… ] [--keep]
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => SampleHost.RunAsync(args, Parse,
        "webhook-receiver [--daemon URL] [--listen URL] [--key FILE] [--types a,b.*] [--sessions ses_…] [--callback URL] [--secret whsec_…] [--keep]",
        (options, stop) => ReceiverApp.RunAsync(options, e =>
        {
            // React here; this sample prints one line per new event.
            Console.WriteLine($"{e["seq"],6} {e["type"],-36} {e["stream"]} {e["actor"]}");
            return Task.CompletedTask;
        }, message => Console.Error.WriteLine(message), stop, callback => Console.Error.WriteLine($"listening for deliveries at {callback}; Ctrl+C to stop")));

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
