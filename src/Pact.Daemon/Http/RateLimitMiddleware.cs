using Pact.Core.Errors;
using Pact.Daemon.Auth;

namespace Pact.Daemon.Http;

/// <summary>
/// Per-caller budget for reads: keyed by the bearer token's agent, else the client address. Signed
/// requests are budgeted per signer once their signature verifies (<see cref="EnvelopeAuthenticator"/>).
/// </summary>
public sealed class RateLimitMiddleware(RequestDelegate next, AgentRateLimiter limiter, BearerTokens tokens)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (HttpMethods.IsPost(context.Request.Method) && context.Request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true)
            return Guard(context);
        string? header = context.Request.Headers.Authorization;
        var agent = header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? tokens.Validate(header[7..].Trim()) : null;
        var key = agent ?? "ip:" + context.Connection.RemoteIpAddress;
        if (limiter.TryAcquire(key) is { } retryAfter) return Refuse(context, retryAfter);
        return Guard(context);
    }

    private async Task Guard(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (RateLimitedException e)
        {
            await Refuse(context, e.RetryAfter);
        }
    }

    private static Task Refuse(HttpContext context, TimeSpan retryAfter) =>
        Problems.WriteAsync(context, new PactError(PactCodes.RateLimited, 429, "Rate limited",
            $"Too many requests from this caller; retry after {Math.Ceiling(retryAfter.TotalSeconds):0} s."), retryAfter);
}
