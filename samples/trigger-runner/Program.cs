using Pact.Samples;
using Pact.Samples.WebhookReceiver;

namespace Pact.Samples.TriggerRunner;

/// <summary>
/// dotnet run --project samples/trigger-runner -- --on compact.in-force --run /bin/echo -- "compact in force in {stream} (seq {seq})"
///     [--url URL] [--key NAME|FILE] [--session ses_…] [--via sse|webhook] [--listen URL]
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => SampleHost.RunAsync(args, Parse,
        "trigger-runner --on TYPES --run COMMAND [--url URL] [--key NAME|FILE] [--session IDS] [--via sse|webhook] [--listen URL] [-- ARGS…]",
        options => options.Receiver.Daemon,
        async (options, stop) =>
        {
            await TriggerRunnerApp.RunAsync(options, _ => { }, message => Console.Error.WriteLine(message), stop);
            return 0;
        });

    internal static TriggerOptions Parse(string[] args)
    {
        var receiver = new TriggerOptions { Rule = new TriggerRule([], null, "", []) }.Receiver;
        string? via = null, command = null;
        List<string>? types = null;
        HashSet<string>? sessions = null;
        var arguments = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--on": types = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]; break;
                case "--session": sessions = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]; break;
                case "--run": command = Value(); break;
                case "--via": via = Value(); break;
                case "--url": receiver = receiver with { Daemon = SampleOptions.ParseUrl(Value()) }; break;
                case "--key": receiver = receiver with { KeyFile = SampleOptions.KeyPath(Value()) }; break;
                case "--listen": receiver = receiver with { Listen = Value() }; break;
                case "--": arguments.AddRange(args[(i + 1)..]); i = args.Length; break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }
        if (types is null) throw new ArgumentException("--on is required (event types, e.g. compact.in-force or proposal.*)");
        if (command is null) throw new ArgumentException("--run is required (the command to start)");
        if (via is not (null or "sse" or "webhook")) throw new ArgumentException("--via is sse or webhook");
        return new TriggerOptions
        {
            Rule = new TriggerRule(types, sessions, command, arguments),
            Via = via ?? "sse",
            Receiver = receiver with { Sessions = sessions?.ToList() },
        };
    }
}
