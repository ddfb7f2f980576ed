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
/// </summary>
public sealed class RequestBudget : IDisposable
{
    /// <summary>The partition of signed requests in the middleware: not limited there, but by signer later.</summary>
    private const string Signed = "";

    private readonly PartitionedRateLimiter<string> _limiter;

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
        return context.User.AgentOf() ?? "ip:" + context.Connection.RemoteIpAddress;
    }

    public void Dispose() => _limiter.Dispose();
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
