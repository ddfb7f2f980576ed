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
    public const string Mandate = "mnd_";
    public const string Bundle = "bnd_";

    internal const string Crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    private static readonly PactIdGenerator Shared = new();

    /// <summary>A new id from the process-wide generator, monotonic across every caller.</summary>
    public static string New(string prefix, DateTimeOffset now) => Shared.New(prefix, now);

    // \z rather than $: $ would also accept a final newline.
    [GeneratedRegex(@"^cmp_[A-Za-z0-9_-]{8,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex CompactIdPattern();

    [GeneratedRegex(@"^[a-z]{3}_[0-9A-HJKMNP-TV-Z]{26}\z", RegexOptions.CultureInvariant)]
    private static partial Regex DaemonIdPattern();

    [GeneratedRegex(@"^[a-z]{3}_\z", RegexOptions.CultureInvariant)]
    internal static partial Regex PrefixPattern();

    /// <summary>A compact id chosen by the first proposer: "cmp_" + 8–64 of [A-Za-z0-9_-].</summary>
    public static bool IsCompactId(string? id) => id is not null && CompactIdPattern().IsMatch(id);

    public static bool IsDaemonId(string? id, string prefix) =>
        id is not null && id.StartsWith(prefix, StringComparison.Ordinal) && DaemonIdPattern().IsMatch(id);
}

/// <summary>
/// Makes monotonic ULID-style ids. Each generator keeps its own last time and random part; the daemon
/// uses the shared one behind <see cref="PactIds.New"/>, tests may make their own.
/// </summary>
public sealed class PactIdGenerator
{
    private readonly Lock _gate = new();
    private readonly byte[] _lastRandom = new byte[10];
    private long _lastMillis = -1;

    /// <summary>
    /// prefix + 48-bit Unix milliseconds + 80 random bits. A clock that stands still or goes back keeps the
    /// last time and increments the random part, so ids from one generator strictly increase.
    /// </summary>
    public string New(string prefix, DateTimeOffset now)
    {
        if (prefix is null || !PactIds.PrefixPattern().IsMatch(prefix))
            throw new ArgumentException("A prefix is three lowercase letters and '_'.", nameof(prefix));
        Span<byte> bytes = stackalloc byte[16];
        var millis = now.ToUnixTimeMilliseconds();
        if (millis is < 0 or >= 1L << 48) throw new ArgumentOutOfRangeException(nameof(now), "The time does not fit a ULID.");
        lock (_gate)
        {
            if (millis <= _lastMillis)
            {
                millis = _lastMillis;
                Increment(_lastRandom);
            }
            else
            {
                _lastMillis = millis;
                RandomNumberGenerator.Fill(_lastRandom);
                _lastRandom[0] &= 0x7F; // leave room to increment without overflow
            }
            _lastRandom.CopyTo(bytes[6..]);
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
            chars[i] = PactIds.Crockford[(int)(value & 31)];
            value >>= 5;
        }
        return new string(chars);
    }
}
