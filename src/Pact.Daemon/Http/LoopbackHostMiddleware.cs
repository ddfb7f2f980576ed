using System.Net;
using Pact.Core.Errors;

namespace Pact.Daemon.Http;

/// <summary>
/// While the daemon listens only on loopback, a request naming any other Host is refused (421): a web
/// page that rebinds its DNS name to 127.0.0.1 must not reach the daemon (§12).
/// </summary>
public sealed class LoopbackHostMiddleware(RequestDelegate next, ListenerInfo listener)
{
    /// <summary>How much of a refused Host header the problem's detail repeats.</summary>
    private const int EchoedHostLength = 100;

    public Task InvokeAsync(HttpContext context)
    {
        // The raw header: Request.Host decodes punycode and throws on an invalid label such as "xn--localhost",
        // which would be a 500 wherever it is read next (routing, the OpenAPI server URL, the request log).
        var host = HostName(context.Request.Headers.Host.ToString());
        if (!IsDecodable(host)) return Refuse(context, host, "is not a valid host name");
        if (!listener.LoopbackOnly || IsLoopbackHost(host)) return next(context);
        return Refuse(context, host, "is not a loopback host name, and this daemon listens only on loopback");
    }

    private static Task Refuse(HttpContext context, string host, string why)
    {
        var echoed = host.Length <= EchoedHostLength ? host : host[..EchoedHostLength] + "…";
        return Problems.WriteAsync(context, new PactError(PactCodes.HostNotAllowed, 421, "Host not allowed", $"'{echoed}' {why}."));
    }

    /// <summary>Whether ASP.NET can turn the header into a <see cref="HostString"/> (it decodes punycode labels).</summary>
    private static bool IsDecodable(string host)
    {
        if (!host.Contains("xn--", StringComparison.OrdinalIgnoreCase)) return true;
        try
        {
            _ = HostString.FromUriComponent(host).Host;
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The host part of a raw Host header: without the port, an IPv6 literal keeping its brackets.</summary>
    public static string HostName(string header)
    {
        if (header.StartsWith('['))
        {
            var close = header.IndexOf(']');
            return close < 0 ? header : header[..(close + 1)];
        }
        var colon = header.IndexOf(':');
        return colon < 0 ? header : header[..colon];
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
