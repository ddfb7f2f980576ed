using System.Net.Sockets;

namespace Pact.Daemon.Hosting;

/// <summary>What the process was asked to do: run, or only print its help or version.</summary>
public enum DaemonAction
{
    Run,
    Help,
    Version,

    /// <summary>Copy the data directory's SQLite transcript into an empty PostgreSQL database, verify it, and exit.</summary>
    CopyStore,
}

/// <summary>
/// The daemon's command line, checked before anything is built or created: <c>--help</c> and <c>--version</c>
/// answer without touching the data directory, a misspelt option (<c>--data-dri</c>) or a listening URL that
/// cannot be bound is refused with one line and exit 2, and a start-up failure whose cause is known (a port in
/// use, a data directory another daemon holds) is explained in a line or two instead of a stack trace.
/// </summary>
public static class DaemonCommandLine
{
    /// <summary>Exit code of a command line that is wrong (as <c>pact</c>'s).</summary>
    public const int UsageError = 2;

    /// <summary>Exit code of a start that failed for a reason named on stderr.</summary>
    public const int StartFailed = 1;

    public const string Usage = """
        Usage: dotnet run --project src/Pact.Daemon -- [options]      (or: dotnet Pact.Daemon.dll [options])

        Runs the Pact daemon: agents negotiate signed compacts over REST, every step is recorded in a verifiable
        transcript. With no options it listens on http://127.0.0.1:7700 and keeps its data in ./data.

        Options:
          --urls <urls>            where to listen, ';'-separated (default http://127.0.0.1:7700)
          --data-dir <path>        transcript, daemon key, admin token and secrets (default ./data)
          --origin <name>          the log's name in signed log checkpoints (default localhost/pact)
          --admin-token <token>    the operator token (default: generated into <data-dir>/admin.token)
          --copy-store-to <conn>   copy <data-dir>/pact.db into the empty PostgreSQL database <conn> (an Npgsql
                                   connection string), verify the copy, and exit; the daemon must be stopped
          --<Section>:<Key>=<v>    any setting of appsettings.json, e.g. --Pact:Limits:MaxBodyBytes=2097152
          -h, --help               this text
          --version                the daemon's version and protocol

        Environment: PACT_<SETTING> (nested keys joined by __, e.g. PACT_LIMITS__MAXBODYBYTES), ASPNETCORE_URLS.
        Every setting: README.md, "Configuration"; running it for real: docs/operations.md.
        """;

    // Host settings ASP.NET Core reads from the command line, and the short switches PactApp maps to Pact:*.
    private static readonly HashSet<string> KnownOptions = new(StringComparer.OrdinalIgnoreCase)
    {
        "urls", "environment", "data-dir", "origin", "admin-token", "copy-store-to",
        "AllowedHosts", "detailedErrors", "shutdownTimeoutSeconds", "hostingStartupAssemblies",
        "hostingStartupExcludeAssemblies", "preventHostingStartup", "webroot", "contentRoot", "applicationName",
    };

    /// <summary>The action the arguments ask for, or the one-line reason they are refused.</summary>
    public static (DaemonAction Action, string? Error) Parse(IReadOnlyList<string> args, Func<string, string?> environment) =>
        Parse(args, environment, out _);

