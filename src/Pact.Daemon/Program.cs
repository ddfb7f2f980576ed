using Pact.Daemon.Hosting;
using Serilog;

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
    Log.Fatal(e, "The Pact daemon failed to start or stopped unexpectedly");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}

/// <summary>Entry point, visible to the integration tests.</summary>
public partial class Program;
