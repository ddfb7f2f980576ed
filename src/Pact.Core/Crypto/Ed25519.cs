using System.Reflection;
using System.Runtime.InteropServices;

namespace Pact.Core.Crypto;

/// <summary>
/// Pure Ed25519 (RFC 8032) through the system libsodium. libsodium verifies cofactorless and refuses
/// non-canonical S, non-canonical points and small-order keys — exactly the rules of PROTOCOL.md §1.
/// </summary>
public static partial class Ed25519
{
    public const int SeedSize = 32;
    public const int PublicKeySize = 32;
    public const int SecretKeySize = 64;
    public const int SignatureSize = 64;
    private const string Library = "sodium";

    static Ed25519()
    {
        NativeLibrary.SetDllImportResolver(typeof(Ed25519).Assembly, Resolve);
        int status;
        try
        {
            status = sodium_init();
        }
        catch (DllNotFoundException e)
        {
            throw new LibsodiumMissingException(e);
        }
        if (status < 0) throw new InvalidOperationException("libsodium failed to initialize (sodium_init returned -1).");
    }

    /// <summary>Fails fast, naming the package to install, when libsodium is absent.</summary>
    public static void EnsureAvailable() => _ = SignatureSize; // Touching the type runs the static constructor.

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Library) return IntPtr.Zero;
        // Debian's runtime package ships only the versioned name; the -dev package adds the plain one.
        foreach (var candidate in new[] { "libsodium.so.23", "libsodium.so.26", "libsodium", "libsodium.dylib" })
        {
            if (NativeLibrary.TryLoad(candidate, assembly, path, out var handle)) return handle;
        }
        return IntPtr.Zero;
    }

    /// <summary>Expands a 32-byte seed into the 32-byte public key and libsodium's 64-byte secret key (seed ‖ public key).</summary>
    public static (byte[] PublicKey, byte[] SecretKey) KeyPairFromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedSize) throw new ArgumentException("An Ed25519 seed is 32 bytes.", nameof(seed));
        var pk = new byte[PublicKeySize];
        var sk = new byte[SecretKeySize];
        if (crypto_sign_seed_keypair(pk, sk, seed) != 0) throw new InvalidOperationException("crypto_sign_seed_keypair failed.");
        return (pk, sk);
    }

    public static byte[] Sign(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> message)
    {
        if (secretKey.Length != SecretKeySize) throw new ArgumentException("An Ed25519 secret key is 64 bytes.", nameof(secretKey));
        var sig = new byte[SignatureSize];
        if (crypto_sign_detached(sig, out _, message, (ulong)message.Length, secretKey) != 0)
            throw new InvalidOperationException("crypto_sign_detached failed.");
        return sig;
    }

    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize) return false;
        return crypto_sign_verify_detached(signature, message, (ulong)message.Length, publicKey) == 0;
    }

    [LibraryImport(Library)]
    private static partial int sodium_init();

    [LibraryImport(Library)]
    private static partial int crypto_sign_seed_keypair(Span<byte> pk, Span<byte> sk, ReadOnlySpan<byte> seed);

    [LibraryImport(Library)]
    private static partial int crypto_sign_detached(Span<byte> sig, out ulong sigLength, ReadOnlySpan<byte> message, ulong messageLength, ReadOnlySpan<byte> sk);

    [LibraryImport(Library)]
    private static partial int crypto_sign_verify_detached(ReadOnlySpan<byte> sig, ReadOnlySpan<byte> message, ulong messageLength, ReadOnlySpan<byte> pk);
}

/// <summary>Raised at first use of Ed25519 when the system libsodium cannot be loaded.</summary>
public sealed class LibsodiumMissingException(Exception inner) : Exception(
    "Pact needs the system libsodium for Ed25519 and could not load it. Install it with 'apt-get install libsodium23' " +
    "(Debian/Ubuntu), 'dnf install libsodium' (Fedora) or 'brew install libsodium' (macOS).", inner);
