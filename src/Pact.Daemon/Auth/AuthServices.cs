using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Pact.Core.Encoding;
using Pact.Daemon.Hosting;
using Pact.Daemon.Instances;

namespace Pact.Daemon.Auth;

/// <summary>Who is calling: the admin and bearer tokens, the authentication scheme and policies, resource visibility, and signed envelopes with their nonces.</summary>
public static class AuthServices
{
    public static IServiceCollection AddPactAuthentication(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            if (sp.GetRequiredService<IOptions<PactOptions>>().Value.AdminToken is { Length: > 0 } configured) return new AdminToken(configured);
            var data = sp.GetRequiredService<DataDirectory>();
            var token = data.LoadOrCreateSecret(data.AdminTokenPath, 32, out var created);
            // The token itself never goes to the log (logs are shipped and kept): only where to read it.
            if (created) sp.GetRequiredService<ILogger<AdminToken>>().LogWarning("Generated an admin token; read it from {Path} (mode 0600)", data.AdminTokenPath);
            return new AdminToken(token);
        });
        services.AddSingleton(sp =>
        {
            var data = sp.GetRequiredService<DataDirectory>();
            var secret = data.LoadOrCreateSecret(data.TokenSecretPath, 32, out _);
            return new BearerTokens(Base64Url.Decode(secret), sp.GetRequiredService<TimeProvider>());
        });
        services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(PactAuthorization.Reader, policy => policy.RequireAuthenticatedUser())
            .AddPolicy(PactAuthorization.Operator, policy => policy.RequireRole(PactClaims.OperatorRole));
        services.AddSingleton<ResourceVisibility>();
        services.AddSingleton<EnvelopeAuthenticator>();
        services.AddWriterOnlyService<NonceJanitor>();
        return services;
    }
}
