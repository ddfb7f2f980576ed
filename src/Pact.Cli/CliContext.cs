using System.CommandLine;
using Pact.Client;

namespace Pact.Cli;

/// <summary>One run of the command line: its writers, its surroundings and the options every command shares.</summary>
internal sealed class CliContext
{
    public const string DefaultUrl = "http://127.0.0.1:7700";
    public const string UrlVariable = "PACT_URL";
    public const string KeyVariable = "PACT_KEY";
    public const string AdminTokenVariable = "PACT_ADMIN_TOKEN";

    public CliContext(TextWriter stdout, TextWriter stderr, CliEnvironment environment)
    {
        Stdout = stdout;
        Stderr = stderr;
        Environment = environment;
    }

    public TextWriter Stdout { get; }

    public TextWriter Stderr { get; }

    public CliEnvironment Environment { get; }

    // Recursive: given once on the root, they are accepted after any subcommand (pact session list --json).
    public Option<string> Url { get; } = new("--url")
    {
        Description = $"The daemon's base URL. Default: ${UrlVariable}, else {DefaultUrl}.",
        HelpName = "url",
        Recursive = true,
    };

    public Option<string> Key { get; } = new("--key")
    {
        Description = $"The agent key file: a path, or a name in ~/.pact/keys (alice = ~/.pact/keys/alice.json). Default: ${KeyVariable}, else ~/.pact/keys/default.json.",
        HelpName = "file|name",
        Recursive = true,
    };

    public Option<string> AdminToken { get; } = new("--admin-token")
    {
        Description = $"The operator's admin token, for invites and for reads when there is no key file. Default: ${AdminTokenVariable}.",
        HelpName = "token",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the daemon's answer as JSON instead of tables (events: one JSON object per line).",
        Recursive = true,
    };

    /// <summary>Each command's examples, shown after its help.</summary>
    public Dictionary<Command, string> Examples { get; } = [];

    /// <summary>
    /// A command whose <paramref name="text"/> is a description, then (from a paragraph starting "Example") its
    /// examples, which go to <see cref="Examples"/> so that only the description appears in the parent's list.
    /// </summary>
    public Command NewCommand(string name, string text)
    {
        var at = text.IndexOf("\n\nExample", StringComparison.Ordinal);
        var command = new Command(name, at < 0 ? text : text[..at]);
        if (at >= 0) Examples[command] = text[(at + 2)..];
        return command;
    }

    /// <summary>~/.pact/keys under the environment's home directory.</summary>
    public string KeysDirectory => AgentKeyFiles.Directory(Environment.HomeDirectory);

    /// <summary>A key file named on the command line, resolved as the SDK resolves it (<see cref="AgentKeyFiles.Resolve"/>).</summary>
    public string KeyPathOf(string value) => AgentKeyFiles.Resolve(value, Environment.HomeDirectory);

    /// <summary>The agent key file in use: --key, else $PACT_KEY, else ~/.pact/keys/default.json.</summary>
    public string KeyPath(ParseResult parse)
    {
        var value = parse.GetValue(Key);
        if (string.IsNullOrEmpty(value)) value = Environment.GetVariable(KeyVariable);
        return string.IsNullOrEmpty(value) ? Path.Combine(KeysDirectory, "default.json") : KeyPathOf(value);
    }

