using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Pact.Core.Ids;

/// <summary>
/// Daemon-assigned identifiers: a prefix ("ses_", "prp_", …) and a 26-character ULID in Crockford base32,
/// so ids sort by creation time. Within one millisecond the random part is incremented (monotonic ULID).
/// </summary>
public static partial class PactIds
{
    public const string Session = "ses_";
    public const string Proposal = "prp_";
    public const string Revocation = "rev_";
    public const string Marker = "mrk_";
    public const string Subscription = "sub_";
    public const string Delivery = "dlv_";
    public const string Checkpoint = "chk_";

    private const string Crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static readonly Lock Gate = new();
    private static long _lastMillis = -1;
    private static readonly byte[] LastRandom = new byte[10];

    public static string New(string prefix, DateTimeOffset now)
    {
        Span<byte> bytes = stackalloc byte[16];
        var millis = now.ToUnixTimeMilliseconds();
        lock (Gate)
        {
            if (millis <= _lastMillis)
            {
                millis = _lastMillis;
                Increment(LastRandom);
            }
            else
            {
                _lastMillis = millis;
                RandomNumberGenerator.Fill(LastRandom);
                LastRandom[0] &= 0x7F; // leave room to increment without overflow
            }
            LastRandom.CopyTo(bytes[6..]);
        }
        for (var i = 5; i >= 0; i--)
        {
            bytes[i] = (byte)(millis & 0xFF);
            millis >>= 8;
        }
        return prefix + EncodeBase32(bytes);
    }

    private static void Increment(byte[] value)
    {
        for (var i = value.Length - 1; i >= 0; i--)
        {
            if (++value[i] != 0) return;
        }
    }

    private static string EncodeBase32(ReadOnlySpan<byte> bytes)
    {
        // 128 bits as 26 characters of 5 bits, the first carrying the top 3 bits.
        var hi = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
        var lo = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        var value = new UInt128(hi, lo);
        Span<char> chars = stackalloc char[26];
        for (var i = 25; i >= 0; i--)
        {
            chars[i] = Crockford[(int)(value & 31)];
            value >>= 5;
        }
        return new string(chars);
    }

    [GeneratedRegex(@"^cmp_[A-Za-z0-9_-]{8,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex CompactIdPattern();

    [GeneratedRegex(@"^[a-z]{3}_[0-9A-HJKMNP-TV-Z]{26}\z", RegexOptions.CultureInvariant)]
    private static partial Regex DaemonIdPattern();

    /// <summary>A compact id chosen by the first proposer: "cmp_" + 8–64 of [A-Za-z0-9_-].</summary>
    public static bool IsCompactId(string? id) => id is not null && CompactIdPattern().IsMatch(id);

    public static bool IsDaemonId(string? id, string prefix) =>
        id is not null && id.StartsWith(prefix, StringComparison.Ordinal) && DaemonIdPattern().IsMatch(id);
}
