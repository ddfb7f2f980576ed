using System.Security.Cryptography;
using System.Text;
using Pact.Core.Encoding;

namespace Pact.Daemon.Webhooks;

/// <summary>
/// Seals subscription signing keys for the database with AES-256-GCM under a key kept in the data
/// directory (webhook.key, mode 0600). A copy of the database alone does not reveal the keys; someone who
/// can read the data directory can. Each sealed value is bound to its subscription id, so one row's
/// sealed key cannot be moved to another row.
/// </summary>
public sealed class WebhookSecrets
{
    public const string FileName = "webhook.key";
    private const string Version = "v1.";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public WebhookSecrets(byte[] key)
    {
        if (key.Length != 32) throw new ArgumentException("The webhook sealing key must be 32 bytes.", nameof(key));
        _key = key;
    }

    /// <summary>A fresh 32-byte HMAC key for a new subscription.</summary>
    public static byte[] NewSigningKey() => RandomNumberGenerator.GetBytes(32);

    /// <summary>The secret as shown to the subscriber: "whsec_" + standard base64 of the key.</summary>
    public static string Format(byte[] signingKey) => "whsec_" + Convert.ToBase64String(signingKey);

    public string Seal(byte[] signingKey, string subscriptionId)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var sealedBytes = new byte[NonceSize + signingKey.Length + TagSize];
        nonce.CopyTo(sealedBytes, 0);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, signingKey, sealedBytes.AsSpan(NonceSize, signingKey.Length), sealedBytes.AsSpan(NonceSize + signingKey.Length), Encoding.UTF8.GetBytes(subscriptionId));
        return Version + Base64Url.Encode(sealedBytes);
    }

    /// <summary>The signing key, or an exception when the value was altered, moved or sealed under another key.</summary>
    public byte[] Open(string sealedValue, string subscriptionId)
    {
        if (!sealedValue.StartsWith(Version, StringComparison.Ordinal) || !Base64Url.TryDecode(sealedValue[Version.Length..], out var bytes) || bytes.Length <= NonceSize + TagSize)
            throw new CryptographicException($"The sealed secret of {subscriptionId} is malformed.");
        var length = bytes.Length - NonceSize - TagSize;
        var key = new byte[length];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(bytes.AsSpan(0, NonceSize), bytes.AsSpan(NonceSize, length), bytes.AsSpan(NonceSize + length), key, Encoding.UTF8.GetBytes(subscriptionId));
        return key;
    }
}

/// <summary>Standard Webhooks signatures: v1,base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)).</summary>
public static class WebhookSignature
{
    public static string Sign(byte[] key, string webhookId, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(webhookId + "." + timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    /// <summary>The key inside a "whsec_…" secret (standard base64 after the prefix).</summary>
    public static byte[] KeyOf(string secret)
    {
        const string prefix = "whsec_";
        return Convert.FromBase64String(secret.StartsWith(prefix, StringComparison.Ordinal) ? secret[prefix.Length..] : secret);
    }
}
