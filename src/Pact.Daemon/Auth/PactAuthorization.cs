using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Pact.Daemon.Auth;

/// <summary>The daemon's two authorization policies (registered by <see cref="AuthServices"/>).</summary>
public static class PactAuthorization
{
    /// <summary>Any valid bearer token: an agent's or the operator's.</summary>
    public const string Reader = "pact:reader";

    /// <summary>The operator's admin token only.</summary>
    public const string Operator = "pact:operator";

    /// <summary>Authentication property carrying the detail of a 403 (PACT-205).</summary>
    public const string ForbiddenDetail = "pact:forbidden-detail";
}

/// <summary>
/// Requires an authorization policy once the request is bound, not before: §11 answers body errors (PACT-413, 415,
/// 100) before the bearer token (PACT-207), which ASP.NET's authorization middleware would not. An unauthenticated
/// caller is challenged (401 PACT-207), an authenticated one without the right forbidden (403 PACT-205).
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class RequirePolicyAttribute(string policy) : Attribute, IAsyncActionFilter
{
    public string Policy { get; } = policy;

    /// <summary>The detail of the 403 an authenticated caller without the right gets.</summary>
    public string? Forbidden { get; init; }

    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        var http = context.HttpContext;
        var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
        if ((await authorization.AuthorizeAsync(http.User, Policy)).Succeeded)
        {
            await next();
            return;
        }
        var properties = new AuthenticationProperties();
        if (Forbidden is not null) properties.SetString(PactAuthorization.ForbiddenDetail, Forbidden);
        context.Result = http.User.Identity?.IsAuthenticated == true ? new ForbidResult(properties) : new ChallengeResult(properties);
    }
}
