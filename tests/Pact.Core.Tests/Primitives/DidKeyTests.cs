using FluentAssertions;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.Identity;

namespace Pact.Core.Tests.Primitives;

/// <summary>did:key for Ed25519 (§1) against the pact/1 vectors, with its one-spelling refusals.</summary>
public class DidKeyTests
{
    public static TheoryData<string> KeyNames() => new(TestData.PactVectors["keys"]!.AsObject().Select(p => p.Key));

    [Fact]
    public void DidKey_vector_public_key_gives_the_vector_did_and_back()
    {
        var vectors = TestData.PactVectors["didKey"]!.AsArray();
        vectors.Should().NotBeEmpty();
        foreach (var v in vectors)
        {
            var pk = Hex.Decode(v!["publicKeyHex"]!.GetValue<string>());
            var did = v["did"]!.GetValue<string>();
            DidKey.FromPublicKey(pk).Should().Be(did);
            DidKey.TryGetPublicKey(did, out var back).Should().BeTrue();
            back.Should().Equal(pk);
        }
    }

    [Theory]
    [MemberData(nameof(KeyNames))]
    public void Vector_seed_gives_the_vector_public_key_and_did(string name)
    {
        var v = TestData.PactVectors["keys"]![name]!;
        var key = KeyPair.FromSeed(Hex.Decode(v["seedHex"]!.GetValue<string>()));
        key.PublicKeyB64u.Should().Be(v["publicKeyB64u"]!.GetValue<string>());
        key.Did.Should().Be(v["did"]!.GetValue<string>());
        DidKey.TryGetPublicKey(key.Did, out var pk).Should().BeTrue();
        pk.Should().Equal(key.PublicKey);
    }

    [Fact]
    public void Random_keys_round_trip_through_did_key()
    {
        var random = new Random(8032);
        for (var i = 0; i < 200; i++)
        {
            var pk = new byte[32];
            random.NextBytes(pk);
            if (i == 0) Array.Clear(pk); // leading zero bytes after the multicodec prefix too
            var did = DidKey.FromPublicKey(pk);
            did.Should().StartWith("did:key:z6Mk");
            DidKey.TryGetPublicKey(did, out var back).Should().BeTrue(did);
            back.Should().Equal(pk);
        }
    }

    private static string Contractor => TestData.PactVectors["keys"]!["contractor"]!["did"]!.GetValue<string>();

    public static TheoryData<string, string?> Refused()
    {
        var pk = new byte[32];
        new Random(1).NextBytes(pk);
        var good = DidKey.FromPublicKey(pk);
        var body = good["did:key:z".Length..];
        return new()
        {
            { "x25519 multicodec 0xEC", "did:key:z" + Base58.Encode([0xEC, 0x01, .. pk]) },
            { "secp256k1 multicodec 0xE7", "did:key:z" + Base58.Encode([0xE7, 0x01, .. pk]) },
            { "Ed25519 code without its varint continuation", "did:key:z" + Base58.Encode([0xED, 0x00, .. pk]) },
            { "33-byte key", "did:key:z" + Base58.Encode([0xED, 0x01, .. pk, 0x00]) },
            { "31-byte key", "did:key:z" + Base58.Encode([0xED, 0x01, .. pk[..31]]) },
            { "extra leading '1' (a zero byte)", "did:key:z1" + body },
            { "'0' is not base58", "did:key:z" + body[..5] + "0" + body[6..] },
            { "'O' is not base58", "did:key:z" + body[..5] + "O" + body[6..] },
            { "'I' is not base58", "did:key:z" + body[..5] + "I" + body[6..] },
            { "'l' is not base58", "did:key:z" + body[..5] + "l" + body[6..] },
            { "no multibase prefix", "did:key:" + body },
            { "base58 with another multibase letter", "did:key:Z" + body },
            { "uppercase method", "DID:KEY:z" + body },
            { "did:web", "did:web:z" + body },
            { "trailing space", good + " " },
            { "leading space", " " + good },
            { "trailing newline", good + "\n" },
            { "bare prefix", "did:key:z" },
            { "empty", "" },
            { "null", null },
        };
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void Malformed_or_foreign_dids_are_refused(string why, string? did)
    {
        DidKey.IsValid(did).Should().BeFalse(why);
        DidKey.TryGetPublicKey(did, out var pk).Should().BeFalse(why);
        pk.Should().BeEmpty();
    }

    [Fact]
    public void Every_ed25519_did_key_has_56_characters_and_longer_input_is_refused_at_once()
    {
        DidKey.FromPublicKey(new byte[32]).Should().HaveLength(56);
        DidKey.FromPublicKey(Enumerable.Repeat((byte)0xFF, 32).ToArray()).Should().HaveLength(56);
        var huge = "did:key:z6Mk" + new string('z', 1 << 20);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        DidKey.IsValid(huge).Should().BeFalse();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Verify_recovers_the_key_from_the_did()
    {
        var key = KeyPair.FromSeed(Hex.Decode(TestData.PactVectors["keys"]!["contractor"]!["seedHex"]!.GetValue<string>()));
        var sig = key.SignText("pact");
        DidKey.VerifyB64u(Contractor, "pact", sig).Should().BeTrue();
        DidKey.VerifyB64u(Contractor, "pacT", sig).Should().BeFalse();
        DidKey.VerifyB64u(TestData.PactVectors["keys"]!["homeowner"]!["did"]!.GetValue<string>(), "pact", sig).Should().BeFalse();
        DidKey.VerifyB64u(Contractor, "pact", sig + "=").Should().BeFalse();
        DidKey.VerifyB64u(Contractor, "pact", null).Should().BeFalse();
        DidKey.Verify("did:key:z", "pact"u8, Base64Url.Decode(sig)).Should().BeFalse();
    }

    [Fact]
    public void Base58_keeps_leading_zero_bytes_as_ones()
    {
        Base58.Encode([0, 0, 1]).Should().Be("112");
        Base58.TryDecode("112", out var bytes).Should().BeTrue();
        bytes.Should().Equal(0, 0, 1);
        Base58.Encode([]).Should().Be("");
        // "Hello World!" in base58btc, a common reference value.
        Base58.Encode("Hello World!"u8).Should().Be("2NEpo7TZRRrLZSi2U");
    }

    [Fact]
    public void Base58_matches_a_big_integer_reference_on_random_inputs_and_round_trips()
    {
        const string alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        var random = new Random(58);
        for (var n = 0; n < 500; n++)
        {
            var bytes = new byte[random.Next(0, 48)];
            random.NextBytes(bytes);
            var zeros = random.Next(0, 4);
            for (var z = 0; z < Math.Min(zeros, bytes.Length); z++) bytes[z] = 0;

            // Reference: the number's base-58 digits, plus one '1' per leading zero byte.
            var value = new System.Numerics.BigInteger(bytes, isUnsigned: true, isBigEndian: true);
            var reference = new System.Text.StringBuilder();
            while (value > 0)
            {
                value = System.Numerics.BigInteger.DivRem(value, 58, out var rem);
                reference.Insert(0, alphabet[(int)rem]);
            }
            reference.Insert(0, new string('1', bytes.TakeWhile(b => b == 0).Count()));

            var text = Base58.Encode(bytes);
            text.Should().Be(reference.ToString());
            Base58.TryDecode(text, out var back).Should().BeTrue();
            back.Should().Equal(bytes);
        }
        Base58.TryDecode("2NEpo7TZRRrLZSi\u00e9", out _).Should().BeFalse();
    }
}