    /// <summary>The daemon's base URL (ending with '/', as PactClient needs): --url, else $PACT_URL, else the default.</summary>
    public Uri BaseUrl(ParseResult parse)
    {
        var value = parse.GetValue(Url);
        if (string.IsNullOrEmpty(value)) value = Environment.GetVariable(UrlVariable);
        if (string.IsNullOrEmpty(value)) value = DefaultUrl;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new UsageException($"'{value}' is not an http(s) URL of the daemon.");
        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    /// <summary>--admin-token, else $PACT_ADMIN_TOKEN, else null.</summary>
    public string? AdminTokenOf(ParseResult parse)
    {
        var value = parse.GetValue(AdminToken);
        if (string.IsNullOrEmpty(value)) value = Environment.GetVariable(AdminTokenVariable);
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>Loads a key file, turning "no such file" into advice.</summary>
    /// <param name="option">The option that named the file, for the advice (--key unless another one did).</param>
    public static AgentKey LoadKey(string path, string what = "agent key", string option = "--key")
    {
        if (!File.Exists(path))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            throw new CliException(option == "--key"
                ? $"No {what} file at {path}. Create one with 'pact keys new --name {name}' (or pass --key)."
                : $"{option} names {name}, but there is no key file at {path}: give a did:key, or create the key with 'pact keys new --name {name}'.");
        }
        return AgentKey.Load(path);
    }

    /// <summary>Makes <paramref name="command"/> run <paramref name="body"/>, mapping what it throws to the exit codes.</summary>
    public void Handle(Command command, Func<Invocation, Task> body) =>
        command.SetAction((parse, ct) => RunAsync(parse, body, ct));

    private async Task<int> RunAsync(ParseResult parse, Func<Invocation, Task> body, CancellationToken ct)
    {
        using var invocation = new Invocation(this, parse, ct);
        try
        {
            await body(invocation).ConfigureAwait(false);
            return invocation.ExitCode ?? ExitCodes.Success;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl+C: the end of a tail is a normal way out; anything else was cut short.
            if (invocation.CancelIsSuccess) return ExitCodes.Success;
            Stderr.WriteLine("error: interrupted.");
            return ExitCodes.Failure;
        }
        catch (PactApiException e)
        {
            WriteRefusal(e);
            return ExitCodes.Refused;
        }
        catch (UsageException e)
        {
            Stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (HttpRequestException e)
        {
            Stderr.WriteLine($"error: cannot reach the daemon at {invocation.BaseUrlText}: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (TaskCanceledException)
        {
            Stderr.WriteLine($"error: the daemon at {invocation.BaseUrlText} did not answer in time.");
            return ExitCodes.Failure;
        }
        catch (Exception e)
        {
            Stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>"PACT-xxx title: detail", then each field error with its pointer.</summary>
    private void WriteRefusal(PactApiException e)
    {
        var head = e.Code is null ? $"HTTP {e.Status} {e.Title}" : $"{e.Code} {e.Title}";
        Stderr.WriteLine(string.IsNullOrEmpty(e.Detail) ? head : $"{head}: {e.Detail}");
        foreach (var error in e.Errors)
        {
            var pointer = error.Pointer.Length == 0 ? "(root)" : error.Pointer;
            Stderr.WriteLine($"  {pointer}  {error.Code}  {error.Message}");
        }
        if (e.Code is null && e.RawBody.Length > 0) Stderr.WriteLine(e.RawBody.Length > 500 ? e.RawBody[..500] + "…" : e.RawBody);
        if (HintFor(e.Code) is { } hint) Stderr.WriteLine("hint: " + hint);
    }

    /// <summary>What a person at a shell can do about a refusal, where the daemon's detail speaks of the HTTP API.</summary>
    private static string? HintFor(string? code) => code switch
    {
        "PACT-202" => "register the agent first: pact agent register --key <name> --principal-name \"…\" --principal-kind human|organization|agent",
        "PACT-304" => "a compact id and version are used once: draft with a new --compact-id, or propose the next version of an in-force compact",
        _ => null,
    };
}

/// <summary>A command line that parsed but does not make sense (exit 2).</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>A failure explained in words, shown without a stack trace (exit 4).</summary>
internal sealed class CliException(string message) : Exception(message);

/// <summary>Adds arguments, options and subcommands in one expression; checks numeric bounds at parse time.</summary>
internal static class CommandExtensions
{
    /// <summary>
    /// Refuses a number below <paramref name="min"/> given for <paramref name="option"/>. Reads the token itself:
    /// asking the option for its value would throw when the token is not a number, which the parser reports anyway.
    /// </summary>
    public static void Minimum<T>(this Option<T> option, long min) => option.Validators.Add(r =>
    {
        if (r.Tokens.Count > 0 && long.TryParse(r.Tokens[^1].Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) && n < min)
            r.AddError($"{option.Name} is {min} or more.");
    });

    public static Command With(this Command command, params Symbol[] symbols)
    {
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument a: command.Arguments.Add(a); break;
                case Option o: command.Options.Add(o); break;
                case Command sub: command.Subcommands.Add(sub); break;
                default: throw new ArgumentException($"Cannot add a {symbol.GetType().Name} to a command.", nameof(symbols));
            }
        }
        return command;
    }
}
