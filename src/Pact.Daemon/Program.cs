using Pact.Daemon.Hosting;
using Serilog;

// Two-stage start: a console logger exists before configuration is read, so a failure to start
// (a missing libsodium, an unwritable data directory) is reported rather than lost.
Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateLogger();
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
