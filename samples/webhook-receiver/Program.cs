using Pact.Samples;
namespace Pact.Samples.WebhookReceiver;

/// <summary>
/// dotnet run --project samples/webhook-receiver -- [--url URL] [--listen URL] [--key NAME|FILE]
///     [--types compact.*,session.created] [--sessions ses_…] [--callback URL] [--secret whsec_… ] [--keep]
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => SampleHost.RunAsync(args, Parse,
        "webhook-receiver [--url URL] [--listen URL] [--key NAME|FILE] [--types a,b.*] [--sessions ses_…] [--callback URL] [--secret whsec_…] [--keep]",
        options => options.Daemon,
        async (options, stop) =>
        {
            await ReceiverApp.RunAsync(options, e =>
            {
                // React here; this sample prints one line per new event.
                Console.WriteLine($"{e["seq"],6} {e["type"],-36} {e["stream"]} {e["actor"]}");
                return Task.CompletedTask;
            }, message => Console.Error.WriteLine(message), stop, callback => Console.Error.WriteLine($"listening for deliveries at {callback}; Ctrl+C to stop"));
            return 0;
        });

    internal static ReceiverOptions Parse(string[] args)
    {
        var options = new ReceiverOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--url" => options with { Daemon = SampleOptions.ParseUrl(Value()) },
                "--listen" => options with { Listen = Value() },
                "--callback" => options with { Callback = Value() },
                "--key" => options with { KeyFile = SampleOptions.KeyPath(Value()) },
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
