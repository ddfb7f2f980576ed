using Pact.Client;

namespace Pact.Samples;

/// <summary>
/// The options every sample reads the same way, and as the CLI does: <c>--url</c> (else <c>$PACT_URL</c>, else the
/// daemon's loopback default) and <c>--key</c> (a name in <c>~/.pact/keys</c> or a path).
/// </summary>
public static class SampleOptions
{
    /// <summary>The daemon's default address: where <c>dotnet run --project src/Pact.Daemon</c> listens.</summary>
    public const string DefaultUrl = "http://127.0.0.1:7700/";

    /// <summary>The command that starts a daemon, from the repository root.</summary>
    public const string StartDaemon = "dotnet run --project src/Pact.Daemon";

    /// <summary><c>$PACT_URL</c>, else <see cref="DefaultUrl"/>.</summary>
    public static Uri DefaultDaemon() => ParseUrl(Environment.GetEnvironmentVariable("PACT_URL") is { Length: > 0 } url ? url : DefaultUrl);

    /// <summary>An http(s) base URL ending with '/', or an <see cref="ArgumentException"/> naming the bad value.</summary>
    public static Uri ParseUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new ArgumentException($"'{value}' is not an http(s) URL of the daemon.");
        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    /// <summary>The command line of a sample whose only option is <c>--url URL</c> (or <c>--url=URL</c>).</summary>
    public static Uri ParseUrlOnly(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var daemon = DefaultDaemon();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--url" && i + 1 < args.Length) daemon = ParseUrl(args[++i]);
            else if (args[i].StartsWith("--url=", StringComparison.Ordinal)) daemon = ParseUrl(args[i]["--url=".Length..]);
            else throw new ArgumentException($"unknown argument '{args[i]}'");
        }
        return daemon;
    }

    /// <summary>The key file a <c>--key</c> value names (see <see cref="AgentKeyFiles.Resolve"/>).</summary>
    public static string KeyPath(string nameOrPath) => AgentKeyFiles.Resolve(nameOrPath, Home);

    /// <summary>A sample's own key when no <c>--key</c> is given: <c>~/.pact/keys/&lt;sample&gt;.json</c>, outside the work tree.</summary>
    public static string DefaultKeyPath(string sample) => Path.Combine(AgentKeyFiles.Directory(Home), sample + ".json");

    private static string Home => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
}
