using System.Text.Json.Nodes;
using Pact.Core.Json;

namespace Pact.Cli.Tests.Infrastructure;

/// <summary>Two registered agents (alice as party a, bob as b), a session between them, and drafted terms in a file.</summary>
public sealed record NegotiationSetup(string Alice, string Bob, string SessionId, string TermsPath, string CompactId, string From);

/// <summary>What one run of the command line produced.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Stdout parsed as one JSON document.</summary>
    public JsonNode Json => StrictJson.Parse(Stdout) ?? throw new InvalidOperationException("stdout is JSON null");

    /// <summary>Stdout parsed as JSON Lines.</summary>
    public IReadOnlyList<JsonObject> JsonLines =>
        Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => (JsonObject)StrictJson.Parse(line)!).ToList();

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs <see cref="Cli.RunAsync"/> in-process against the fixture's daemon, with a private home directory (so key
/// files go to a temp ~/.pact/keys) and a private set of environment variables.
/// </summary>
public sealed class CliRunner : IDisposable
{
    private readonly Uri _daemon;

    public CliRunner(Uri daemon)
    {
        _daemon = daemon;
        Home = Path.Combine(Path.GetTempPath(), "pact-cli-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Home);
    }

    public string Home { get; }

    public string KeysDirectory => Path.Combine(Home, ".pact", "keys");

    public Dictionary<string, string> Variables { get; } = [];

    public CliEnvironment Environment(string stdin = "") => new()
    {
        GetVariable = name => Variables.GetValueOrDefault(name),
        HomeDirectory = Home,
        RichOutput = false,
        StandardInput = new StringReader(stdin),
    };

    /// <summary>Runs the command line with <c>--url</c> set to the test daemon.</summary>
    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await Cli.RunAsync([.. args, "--url", _daemon.AbsoluteUri], stdout, stderr, Environment());
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs without adding --url (for tests of the URL handling itself).</summary>
    public async Task<CliResult> RunRawAsync(string[] args, string stdin = "", TextWriter? stdout = null, CancellationToken cancellationToken = default)
    {
        var output = stdout ?? new StringWriter();
        using var stderr = new StringWriter();
        var code = await Cli.RunAsync(args, output, stderr, Environment(stdin), cancellationToken);
        return new CliResult(code, output.ToString() ?? "", stderr.ToString());
    }

    /// <summary>Succeeds or fails the test with the run's output in the message.</summary>
    public async Task<CliResult> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        result.ExitCode.Should().Be(0, result.ToString());
        return result;
    }

    /// <summary>A new agent key "name", its principal's key "name-principal", registered with principal-signature in mind.</summary>
    public async Task<string> RegisteredAgentAsync(string name, string kind = "organization")
    {
        var did = (string)(await OkAsync("keys", "new", "--name", name, "--json")).Json["did"]!;
        await OkAsync("keys", "new", "--name", name + "-principal");
        await OkAsync("agent", "register", "--key", name, "--principal-key", name + "-principal", "--principal-name", name + " principal", "--principal-kind", kind);
        return did;
    }

    /// <summary>
    /// alice and bob registered, a session between them, and standard-tier terms drafted by alice into a file.
    /// The compact took effect yesterday (the daemon runs on the real clock) and runs for a year.
    /// </summary>
    public async Task<NegotiationSetup> NegotiationAsync()
    {
        var alice = await RegisteredAgentAsync("alice");
        var bob = await RegisteredAgentAsync("bob", "human");
        var session = (string)(await OkAsync("session", "create", "--key", "alice", "--with", "bob", "--json")).Json["sessionId"]!;
        var compactId = "cmp_" + Guid.NewGuid().ToString("N")[..16];
        var termsPath = Path.Combine(Home, "terms.json");
        var today = TimeProvider.System.GetUtcNow().UtcDateTime.Date;
        var from = today.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var until = today.AddYears(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var drafted = await OkAsync("compact", "draft", "--key", "alice", "--b-agent", "bob",
            "--interaction", "Kitchen remodel per SOW-17", "--from", from, "--until", until,
            "--compact-id", compactId, "-o", termsPath, "--json");
        ((string)drafted.Json["compactId"]!).Should().Be(compactId);
        return new NegotiationSetup(alice, bob, session, termsPath, compactId, from + "T00:00:00.000Z");
    }

    public const string PolicyHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    /// <summary><see cref="NegotiationAsync"/>, then alice proposes and bob signs: the compact is in force.</summary>
    public async Task<NegotiationSetup> InForceAsync()
    {
        var s = await NegotiationAsync();
        var proposalId = (string)(await OkAsync("propose", s.SessionId, "--key", "alice", "--terms", s.TermsPath, "--principal-key", "alice-principal", "--json")).Json["proposalId"]!;
        await OkAsync("sign", proposalId, "--key", "bob", "--policy-hash", PolicyHash);
        return s;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS temp cleaner.
        }
    }
}
