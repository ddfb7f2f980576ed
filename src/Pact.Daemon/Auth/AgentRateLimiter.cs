using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Pact.Daemon.Hosting;

namespace Pact.Daemon.Auth;

/// <summary>
/// A fixed-window budget per agent (or per client address for anonymous requests), so one noisy agent
/// cannot starve the others. Returns how long to wait when the budget is spent.
/// </summary>
public sealed class AgentRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly TimeSpan _window;

    public AgentRateLimiter(IOptions<PactOptions> options)
    {
        var limits = options.Value.Limits;
        _window = TimeSpan.FromSeconds(limits.RateWindowSeconds);
        _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limits.RequestsPerWindow,
            Window = _window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <summary>Null when allowed; otherwise the wait before the next attempt.</summary>
    public TimeSpan? TryAcquire(string key)
    {
        using var lease = _limiter.AttemptAcquire(key);
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : _window;
    }

    public void Dispose() => _limiter.Dispose();
}
