using Pact.Core.Errors;
using Pact.Daemon.Http;

namespace Pact.Daemon.Auth;

/// <summary>Who is reading: an agent holding a bearer token, or the operator holding the admin token.</summary>
public sealed record Caller(string? Agent, bool IsAdmin)
{
    public static readonly Caller Admin = new(null, true);

    /// <summary>True when this caller may see what these agents take part in.</summary>
    public bool CanSeeAny(IEnumerable<string> participants) => IsAdmin || (Agent is not null && participants.Contains(Agent, StringComparer.Ordinal));
}

/// <summary>Resolves the Authorization header into a <see cref="Caller"/> (§3).</summary>
public sealed class CallerResolver(BearerTokens tokens, AdminToken admin)
{
    public (Caller? Caller, PactError? Error) Resolve(HttpContext context)
    {
        string? header = context.Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return (null, new PactError(Pact.Core.Errors.PactCodes.BadToken, 401, "Bearer token required", "Send Authorization: Bearer <token> (POST /v1/auth/token issues one)."));
        var token = header["Bearer ".Length..].Trim();
        if (admin.Matches(token))
        {
            context.Items[CallerItems.Agent] = "admin";
            return (Caller.Admin, null);
        }
        var agent = tokens.Validate(token);
        if (agent is null)
            return (null, new PactError(Pact.Core.Errors.PactCodes.BadToken, 401, "Invalid bearer token", "The token is malformed, forged or expired; request a new one."));
        context.Items[CallerItems.Agent] = agent;
        return (new Caller(agent, false), null);
    }
}

/// <summary>The operator's token: configured, or generated once into the data directory.</summary>
public sealed class AdminToken(string token)
{
    private readonly byte[] _token = System.Text.Encoding.UTF8.GetBytes(token);

    public bool Matches(string candidate) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(_token, System.Text.Encoding.UTF8.GetBytes(candidate));
}
