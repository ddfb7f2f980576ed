using Pact.Samples;
using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Samples.WebhookReceiver;

namespace Pact.Samples.TriggerRunner;

/// <summary>How the trigger runner receives events and what it runs.</summary>
public sealed record TriggerOptions
{
    public required TriggerRule Rule { get; init; }

    /// <summary>"sse" (default: nothing to expose, the runner connects out) or "webhook" (the daemon calls the runner).</summary>
    public string Via { get; init; } = "sse";

    /// <summary>Settings of the webhook mode and of the agent (daemon URL, key file) for both modes.</summary>
    public ReceiverOptions Receiver { get; init; } = new() { Listen = "http://127.0.0.1:8788", Name = "trigger-runner sample", KeyFile = SampleOptions.DefaultKeyPath("trigger-runner") };

    /// <summary>Capture each command's standard output into <see cref="TriggerRun.Output"/> instead of passing it through.</summary>
    public bool CaptureOutput { get; init; }
}

/// <summary>Receives events over SSE or a webhook and runs the rule's command for each match, one at a time, in arrival order.</summary>
public static class TriggerRunnerApp
{
    public static async Task RunAsync(TriggerOptions options, Action<TriggerRun> ran, Action<string> log, CancellationToken ct, Action<string>? ready = null)
    {
        var gate = new SemaphoreSlim(1, 1);
        async Task OnEvent(JsonObject e)
        {
            if (!options.Rule.Matches(e)) return;
            await gate.WaitAsync(ct);
            try
            {
                var run = await TriggerLauncher.RunAsync(options.Rule, e, options.CaptureOutput, ct);
                log($"{e["type"]} #{e["seq"]}: {options.Rule.Command} exited {run.ExitCode}");
                ran(run);
            }
            finally
            {
                gate.Release();
            }
        }

        if (options.Via == "webhook")
        {
            await ReceiverApp.RunAsync(options.Receiver with { Types = options.Rule.Types.Count > 0 ? options.Rule.Types : null }, OnEvent, log, ct, ready);
            return;
        }

        using var http = new HttpClient { BaseAddress = ReceiverApp.BaseOf(options.Receiver.Daemon), Timeout = Timeout.InfiniteTimeSpan };
        var agent = new PactClient(http, AgentKeyFiles.LoadOrCreate(options.Receiver.KeyFile));
        await AgentKeys.RegisterAsync(agent, options.Receiver.Name, ct);
        log($"agent {agent.AgentId} following {http.BaseAddress}v1/events/stream");
        try
        {
            // New events only; the SDK resumes after a dropped connection without missing or repeating one.
            var events = agent.TailAllAsync(options.Rule.Types, PactClient.FromHead, () => ready?.Invoke(agent.AgentId!), ct);
            await foreach (var e in events) await OnEvent(e.ToJson());
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
