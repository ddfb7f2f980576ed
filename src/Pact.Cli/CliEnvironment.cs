namespace Pact.Cli;

/// <summary>
/// What the command line takes from its surroundings, so that tests can run it in-process with their own
/// home directory and variables instead of the machine's.
/// </summary>
public sealed record CliEnvironment
{
    /// <summary>Reads an environment variable (PACT_URL, PACT_KEY, PACT_ADMIN_TOKEN); null when unset.</summary>
    public Func<string, string?> GetVariable { get; init; } = _ => null;

    /// <summary>The user's home directory; key files live in <c>~/.pact/keys</c>.</summary>
    public string HomeDirectory { get; init; } = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary>True when stdout is a terminal: tables get borders and colours. Redirected output stays plain.</summary>
    public bool RichOutput { get; init; }

    /// <summary>Where <c>--terms -</c> reads from.</summary>
    public TextReader StandardInput { get; init; } = TextReader.Null;

    /// <summary>True in the real process: Ctrl+C and SIGTERM cancel the running command instead of killing it.</summary>
    public bool HandleTermination { get; init; }

    /// <summary>The real process's environment, home directory and console.</summary>
    public static CliEnvironment FromProcess() => new()
    {
        GetVariable = Environment.GetEnvironmentVariable,
        HomeDirectory = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        RichOutput = !Console.IsOutputRedirected,
        StandardInput = Console.In,
        HandleTermination = true,
    };
}
