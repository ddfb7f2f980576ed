using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Pact.Core.Encoding;
using Pact.Core.Identity;

namespace Pact.Daemon.Auth;

/// <summary>
/// Bearer tokens for reads: "pat_" + base64url({sub, exp}) + "." + base64url(HMAC-SHA256). Stateless, so
/// they survive restarts as long as the data directory's token secret does; valid for one hour.
/// </summary>
public sealed class BearerTokens(byte[] secret, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private const string Prefix = "pat_";

    public (string Token, DateTimeOffset ExpiresAt) Issue(string agentDid)
    {
        var expires = Pact.Core.Time.Timestamp.Truncate(time.GetUtcNow() + Lifetime);
        var claims = new JsonObject { ["sub"] = agentDid, ["exp"] = expires.ToUnixTimeMilliseconds() }.ToJsonString();
        var body = Base64Url.Encode(Encoding.UTF8.GetBytes(claims));
        return (Prefix + body + "." + Base64Url.Encode(Mac(body)), expires);
    }

    /// <summary>The agent a valid, unexpired token was issued to; null otherwise.</summary>
    public string? Validate(string? token)
    {
        if (token is null || !token.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0) return null;
        var body = token[Prefix.Length..dot];
        if (!Base64Url.TryDecode(token[(dot + 1)..], out var mac) || !CryptographicOperations.FixedTimeEquals(mac, Mac(body))) return null;
        if (!Base64Url.TryDecode(body, out var claimsBytes)) return null;
        try
        {
            var claims = JsonNode.Parse(claimsBytes)!;
            var sub = claims["sub"]!.GetValue<string>();
            var exp = DateTimeOffset.FromUnixTimeMilliseconds(claims["exp"]!.GetValue<long>());
            return exp > time.GetUtcNow() && DidKey.IsValid(sub) ? sub : null;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or NullReferenceException)
        {
            return null;
        }
    }

    private byte[] Mac(string body) => HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(body));
}
