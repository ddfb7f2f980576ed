using Pact.Core.Crypto;
using Pact.Core.Encoding;

namespace Pact.Core.Identity;

/// <summary>did:key for Ed25519: "did:key:z" + base58btc(0xED 0x01 ‖ public key). Self-certifying: the key is recovered from the id.</summary>
public static class DidKey
{
    private const string Prefix = "did:key:z";
    private const int EncodedLength = 47;

    public static string FromPublicKey(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != Ed25519.PublicKeySize) throw new ArgumentException("An Ed25519 public key is 32 bytes.", nameof(publicKey));
        Span<byte> buffer = stackalloc byte[34];
        buffer[0] = 0xED;
        buffer[1] = 0x01;
        publicKey.CopyTo(buffer[2..]);
        return Prefix + Base58.Encode(buffer);
    }

    public static bool TryGetPublicKey(string? did, out byte[] publicKey)
    {
        publicKey = [];
        // 0xED 0x01 ‖ 32 bytes always spells 47 base58 characters. Checking the length first also keeps a
        // huge "did" from costing quadratic work in the decoder.
        if (did is null || did.Length != Prefix.Length + EncodedLength || !did.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        if (Decoded.TryGetValue(did, out var known))
        {
            publicKey = known.ToArray();
            return true;
        }
        if (!Base58.TryDecode(did[Prefix.Length..], out var bytes)) return false;
        if (bytes.Length != 34 || bytes[0] != 0xED || bytes[1] != 0x01) return false;
        publicKey = bytes[2..];
        // One key, one spelling: refuse ids that decode but do not re-encode identically.
        if (FromPublicKey(publicKey) != did) return false;
        if (Decoded.Count >= DecodedLimit) Decoded.Clear();
        Decoded[did] = publicKey.ToArray();
        return true;
    }

    // Every signed request decodes its signer's did:key (two base58 conversions); the same few agents sign again and
    // again. Only valid ids are kept, and the cache starts over past a bound rather than growing without one.
    private const int DecodedLimit = 100_000;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> Decoded = new(StringComparer.Ordinal);

    public static bool IsValid(string? did) => TryGetPublicKey(did, out _);

    /// <summary>Verifies a signature made by the key the did:key names.</summary>
    public static bool Verify(string did, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        TryGetPublicKey(did, out var pk) && Ed25519.Verify(pk, message, signature);

    public static bool VerifyB64u(string did, string text, string? signatureB64u) =>
        Base64Url.TryDecode(signatureB64u, out var sig) && Verify(did, System.Text.Encoding.UTF8.GetBytes(text), sig);
}
