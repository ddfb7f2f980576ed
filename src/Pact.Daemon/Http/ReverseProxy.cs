using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Pact.Daemon.Hosting;

namespace Pact.Daemon.Http;

/// <summary>
/// A daemon behind a reverse proxy (TLS termination, one public name): the client's address and scheme come from
/// the proxy's X-Forwarded-For and X-Forwarded-Proto, believed only from the configured proxies, so the per-address
/// rate limit and the request log see the real client rather than the proxy.
/// </summary>
public static class ReverseProxy
{
    public static IServiceCollection AddPactReverseProxy(this IServiceCollection services, ReverseProxyOptions proxy)
    {
        var proxies = proxy.KnownProxies.Select(Parse).ToList();
        services.AddSingleton(new ListenerInfo(behindProxy: proxies.Count > 0));
        if (proxies.Count == 0) return services;
        services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Only the configured proxies, not ASP.NET's default of any loopback address.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var address in proxies) forwarded.KnownProxies.Add(address);
        });
        return services;
    }

    /// <summary>First in the pipeline, so everything after it sees the client's address.</summary>
    public static IApplicationBuilder UsePactReverseProxy(this IApplicationBuilder app)
    {
        var configured = app.ApplicationServices.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value.KnownProxies.Count > 0;
        return configured ? app.UseForwardedHeaders() : app;
    }

    private static IPAddress Parse(string value) => IPAddress.TryParse(value, out var address)
        ? address
        : throw new InvalidOperationException($"Pact:ReverseProxy:KnownProxies: '{value}' is not an IP address (name the proxy by the address it connects from, e.g. 127.0.0.1).");
}
