using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pact.Client;

/// <summary>
/// Checks that a webhook delivery came from the daemon, as a receiver should (Standard Webhooks, docs/webhooks.md):
/// an HMAC-SHA256 over <c>webhook-id.webhook-timestamp.body</c> with the subscription's key, compared in constant
/// time, and a timestamp close to now, so that a captured request cannot be replayed much later. Only once a
/// delivery verifies should its <c>webhook-id</c> be used to de-duplicate.
/// </summary>
public sealed class WebhookVerifier
{
    /// <summary>The header carrying the delivery's id ("evt_" + the event's seq), the same on every attempt.</summary>
    public const string IdHeader = "webhook-id";

    /// <summary>The header carrying the attempt's time, in Unix seconds.</summary>
    public const string TimestampHeader = "webhook-timestamp";

    /// <summary>The header carrying space-separated signatures "v1,&lt;base64&gt;".</summary>
    public const string SignatureHeader = "webhook-signature";

    /// <summary>The prefix of a subscription secret.</summary>
    public const string SecretPrefix = "whsec_";

    /// <summary>How far a delivery's timestamp may be from the receiver's clock by default: five minutes.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    // Unix seconds beyond year 9999 cannot be a DateTimeOffset; such a timestamp is simply too far from now.
    private const long MaxUnixSeconds = 253402300799;

    private readonly byte[][] _keys;
    private readonly TimeProvider _time;

    /// <summary>A verifier for one subscription's secret.</summary>
    /// <param name="secret">The "whsec_…" secret from <see cref="Pact.Core.Contracts.Responses.SubscriptionCreated.Secret"/>.</param>
    /// <param name="timeProvider">The receiver's clock; the system clock when null.</param>
    /// <param name="tolerance">How far the timestamp may be from now; <see cref="DefaultTolerance"/> when null.</param>
    /// <exception cref="ArgumentException">The secret is not "whsec_" + standard base64.</exception>
    public WebhookVerifier(string secret, TimeProvider? timeProvider = null, TimeSpan? tolerance = null)
        : this([secret], timeProvider, tolerance)
    {
    }

    /// <summary>
    /// A verifier accepting deliveries signed with any of several secrets: while rotating, the old and the new
    /// subscription's secrets.
    /// </summary>
    /// <param name="secrets">The "whsec_…" secrets; at least one.</param>
    /// <param name="timeProvider">The receiver's clock; the system clock when null.</param>
    /// <param name="tolerance">How far the timestamp may be from now; <see cref="DefaultTolerance"/> when null.</param>
    /// <exception cref="ArgumentException">No secret, or one that is not "whsec_" + standard base64.</exception>
    public WebhookVerifier(IEnumerable<string> secrets, TimeProvider? timeProvider = null, TimeSpan? tolerance = null)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        _keys = secrets.Select(s => TryKeyOf(s) ?? throw new ArgumentException("A webhook secret is \"whsec_\" followed by standard base64.", nameof(secrets))).ToArray();
        if (_keys.Length == 0) throw new ArgumentException("At least one secret is needed.", nameof(secrets));
        if (tolerance < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(tolerance), "The tolerance cannot be negative.");
        _time = timeProvider ?? TimeProvider.System;
        Tolerance = tolerance ?? DefaultTolerance;
    }

    /// <summary>How far a delivery's timestamp may be from now.</summary>
    public TimeSpan Tolerance { get; }

    /// <summary>Checks a delivery by its three headers and its body bytes as received (before any JSON parsing).</summary>
    /// <param name="webhookId">The <c>webhook-id</c> header.</param>
    /// <param name="webhookTimestamp">The <c>webhook-timestamp</c> header.</param>
    /// <param name="webhookSignature">The <c>webhook-signature</c> header.</param>
    /// <param name="body">The raw request body.</param>
    /// <returns>Null when the delivery is authentic and fresh; otherwise why it is not.</returns>
    public string? Verify(string? webhookId, string? webhookTimestamp, string? webhookSignature, ReadOnlySpan<byte> body) =>
        Check(_keys, webhookId, webhookTimestamp, webhookSignature, body, _time.GetUtcNow(), Tolerance);

    /// <summary>Checks a delivery against one secret at a given time.</summary>
    /// <param name="secret">The "whsec_…" secret.</param>
    /// <param name="webhookId">The <c>webhook-id</c> header.</param>
    /// <param name="webhookTimestamp">The <c>webhook-timestamp</c> header.</param>
    /// <param name="webhookSignature">The <c>webhook-signature</c> header.</param>
    /// <param name="body">The raw request body.</param>
    /// <param name="now">The receiver's time.</param>
    /// <param name="tolerance">How far the timestamp may be from <paramref name="now"/>; <see cref="DefaultTolerance"/> when null.</param>
    /// <returns>Null when the delivery is authentic and fresh; otherwise why it is not.</returns>
    /// <exception cref="ArgumentException">The secret is not "whsec_" + standard base64.</exception>
    public static string? Verify(string secret, string? webhookId, string? webhookTimestamp, string? webhookSignature, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        var key = TryKeyOf(secret) ?? throw new ArgumentException("A webhook secret is \"whsec_\" followed by standard base64.", nameof(secret));
        return Check([key], webhookId, webhookTimestamp, webhookSignature, body, now, tolerance ?? DefaultTolerance);
    }

    /// <summary>The HMAC key inside a secret: the standard base64 after "whsec_" (a secret without the prefix is taken as the base64 alone).</summary>
    /// <param name="secret">The secret.</param>
    /// <exception cref="FormatException">The secret is not base64.</exception>
    public static byte[] KeyOf(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
    }

    /// <summary>The signature of one delivery: "v1," + base64 HMAC-SHA256(key, id + "." + timestamp + "." + body).</summary>
    /// <param name="key">The HMAC key (<see cref="KeyOf"/>).</param>
    /// <param name="webhookId">The delivery id.</param>
    /// <param name="timestamp">The attempt's time in Unix seconds.</param>
    /// <param name="body">The body bytes.</param>
    public static string Sign(ReadOnlySpan<byte> key, string webhookId, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(webhookId);
        var prefix = Encoding.UTF8.GetBytes(webhookId + "." + timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    private static byte[]? TryKeyOf(string? secret)
    {
        if (secret is null) return null;
        try
        {
            var key = KeyOf(secret);
            return key.Length == 0 ? null : key;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string? Check(byte[][] keys, string? id, string? timestamp, string? signatureHeader, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatureHeader))
            return "missing webhook-id, webhook-timestamp or webhook-signature";
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return "webhook-timestamp is not a number of seconds";
        var age = now - DateTimeOffset.FromUnixTimeSeconds(Math.Min(seconds, MaxUnixSeconds));
        if (age.Duration() > tolerance) return "webhook-timestamp is too far from now";

        // The header may carry several space-separated signatures (while the daemon rotates keys); one match suffices.
        var candidates = signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (var key in keys)
        {
            var expected = Encoding.ASCII.GetBytes(Sign(key, id, seconds, body));
            foreach (var candidate in candidates)
            {
                if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(candidate), expected)) return null;
            }
        }
        return "no signature matches";
    }
}
