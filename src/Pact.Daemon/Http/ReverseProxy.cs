using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Pact.Daemon.Hosting;

namespace Pact.Daemon.Http;

/// <summary>The reverse proxy in front of the daemon, if any (docs/operations.md, "Behind a reverse proxy"), bound from "Pact:ReverseProxy".</summary>
public sealed class ReverseProxyOptions : IValidatableObject
{
    public const string Section = "Pact:ReverseProxy";

    /// <summary>
    /// IP addresses of the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed. Naming any
    /// declares the daemon exposed even though it listens on loopback: registration needs an invite, callbacks
    /// to loopback are refused and the loopback Host check is off, as when it listens beyond loopback.
    /// </summary>
    public IList<string> KnownProxies { get; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        KnownProxies.Where(p => !IPAddress.TryParse(p, out _)).Select(p => new ValidationResult(
            $"{{0}}: '{p}' is not an IP address (name the proxy by the address it connects from, e.g. 127.0.0.1).", [nameof(KnownProxies)]));
}

/// <summary>
/// A daemon behind a reverse proxy (TLS termination, one public name): the client's address and scheme come from
/// the proxy's X-Forwarded-For and X-Forwarded-Proto, believed only from the configured proxies, so the per-address
/// rate limit and the request log see the real client rather than the proxy.
/// </summary>
public static class ReverseProxy
{
    public static IServiceCollection AddPactReverseProxy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPactSettings<ReverseProxyOptions>(configuration, ReverseProxyOptions.Section);
        services.AddSingleton(sp => new ListenerInfo(behindProxy: sp.GetRequiredService<IOptions<ReverseProxyOptions>>().Value.KnownProxies.Count > 0));
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ReverseProxyOptions>>((forwarded, proxy) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Only the configured proxies, not ASP.NET's default of any loopback address.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var address in proxy.Value.KnownProxies) forwarded.KnownProxies.Add(IPAddress.Parse(address));
        });
        return services;
    }

    /// <summary>First in the pipeline, so everything after it sees the client's address.</summary>
    public static IApplicationBuilder UsePactReverseProxy(this IApplicationBuilder app)
    {
        var configured = app.ApplicationServices.GetRequiredService<IOptions<ReverseProxyOptions>>().Value.KnownProxies.Count > 0;
        return configured ? app.UseForwardedHeaders() : app;
    }
}
