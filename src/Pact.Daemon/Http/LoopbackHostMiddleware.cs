using System.Net;
using Pact.Core.Errors;

namespace Pact.Daemon.Http;

/// <summary>
/// While the daemon listens only on loopback, a request naming any other Host is refused (421): a web
/// page that rebinds its DNS name to 127.0.0.1 must not reach the daemon (§12).
/// </summary>
public sealed class LoopbackHostMiddleware(RequestDelegate next, ListenerInfo listener)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (!listener.LoopbackOnly || IsLoopbackHost(context.Request.Host.Host)) return next(context);
        return Problems.WriteAsync(context, new PactError(PactCodes.HostNotAllowed, 421, "Host not allowed",
            $"This daemon listens only on loopback and answers only loopback host names, not '{context.Request.Host.Host}'."));
    }

    public static bool IsLoopbackHost(string host)
    {
        if (string.IsNullOrEmpty(host)) return false;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
            host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }
}

/// <summary>What the daemon listens on, known once the server has started, and whether a reverse proxy exposes it.</summary>
/// <param name="behindProxy">A reverse proxy forwards requests from elsewhere: the daemon is exposed whatever it listens on.</param>
public sealed class ListenerInfo(bool behindProxy = false)
{
    /// <summary>
    /// True while every address the server reports is loopback and no reverse proxy is in front. False until the
    /// server has reported its addresses: in that moment the safe answer is "exposed" (invites, no open /metrics).
    /// </summary>
    public bool LoopbackOnly { get; private set; }

    public IReadOnlyList<string> Addresses { get; private set; } = [];

    public void Update(IEnumerable<string> addresses)
    {
        Addresses = addresses.ToList();
        LoopbackOnly = !behindProxy && Addresses.Count > 0 && Addresses.All(IsLoopbackAddress);
    }

    private static bool IsLoopbackAddress(string address)
    {
        if (!Uri.TryCreate(address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)) return false;
        return LoopbackHostMiddleware.IsLoopbackHost(uri.Host);
    }
}
