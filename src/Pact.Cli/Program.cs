namespace Pact.Cli;

/// <summary>The <c>pact</c> executable.</summary>
public static class Program
{
    /// <summary>Runs the command line against the real console and process environment.</summary>
    public static Task<int> Main(string[] args) =>
        Cli.RunAsync(args, Console.Out, Console.Error, CliEnvironment.FromProcess());
}
