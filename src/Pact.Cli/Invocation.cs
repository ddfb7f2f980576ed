using System.CommandLine;
using Pact.Client;

namespace Pact.Cli;

/// <summary>How a command talks to the daemon.</summary>
internal enum Access
{
    /// <summary>Public endpoints only: no key needed.</summary>
    Public,

    /// <summary>Signed envelopes: the agent key is required.</summary>
    Agent,

    /// <summary>Reads: the agent's bearer token when the key file exists, else the admin token.</summary>
    Reader,
}

/// <summary>One command being run: its parse result, output, and (on demand) a client of the daemon.</summary>
internal sealed class Invocation : IDisposable
{
    private readonly List<HttpClient> _http = [];

    public Invocation(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        Context = context;
        Parse = parse;
        CancellationToken = cancellationToken;
        Json = parse.GetValue(context.Json);
        Out = new Output(context.Stdout, context.Environment.RichOutput && !Json);
    }

    public CliContext Context { get; }

    public ParseResult Parse { get; }

    public CancellationToken CancellationToken { get; }

    public bool Json { get; }

    public Output Out { get; }

    /// <summary>Set by commands that run until interrupted (tail): Ctrl+C then ends them with exit 0.</summary>
    public bool CancelIsSuccess { get; set; }

    /// <summary>An exit code other than success for a command that ran to the end (e.g. a failed verification).</summary>
    public int? ExitCode { get; set; }

    /// <summary>The URL for messages; never throws.</summary>
    public string BaseUrlText
    {
        get
        {
            try
            {
                return Context.BaseUrl(Parse).AbsoluteUri;
            }
            catch (UsageException)
            {
                return "(invalid URL)";
            }
        }
    }

    public T? Get<T>(Option<T> option) => Parse.GetValue(option);

    public T? Get<T>(Argument<T> argument) => Parse.GetValue(argument);

    public string KeyPath => Context.KeyPath(Parse);

    public AgentKey LoadKey() => CliContext.LoadKey(KeyPath);

    /// <summary>A client of the daemon; <paramref name="streaming"/> lifts the HTTP timeout for an event stream.</summary>
    public PactClient Client(Access access, bool streaming = false)
    {
        var adminToken = Context.AdminTokenOf(Parse);
        AgentKey? key = access switch
        {
            Access.Agent => LoadKey(),
            Access.Reader when File.Exists(KeyPath) => LoadKey(),
            _ => null,
        };
        if (access == Access.Reader && key is null && adminToken is null)
        {
            throw new CliException(
                $"No key file at {KeyPath} and no admin token: reading needs one. " +
                "Create a key with 'pact keys new' and register it, pass --key, or pass --admin-token.");
        }
        var http = new HttpClient
        {
            BaseAddress = Context.BaseUrl(Parse),
            // A stream may stay quiet for long; the client's own idle timeout watches it instead.
            Timeout = streaming ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(100),
        };
        _http.Add(http);
        return new PactClient(http, key, new PactClientOptions { AdminToken = adminToken });
    }

    public void Dispose()
    {
        foreach (var http in _http) http.Dispose();
    }
}
