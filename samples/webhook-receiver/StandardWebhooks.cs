using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pact.Samples.WebhookReceiver;

/// <summary>
/// Verifying a Standard Webhooks delivery as a receiver should: the signature over id.timestamp.body with
/// the subscription's key, compared in constant time, and a timestamp close to now (a captured request
/// cannot be replayed much later).
/// </summary>
public static class StandardWebhooks
{
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>The key inside a "whsec_…" secret.</summary>
    public static byte[] KeyOf(string secret) =>
        Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret["whsec_".Length..] : secret);

    /// <summary>"v1," + base64 HMAC-SHA256(key, id + "." + timestamp + "." + body).</summary>
    public static string Sign(byte[] key, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(id + "." + timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    /// <summary>Null when the delivery is authentic and fresh; otherwise why it is not.</summary>
    public static string? Verify(string secret, string? id, string? timestamp, string? signatureHeader, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatureHeader))
            return "missing webhook-id, webhook-timestamp or webhook-signature";
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return "webhook-timestamp is not a number of seconds";
        var age = now - DateTimeOffset.FromUnixTimeSeconds(Math.Min(seconds, 253402300799));
        if (age.Duration() > (tolerance ?? DefaultTolerance)) return "webhook-timestamp is too far from now";

        var expected = Encoding.ASCII.GetBytes(Sign(KeyOf(secret), id, seconds, body));
        // The header may carry several space-separated signatures (during a key rotation); one match suffices.
        foreach (var candidate in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(candidate), expected)) return null;
        }
        return "no signature matches";
    }
}
