using NSec.Cryptography;

namespace Pact.Core.Crypto;

/// <summary>
/// Pure Ed25519 (RFC 8032) through NSec and the libsodium it ships as a NuGet native asset. libsodium's
/// verification is cofactorless and refuses a non-canonical S (S ≥ L), non-canonical point encodings and
/// small-order public keys (and small-order R) — the rules of PROTOCOL.md §1, so the facade adds none of its own.
/// </summary>
public static class Ed25519
{
    public const int SeedSize = 32;
    public const int PublicKeySize = 32;
    public const int SignatureSize = 64;

    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;

    // RFC 8032 §7.1 TEST 1 (empty message): the start-up self-test's known answer.
    private static readonly byte[] SelfTestSeed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    private static readonly byte[] SelfTestSignature = Convert.FromHexString(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");

    /// <summary>
    /// Fails fast at start-up when the bundled libsodium cannot be loaded on this platform or does not give
    /// RFC 8032's answer, rather than at the first request that needs a signature.
    /// </summary>
    public static void EnsureAvailable()
    {
        using var key = ImportSeed(SelfTestSeed);
        var signature = Sign(key, []);
        if (!signature.AsSpan().SequenceEqual(SelfTestSignature) || !Verify(PublicKeyOf(key), [], signature))
            throw new InvalidOperationException("Ed25519 self-test failed: the loaded libsodium does not reproduce RFC 8032 §7.1 TEST 1.");
    }

    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize) return false;
        return PublicKey.TryImport(Algorithm, publicKey, KeyBlobFormat.RawPublicKey, out var key)
            && Algorithm.Verify(key!, message, signature);
    }

    /// <summary>Imports a 32-byte seed (RFC 8032's private key) as a signing key; only <see cref="KeyPair"/> holds one.</summary>
    internal static Key ImportSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedSize) throw new ArgumentException("An Ed25519 seed is 32 bytes.", nameof(seed));
        return Key.Import(Algorithm, seed, KeyBlobFormat.RawPrivateKey);
    }

    internal static byte[] PublicKeyOf(Key key) => key.PublicKey.Export(KeyBlobFormat.RawPublicKey);

    internal static byte[] Sign(Key key, ReadOnlySpan<byte> message) => Algorithm.Sign(key, message);
}