    /// <summary>As <see cref="Parse(IReadOnlyList{string}, Func{string, string?})"/>, also giving the URLs the daemon will listen on.</summary>
    public static (DaemonAction Action, string? Error) Parse(IReadOnlyList<string> args, Func<string, string?> environment, out IReadOnlyList<string> listeningUrls)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        listeningUrls = [];
        if (args.Any(a => a is "-h" or "--help" or "-?")) return (DaemonAction.Help, null);
        if (args.Any(a => a == "--version")) return (DaemonAction.Version, null);
        var urls = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                return (DaemonAction.Run, $"unexpected argument '{arg}': options start with --");
            var name = arg[2..];
            string? value = null;
            if (name.IndexOf('=', StringComparison.Ordinal) is var eq and >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            // A configuration key (Section:Key) is any setting; anything else must be one of the known options.
            if (!name.Contains(':', StringComparison.Ordinal) && !KnownOptions.Contains(name))
                return (DaemonAction.Run, $"unknown option '--{name}'{Suggestion(name)}");
            if (value is null)
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    return (DaemonAction.Run, $"--{name} needs a value");
                value = args[++i];
            }
            if (name.Equals("urls", StringComparison.OrdinalIgnoreCase)) urls.Add(value);
        }
        // A copy listens nowhere.
        if (args.Any(a => a.StartsWith("--copy-store-to", StringComparison.OrdinalIgnoreCase))) return (DaemonAction.CopyStore, null);
        if (urls.Count == 0 && (environment("ASPNETCORE_URLS") ?? environment("DOTNET_URLS")) is { Length: > 0 } fromEnvironment) urls.Add(fromEnvironment);
        // Kestrel endpoints from configuration decide the addresses themselves: nothing to check or probe here.
        if (urls.Count == 0 && args.Any(a => a.StartsWith("--Kestrel:", StringComparison.OrdinalIgnoreCase))) return (DaemonAction.Run, null);
        if (urls.Count == 0) urls.Add(PactApp.DefaultUrl);
        var each = urls.SelectMany(u => u.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        foreach (var url in each)
        {
            if (ListeningUrlError(url) is { } error) return (DaemonAction.Run, error);
        }
        listeningUrls = each;
        return (DaemonAction.Run, null);
    }

    /// <summary>
    /// The first of <paramref name="urls"/> whose address another process already listens on, tried before the
    /// daemon creates its key, token and store (Kestrel binds only after start-up work, so a port in use would
    /// otherwise be found after the data directory was written). A race with another process stays possible;
    /// <see cref="Explain"/> covers it.
    /// </summary>
    public static string? AddressInUse(IEnumerable<string> urls)
    {
        foreach (var url in urls)
        {
            var normalized = url.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || uri.Port == 0) continue;
            var address = uri.IsLoopback && !System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out _) ? System.Net.IPAddress.Loopback
                : System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? ip : null;
            if (address is null) continue;
            var probe = new TcpListener(address, uri.Port);
            try
            {
                probe.Start();
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                return $"error: cannot listen on {url}: the address is already in use.\n{InUseAdvice}";
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
            {
                return $"error: cannot listen on {url}: permission denied.\n{PrivilegedPortAdvice}";
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
            {
                return $"error: cannot listen on {url}: this host has no such address.\nListen on one of its addresses (e.g. --urls http://127.0.0.1:7700, or http://0.0.0.0:7700 for all).";
            }
            catch (SocketException)
            {
                // Anything else is Kestrel's to report.
            }
            finally
            {
                probe.Stop();
            }
        }
        return null;
    }

    private const string PrivilegedPortAdvice = "Ports below 1024 need privileges: choose a port above 1023 with --urls, or run it as a service (docs/operations.md).";

    private const string InUseAdvice = "Another process (another Pact daemon?) listens there: stop it, or choose another port with --urls http://127.0.0.1:<port>.";

    /// <summary>Why Kestrel could not listen on <paramref name="url"/>, or null when it is a listening URL.</summary>
    public static string? ListeningUrlError(string url)
    {
        // A Unix domain socket (http://unix:/run/pact.sock) has a path, not a port.
        if (url.Contains("://unix:", StringComparison.OrdinalIgnoreCase)) return null;
        // Kestrel's wildcard hosts (http://+:80, http://*:80) are not URI hosts: check them as 0.0.0.0.
        var normalized = url.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal);
        var authority = normalized.IndexOf("://", StringComparison.Ordinal) is var at and >= 0 ? normalized[(at + 3)..].Split('/')[0] : "";
        if (authority.LastIndexOf(':') is var colon and > 0 && !authority.EndsWith(']') &&
            (!int.TryParse(authority[(colon + 1)..], out var port) || port is < 0 or > 65535))
            return $"'{url}' is not a URL to listen on: the port must be a number from 0 to 65535 (e.g. --urls http://127.0.0.1:7700)";
        if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
            return $"'{url}' is not a URL to listen on: give http(s)://host:port, e.g. --urls http://127.0.0.1:7700";
        return null;
    }

    /// <summary>
    /// One or two lines for a start-up failure whose cause is known, naming the fix; null for anything else (which
    /// is logged whole, since it is a bug or an unforeseen environment).
    /// </summary>
    public static string? Explain(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        // The outermost message names what failed ("Failed to bind to address http://…"); the innermost says why.
        var what = FirstLine(failure.Message);
        for (var e = failure; e is not null; e = e.InnerException)
        {
            if (e is StartRefusedException refused)
                return $"error: {refused.Message}\n{refused.Advice}";
            if (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
                return $"error: {what}\n{InUseAdvice}";
            if (e is SocketException { SocketErrorCode: SocketError.AccessDenied })
                return $"error: {what}\n{PrivilegedPortAdvice}";
            if (e.Message.Contains("already open by another store", StringComparison.Ordinal))
                return $"error: {FirstLine(e.Message)}\nAnother Pact daemon uses this data directory: stop it first, or give this one its own with --data-dir.";
            // A value Settings refused ("Pact:Limits:MaxBodyBytes must be at least 1."), or one the binder could not convert.
            if (e is Microsoft.Extensions.Options.OptionsValidationException ||
                (e is InvalidOperationException && e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal)))
                return $"error: {FirstLine(e.Message)}\nFix the setting (README, \"Configuration\").";
            if (e is UnauthorizedAccessException)
                return $"error: {FirstLine(e.Message)}\nThe data directory must be writable by this user: fix its owner or mode, or choose another with --data-dir.";
        }
        return null;
    }

    /// <summary>The first non-trivial suggestion for a misspelt option.</summary>
    private static string Suggestion(string name)
    {
        var best = KnownOptions.Concat(["help", "version"])
            .Select(o => (Option: o, Distance: Distance(o, name.ToLowerInvariant())))
            .OrderBy(c => c.Distance).First();
        return best.Distance <= 2 ? $" (did you mean --{best.Option}?)" : "; see --help";
    }

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var previous = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var current = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }
        return row[b.Length];
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
