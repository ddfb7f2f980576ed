using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Pact.Core.Errors;
using Pact.Daemon.Auth;
using Pact.Daemon.Hosting;

namespace Pact.Daemon.Http;

/// <summary>
/// One fixed-window budget per agent (per client address when anonymous), so one noisy agent cannot starve the
/// others (Pact:Limits:RequestsPerWindow per RateWindowSeconds). Reads spend it through ASP.NET's rate-limiting
/// middleware, keyed by the authenticated agent; a signed request spends its signer's budget once the signature
/// verifies (<see cref="EnvelopeAuthenticator"/>), so nobody can spend another agent's budget by naming it.
/// Signatures that fail to verify spend a second budget, per client address, checked before verifying.
/// </summary>
public sealed class RequestBudget : IDisposable
{
    /// <summary>The partition of signed requests in the middleware: not limited there, but by signer later.</summary>
    private const string Signed = "";

    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly PartitionedRateLimiter<string> _forgeries;

    public RequestBudget(IOptions<PactOptions> options)
    {
        var limits = options.Value.Limits;
        Window = TimeSpan.FromSeconds(limits.RateWindowSeconds);
        _limiter = PartitionedRateLimiter.Create<string, string>(key => key == Signed
            ? RateLimitPartition.GetNoLimiter(key)
            : RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limits.RequestsPerWindow,
                Window = Window,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
        _forgeries = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limits.InvalidSignaturesPerWindow,
            Window = Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    public TimeSpan Window { get; }

    /// <summary>The limiter the middleware applies to every request.</summary>
    public PartitionedRateLimiter<HttpContext> ForRequests() => _limiter.WithTranslatedKey<HttpContext>(KeyOf, leaveOpen: true);

    /// <summary>Null when the signer may go on; otherwise the 429 to answer and how long to wait.</summary>
    public (PactError Error, TimeSpan RetryAfter)? TrySpend(string signer)
    {
        using var lease = _limiter.AttemptAcquire(signer);
        return lease.IsAcquired ? null : Refusal(lease);
    }

    /// <summary>
    /// Null when this address may have a signature checked; otherwise the 429, because its invalid signatures
    /// this window have reached <c>InvalidSignaturesPerWindow</c>. Asking spends nothing.
    /// </summary>
    public (PactError Error, TimeSpan RetryAfter)? MayVerify(System.Net.IPAddress? address)
    {
        using var lease = _forgeries.AttemptAcquire(AddressKey(address), permitCount: 0);
        return lease.IsAcquired ? null : Refusal(lease);
    }

    /// <summary>Counts a signature that did not verify against its address.</summary>
    public void SpendInvalidSignature(System.Net.IPAddress? address)
    {
        using var _ = _forgeries.AttemptAcquire(AddressKey(address));
    }

    public (PactError Error, TimeSpan RetryAfter) Refusal(RateLimitLease lease)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : Window;
        return (new PactError(PactCodes.RateLimited, 429, "Rate limited",
            $"Too many requests from this caller; retry after {Math.Ceiling(retryAfter.TotalSeconds):0} s."), retryAfter);
    }

    /// <summary>Signed requests (JSON POSTs) wait for their signer; a read spends its agent's budget, else its address's.</summary>
    private static string KeyOf(HttpContext context)
    {
        if (HttpMethods.IsPost(context.Request.Method) && context.Request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true)
            return Signed;
        return context.User.AgentOf() ?? AddressKey(context.Connection.RemoteIpAddress);
    }

    private static string AddressKey(System.Net.IPAddress? address) => "ip:" + address;

    public void Dispose()
    {
        _limiter.Dispose();
        _forgeries.Dispose();
    }
}

public static class RateLimitingServices
{
    /// <summary>ASP.NET's rate limiter over the <see cref="RequestBudget"/>, refusing with 429 PACT-429 and Retry-After.</summary>
    public static IServiceCollection AddPactRateLimiting(this IServiceCollection services)
    {
        services.AddSingleton<RequestBudget>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<RequestBudget>((options, budget) =>
        {
            options.GlobalLimiter = budget.ForRequests();
            options.OnRejected = (context, _) =>
            {
                var (error, retryAfter) = budget.Refusal(context.Lease);
                return new ValueTask(Problems.WriteAsync(context.HttpContext, error, retryAfter));
            };
        });
        return services;
    }
}
