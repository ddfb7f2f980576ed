namespace Pact.Daemon.Auth;

/// <summary>Who is reading: an agent holding a bearer token, or the operator holding the admin token.</summary>
public sealed record Caller(string? Agent, bool IsAdmin)
{
    public static readonly Caller Admin = new(null, true);
}

/// <summary>The operator's token: configured, or generated once into the data directory.</summary>
public sealed class AdminToken(string token)
{
    private readonly byte[] _token = System.Text.Encoding.UTF8.GetBytes(token);

    public bool Matches(string candidate) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(_token, System.Text.Encoding.UTF8.GetBytes(candidate));
}
