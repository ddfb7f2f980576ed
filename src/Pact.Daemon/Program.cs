using Pact.Daemon.Hosting;
using Serilog;

// The command line is checked before anything is built: --help, --version and a wrong option create nothing.
var (action, usageError) = DaemonCommandLine.Parse(args, Environment.GetEnvironmentVariable, out var listeningUrls);
if (usageError is not null)
{
    await Console.Error.WriteLineAsync($"error: {usageError}\nRun with --help for the options.");
    return DaemonCommandLine.UsageError;
}
if (action == DaemonAction.Help)
{
    Console.WriteLine(DaemonCommandLine.Usage);
    return 0;
}
if (action == DaemonAction.Version)
{
    Console.WriteLine($"pact-daemon {DaemonIdentity.ProductVersion} ({DaemonIdentity.Protocol}, ACP {DaemonIdentity.AcpVersion}, .NET {Environment.Version})");
    return 0;
}

if (action == DaemonAction.CopyStore)
    return await StoreCopyCommand.RunAsync(args, Environment.GetEnvironmentVariable, Console.Out, Console.Error);

if (DaemonCommandLine.AddressInUse(listeningUrls) is { } inUse)
{
    await Console.Error.WriteLineAsync(inUse);
    return DaemonCommandLine.StartFailed;
}

// Two-stage start: a bootstrap logger exists before configuration is read, so a failure to start (an
// unwritable data directory, a bad setting) is reported rather than lost. Once the host is built,
// ObservabilityServices reconfigures this same logger from the settings.
Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateBootstrapLogger();
try
{
    var app = PactApp.Build(args);
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is not HostAbortedException)
{
    // A cause the operator can fix gets a line or two naming the fix; anything else is logged whole.
    if (DaemonCommandLine.Explain(e) is { } explanation)
    {
        await Log.CloseAndFlushAsync();
        await Console.Error.WriteLineAsync(explanation);
        return DaemonCommandLine.StartFailed;
    }
    Log.Fatal(e, "The Pact daemon failed to start or stopped unexpectedly");
    return DaemonCommandLine.StartFailed;
}
finally
{
    await Log.CloseAndFlushAsync();
}

/// <summary>Entry point, visible to the integration tests.</summary>
public partial class Program;
