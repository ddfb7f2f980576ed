using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Pact.Core.Errors;
using Pact.Daemon.Http;
using Pact.Daemon.Telemetry;

namespace Pact.Daemon.Auth;

/// <summary>
/// The one reading of <c>Authorization: Bearer …</c> (§3): an agent's token or the operator's admin token becomes
/// the request's <see cref="ClaimsPrincipal"/>. No header is no principal (public endpoints do not care); a bad
/// or expired token fails, and a challenge answers 401 PACT-207 saying which of the two it was.
/// </summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, CachingLoggerFactory logger, UrlEncoder encoder,
    BearerTokens tokens, AdminToken admin)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(AuthenticateResult.NoResult());
        var token = header["Bearer ".Length..].Trim();
        if (admin.Matches(token)) return Task.FromResult(Success(PactClaims.Operator(SchemeName), "admin"));
        if (tokens.Validate(token) is not { } agent) return Task.FromResult(AuthenticateResult.Fail("Invalid bearer token"));
        return Task.FromResult(Success(PactClaims.Agent(agent, SchemeName), agent));
    }

    private AuthenticateResult Success(ClaimsPrincipal principal, string logName)
    {
        Context.Items[CallerItems.Agent] = logName;
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceAsync();
        await Problems.WriteAsync(Context, result.Failure is null
            ? new PactError(PactCodes.BadToken, 401, "Bearer token required", "Send Authorization: Bearer <token> (POST /v1/auth/token issues one).")
            : new PactError(PactCodes.BadToken, 401, "Invalid bearer token", "The token is malformed, forged or expired; request a new one."));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, PactError.Forbidden(
            properties.GetString(PactAuthorization.ForbiddenDetail) ?? "The caller may not do this."));
}

/// <summary>The claims a Pact principal carries: the agent's DID, or the operator role.</summary>
public static class PactClaims
{
    public const string AgentType = "pact:agent";
    public const string OperatorRole = "operator";

    public static ClaimsPrincipal Agent(string did, string scheme) =>
        new(new ClaimsIdentity([new Claim(AgentType, did)], scheme, AgentType, ClaimTypes.Role));

    public static ClaimsPrincipal Operator(string scheme) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Role, OperatorRole)], scheme, AgentType, ClaimTypes.Role));

    /// <summary>The agent behind this principal; null for the operator and for anonymous requests.</summary>
    public static string? AgentOf(this ClaimsPrincipal user) => user.FindFirst(AgentType)?.Value;

    public static bool IsOperator(this ClaimsPrincipal user) => user.IsInRole(OperatorRole);

    /// <summary>The authenticated reader, or null when the request carries no valid token.</summary>
    public static Caller? ToCaller(this ClaimsPrincipal user) =>
        user.IsOperator() ? Caller.Admin : user.AgentOf() is { } agent ? new Caller(agent, false) : null;
}
