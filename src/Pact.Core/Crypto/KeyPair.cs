using System.Security.Cryptography;
using Pact.Core.Encoding;
using Pact.Core.Identity;

namespace Pact.Core.Crypto;

/// <summary>An Ed25519 identity: its seed, public key and did:key. Agents, principals and the daemon are each one.</summary>
public sealed class KeyPair
{
    // NSec keeps the expanded private key in memory it allocates and frees itself (a SafeHandle, released on finalization).
    private readonly NSec.Cryptography.Key _key;

    private KeyPair(byte[] seed)
    {
        _key = Ed25519.ImportSeed(seed);
        Seed = seed;
        PublicKey = Ed25519.PublicKeyOf(_key);
        Did = DidKey.FromPublicKey(PublicKey);
    }

    /// <summary>The 32-byte private seed (RFC 8032's private key). Keep it secret.</summary>
    public byte[] Seed { get; }

    public byte[] PublicKey { get; }

    public string PublicKeyB64u => Base64Url.Encode(PublicKey);

    public string Did { get; }

    public static KeyPair FromSeed(ReadOnlySpan<byte> seed) => new(seed.ToArray());

    public static KeyPair Generate() => new(RandomNumberGenerator.GetBytes(Ed25519.SeedSize));

    public byte[] Sign(ReadOnlySpan<byte> message) => Ed25519.Sign(_key, message);

    public string SignB64u(ReadOnlySpan<byte> message) => Base64Url.Encode(Sign(message));

    public string SignText(string text) => SignB64u(System.Text.Encoding.UTF8.GetBytes(text));
}
