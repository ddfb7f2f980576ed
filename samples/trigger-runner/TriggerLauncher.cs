using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Pact.Samples.TriggerRunner;

/// <summary>One command run for one event.</summary>
public sealed record TriggerRun(JsonObject Event, int ExitCode, string? Output);

/// <summary>
/// Starts the rule's command for an event, without a shell (arguments are passed as they are, so event
/// content cannot inject shell syntax). The event is in the environment (PACT_EVENT_TYPE, _SEQ, _STREAM)
/// and, as one line of JSON, on standard input.
/// </summary>
public static class TriggerLauncher
{
    public static async Task<TriggerRun> RunAsync(TriggerRule rule, JsonObject e, bool captureOutput, CancellationToken ct)
    {
        var start = new ProcessStartInfo(rule.Command)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = captureOutput,
        };
        foreach (var argument in rule.ArgumentsFor(e)) start.ArgumentList.Add(argument);
        start.Environment["PACT_EVENT_TYPE"] = TriggerRule.Field(e, "type");
        start.Environment["PACT_EVENT_SEQ"] = TriggerRule.Field(e, "seq");
        start.Environment["PACT_EVENT_STREAM"] = TriggerRule.Field(e, "stream");

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {rule.Command}.");
        var output = captureOutput ? process.StandardOutput.ReadToEndAsync(ct) : Task.FromResult<string>(null!);
        try
        {
            await process.StandardInput.WriteLineAsync(e.ToJsonString().AsMemory(), ct);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The command did not read its input and has already exited: nothing to hand over.
        }
        await process.WaitForExitAsync(ct);
        return new TriggerRun(e, process.ExitCode, captureOutput ? await output : null);
    }
}
