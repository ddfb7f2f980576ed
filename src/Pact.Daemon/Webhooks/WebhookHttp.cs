using System.Net;
using System.Net.Sockets;

namespace Pact.Daemon.Webhooks;

/// <summary>Resolves a callback's host name; replaceable so tests can make a name resolve anywhere without DNS.</summary>
public interface IWebhookHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct);
}

/// <summary>The system resolver.</summary>
public sealed class DnsWebhookHostResolver : IWebhookHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) => Dns.GetHostAddressesAsync(host, ct);
}

/// <summary>A callback address the policy refused: raised in the connect callback, before any packet is sent to it.</summary>
public sealed class WebhookAddressRefusedException : IOException
{
    public WebhookAddressRefusedException()
    {
    }

    public WebhookAddressRefusedException(string message) : base(message)
    {
    }

    public WebhookAddressRefusedException(string message, Exception inner) : base(message, inner)
    {
    }
}

/// <summary>
/// The HTTP client deliveries go through. It resolves the host itself and checks every address against the
/// <see cref="AddressPolicy"/> before opening a socket, then connects only to the addresses it checked, so a
/// DNS answer that changes between a check and the connection (rebinding) cannot slip through. Redirects
/// are not followed and no proxy is used (a proxy would make the checked address the proxy's).
/// </summary>
public static class WebhookHttp
{
    public static SocketsHttpHandler CreateHandler(IWebhookHostResolver resolver, AddressPolicy policy) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        // New connections re-resolve and re-check; an idle pooled one is not kept for long.
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        MaxResponseHeadersLength = 64,
        ConnectCallback = (context, ct) => ConnectAsync(context.DnsEndPoint, resolver, policy, ct),
    };

    public static HttpClient CreateClient(IWebhookHostResolver resolver, AddressPolicy policy) =>
        new(CreateHandler(resolver, policy), disposeHandler: true)
        {
            // Each attempt has its own deadline (a TimeProvider-driven token); the client adds none.
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = 64 * 1024,
        };

    /// <summary>Resolves, checks every address, then connects to the first that answers.</summary>
    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, IWebhookHostResolver resolver, AddressPolicy policy, CancellationToken ct)
    {
        var host = endpoint.Host.TrimStart('[').TrimEnd(']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await resolver.ResolveAsync(host, ct).ConfigureAwait(false);
        if (addresses.Length == 0) throw new WebhookAddressRefusedException($"{host} resolves to no address.");
        // Every address must pass: a name that mixes a public address with an internal one is refused whole.
        foreach (var address in addresses)
        {
            if (policy.Refusal(address) is { } reason)
                throw new WebhookAddressRefusedException(literal is null ? $"{host} resolves to {address}: {reason}." : $"Refused: {reason}.");
        }

        Exception? last = null;
        foreach (var candidate in addresses)
        {
            var address = candidate.IsIPv4MappedToIPv6 ? candidate.MapToIPv4() : candidate;
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }
}
