using System.Numerics;
using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Crypto;
using Pact.Core.Encoding;

namespace Pact.Core.Tests.Primitives;

/// <summary>Ed25519 through NSec (and its bundled libsodium) against RFC 8032 §7.1, plus the refusals PROTOCOL.md §1 requires.</summary>
public class Ed25519Tests
{
    // L, the order of the prime-order subgroup (RFC 8032 §5.1).
    private static readonly BigInteger L = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493");

    private static JsonArray Vectors => TestData.Json("ed25519/rfc8032-vectors.json").AsArray();

    public static TheoryData<int> VectorIndexes() => new(Enumerable.Range(0, 3));

    private static (byte[] Seed, byte[] PublicKey, byte[] Message, byte[] Signature) Vector(int i)
    {
        var v = Vectors[i]!;
        return (Hex.Decode(v["secretSeedHex"]!.GetValue<string>()), Hex.Decode(v["publicKeyHex"]!.GetValue<string>()),
            Hex.Decode(v["messageHex"]!.GetValue<string>()), Hex.Decode(v["signatureHex"]!.GetValue<string>()));
    }

    [Fact]
    public void The_file_holds_the_three_rfc8032_section_7_1_vectors()
    {
        Vectors.Select(v => v!["name"]!.GetValue<string>()).Should().Equal("RFC8032 7.1 TEST 1", "RFC8032 7.1 TEST 2", "RFC8032 7.1 TEST 3");
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void Seed_expands_to_the_rfc_public_key(int i)
    {
        var (seed, publicKey, _, _) = Vector(i);
        var pair = KeyPair.FromSeed(seed);
        pair.PublicKey.Should().Equal(publicKey);
        pair.Seed.Should().Equal(seed);
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void Signing_gives_the_rfc_signature(int i)
    {
        var (seed, _, message, signature) = Vector(i);
        KeyPair.FromSeed(seed).Sign(message).Should().Equal(signature);
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void The_rfc_signature_verifies(int i)
    {
        var (_, publicKey, message, signature) = Vector(i);
        Ed25519.Verify(publicKey, message, signature).Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void Every_single_bit_flip_in_the_signature_is_refused(int i)
    {
        var (_, publicKey, message, signature) = Vector(i);
        for (var bit = 0; bit < 512; bit++)
        {
            var copy = (byte[])signature.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            if (Ed25519.Verify(publicKey, message, copy)) Assert.Fail($"Signature with bit {bit} flipped verified.");
        }
    }

    [Fact]
    public void Signature_over_another_message_or_by_another_key_is_refused()
    {
        var (_, pk3, message3, sig3) = Vector(2);
        var (_, pk2, _, _) = Vector(1);
        Ed25519.Verify(pk3, [0xaf, 0x83], sig3).Should().BeFalse();
        Ed25519.Verify(pk3, [.. message3, 0x00], sig3).Should().BeFalse();
        Ed25519.Verify(pk2, message3, sig3).Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void Non_canonical_s_is_refused(int i)
    {
        // S + L is the same scalar mod L: a verifier that reduced S would accept it. RFC 8032 §5.1.7 says refuse.
        var (_, publicKey, message, signature) = Vector(i);
        var s = new BigInteger(signature.AsSpan(32), isUnsigned: true, isBigEndian: false);
        s.Should().BeLessThan(L);
        var sPlusL = (s + L).ToByteArray(isUnsigned: true, isBigEndian: false);
        sPlusL.Length.Should().BeLessThanOrEqualTo(32);
        var forged = new byte[64];
        signature.AsSpan(0, 32).CopyTo(forged);
        sPlusL.CopyTo(forged, 32);
        Ed25519.Verify(publicKey, message, forged).Should().BeFalse();
    }

    public static TheoryData<string, string> SmallOrderKeys() => new()
    {
        { "identity (order 1)", "0100000000000000000000000000000000000000000000000000000000000000" },
        { "y = -1 (order 2)", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f" },
        { "y = 0 (order 4)", "0000000000000000000000000000000000000000000000000000000000000000" },
        { "order 8", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a" },
        { "identity spelled y = p + 1 (non-canonical)", "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f" },
        { "identity with the x sign bit set (non-canonical)", "0100000000000000000000000000000000000000000000000000000000000080" },
        { "y = 0 spelled y = p (non-canonical, order 4)", "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f" },
    };

    [Theory]
    [MemberData(nameof(SmallOrderKeys))]
    public void Small_order_public_keys_are_refused(string what, string publicKeyHex)
    {
        // With A = identity, R = identity and S = 0, the cofactorless equation [S]B = R + [k]A holds for
        // every message: without the small-order check anyone could "sign" as this key.
        var pk = Hex.Decode(publicKeyHex);
        var trivial = new byte[64];
        trivial[0] = 0x01;
        Ed25519.Verify(pk, "any message"u8, trivial).Should().BeFalse(what);
        Ed25519.Verify(pk, [], trivial).Should().BeFalse(what);
    }

    [Theory]
    [MemberData(nameof(SmallOrderKeys))]
    public void Small_order_public_keys_are_refused_even_when_the_cofactorless_equation_holds(string what, string publicKeyHex)
    {
        // The trivial signature above also has a small-order R, which libsodium refuses on its own. This one does
        // not: R = [r]B has full order and S = r, so [S]B = R + [k]A holds whenever [k]A is the identity — for
        // every message when A is the identity, and for one message in eight (k ≡ 0 mod 8) when A has order 2, 4
        // or 8. Only the public-key check stands between it and acceptance.
        var pk = Hex.Decode(publicKeyHex);
        var seed = Enumerable.Range(1, 32).Select(b => (byte)b).ToArray();
        var r = ClampedScalar(seed);
        var signature = new byte[64];
        KeyPair.FromSeed(seed).PublicKey.CopyTo(signature, 0);
        (r % L).ToByteArray(isUnsigned: true, isBigEndian: false).CopyTo(signature, 32);

        var message = Enumerable.Range(0, 1000).Select(i => System.Text.Encoding.UTF8.GetBytes($"message {i}"))
            .First(m => Challenge(signature.AsSpan(0, 32), pk, m) % 8 == 0);
        Ed25519.Verify(pk, message, signature).Should().BeFalse(what);
    }

    // RFC 8032 §5.1.5: the secret scalar is the first half of SHA-512(seed), clamped.
    private static BigInteger ClampedScalar(byte[] seed)
    {
        var h = System.Security.Cryptography.SHA512.HashData(seed).AsSpan(0, 32).ToArray();
        h[0] &= 248;
        h[31] &= 127;
        h[31] |= 64;
        return new BigInteger(h, isUnsigned: true, isBigEndian: false);
    }

    // RFC 8032 §5.1.7: k = SHA-512(R ‖ A ‖ M) mod L, over the bytes as sent.
    private static BigInteger Challenge(ReadOnlySpan<byte> r, byte[] publicKey, byte[] message) =>
        new BigInteger(System.Security.Cryptography.SHA512.HashData([.. r, .. publicKey, .. message]), isUnsigned: true, isBigEndian: false) % L;

    [Fact]
    public void Wrong_lengths_are_refused_not_thrown()
    {
        var (_, publicKey, message, signature) = Vector(0);
        Ed25519.Verify(publicKey.AsSpan(0, 31), message, signature).Should().BeFalse();
        Ed25519.Verify(publicKey, message, signature.AsSpan(0, 63)).Should().BeFalse();
        Ed25519.Verify([.. publicKey, 0], message, signature).Should().BeFalse();
        Ed25519.Verify(publicKey, message, [.. signature, 0]).Should().BeFalse();
    }

    [Fact]
    public void Bad_key_material_is_a_programming_error()
    {
        ((Action)(() => KeyPair.FromSeed(new byte[31]))).Should().Throw<ArgumentException>();
        ((Action)(() => KeyPair.FromSeed(new byte[33]))).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void The_start_up_self_test_passes()
    {
        ((Action)Ed25519.EnsureAvailable).Should().NotThrow();
    }

    [Fact]
    public void Generated_keys_differ_and_sign_verifiably()
    {
        var a = KeyPair.Generate();
        var b = KeyPair.Generate();
        a.Seed.Should().NotEqual(b.Seed);
        var sig = a.Sign("hello"u8);
        Ed25519.Verify(a.PublicKey, "hello"u8, sig).Should().BeTrue();
        Ed25519.Verify(b.PublicKey, "hello"u8, sig).Should().BeFalse();
        Base64Url.Decode(a.SignText("hello")).Should().Equal(sig);
    }
}
