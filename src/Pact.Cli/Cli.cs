using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Pact.Cli.Commands;

namespace Pact.Cli;

/// <summary>The <c>pact</c> command line, callable in-process (tests run it against a real daemon this way).</summary>
public static class Cli
{
    private const string RootDescription = """
        pact: talk to a Pact daemon — keys, agents, sessions, compact negotiation, live transcripts, webhooks.

        Every command is a thin layer over the Pact SDK. State-changing commands sign an envelope with the
        agent key (--key); reads use the agent's bearer token, or the admin token when there is no key file.

        Exit codes:
          0  success
          2  usage error (unknown command or option, missing or malformed value)
          3  refused by the daemon: 'PACT-xxx title: detail' and field errors go to stderr
          4  failure: daemon unreachable, file unreadable, unexpected answer
          5  verification failed: the transcript or bundle does not hold (the first failure is printed)

        Quick start:
          pact keys new --name alice
          pact agent register --key alice --principal-name "Alice Ltd" --principal-kind organization
          pact session create --key alice --with did:key:z6Mk... --topic "kitchen remodel"
          pact tail ses_01J...
        """;

    /// <summary>
    /// Parses <paramref name="args"/> and runs the command, writing results to <paramref name="stdout"/> and
    /// diagnostics to <paramref name="stderr"/>. Returns the exit code (see <see cref="ExitCodes"/>).
    /// </summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="stdout">Where results go.</param>
    /// <param name="stderr">Where errors go.</param>
    /// <param name="environment">
    /// Variables, home directory and console facts; when null, the process's variables and home directory with plain
    /// output and no signal handling (the caller owns the console).
    /// </param>
    /// <param name="cancellationToken">Stops the command (as Ctrl+C does): a tail then exits 0.</param>
    public static async Task<int> RunAsync(
        string[] args,
        TextWriter stdout,
        TextWriter stderr,
        CliEnvironment? environment = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        environment ??= CliEnvironment.FromProcess() with { RichOutput = false, HandleTermination = false };
        var context = new CliContext(stdout, stderr, environment);
        var root = BuildRoot(context);
        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors) stderr.WriteLine($"error: {error.Message}");
            stderr.WriteLine($"Run '{CommandPath(parse.CommandResult)} --help' for usage.");
            return ExitCodes.Usage;
        }
        var configuration = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = environment.HandleTermination ? TimeSpan.FromSeconds(3) : null,
        };
        try
        {
            return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Commands map their own failures; this is the last resort for one that escaped.
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    internal static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand(RootDescription);
        root.Options.Add(context.Url);
        root.Options.Add(context.Key);
        root.Options.Add(context.AdminToken);
        root.Options.Add(context.Json);
        root.Subcommands.Add(KeysCommands.Build(context));
        root.Subcommands.Add(AgentCommands.Build(context));
        root.Subcommands.Add(SessionCommands.Build(context));
        root.Subcommands.Add(CompactCommands.Build(context));
        root.Subcommands.Add(PolicyCommands.Build(context));
        root.Subcommands.Add(MandateCommands.Build(context));
        root.Subcommands.Add(BundleCommands.Build(context));
        foreach (var command in NegotiationCommands.Build(context)) root.Subcommands.Add(command);
        foreach (var command in LifecycleCommands.Build(context)) root.Subcommands.Add(command);
        foreach (var command in TranscriptCommands.Build(context)) root.Subcommands.Add(command);
        foreach (var command in SubscriptionCommands.Build(context)) root.Subcommands.Add(command);
        root.Subcommands.Add(PassportCommands.Build(context));
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithExamples((HelpAction)help.Action!, context.Examples);
        return root;
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is not null; r = r.Parent)
        {
            if (r is CommandResult c) names.Insert(0, c.Command is RootCommand ? "pact" : c.Command.Name);
        }
        return string.Join(' ', names);
    }
}
