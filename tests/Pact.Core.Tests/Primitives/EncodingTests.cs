using FluentAssertions;
using Pact.Core.Encoding;

namespace Pact.Core.Tests.Primitives;

/// <summary>base64url without padding and lowercase hex: one spelling per value (§0).</summary>
public class EncodingTests
{
    [Theory]
    // RFC 4648 §10 test vectors, in the URL alphabet and without padding.
    [InlineData("", "")]
    [InlineData("f", "Zg")]
    [InlineData("fo", "Zm8")]
    [InlineData("foo", "Zm9v")]
    [InlineData("foob", "Zm9vYg")]
    [InlineData("fooba", "Zm9vYmE")]
    [InlineData("foobar", "Zm9vYmFy")]
    public void Base64url_matches_rfc4648_vectors_without_padding(string text, string encoded)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        Base64Url.Encode(bytes).Should().Be(encoded);
        Base64Url.TryDecode(encoded, out var back).Should().BeTrue();
        back.Should().Equal(bytes);
    }

    [Fact]
    public void Base64url_uses_dash_and_underscore_for_62_and_63()
    {
        Base64Url.Encode([0xfb, 0xff, 0xbf]).Should().Be("-_-_");
        Base64Url.Decode("-_-_").Should().Equal(0xfb, 0xff, 0xbf);
    }

    [Theory]
    [InlineData("Zg==", "padding")]
    [InlineData("Zg=", "partial padding")]
    [InlineData("Zm8=", "padding")]
    [InlineData("+_-_", "'+' of the standard alphabet")]
    [InlineData("-/-_", "'/' of the standard alphabet")]
    [InlineData("Zh", "trailing bits set: 'Zg' is the only spelling of 'f'")]
    [InlineData("Zm9", "trailing bit set: 'Zm8' is the only spelling of 'fo'")]
    [InlineData("Zm9vYh", "trailing bits set in the last group")]
    [InlineData("Zm9vY", "length 1 mod 4 holds no whole byte")]
    [InlineData("Z", "a single character")]
    [InlineData(" Zg", "leading space")]
    [InlineData("Zg ", "trailing space")]
    [InlineData("Zm 9v", "inner space")]
    [InlineData("Zm9v\n", "newline")]
    [InlineData("Zm9v\u00e9", "non-ASCII letter")]
    [InlineData("Zm9v\uff21", "full-width letter")]
    public void Base64url_refuses_every_other_spelling(string text, string why)
    {
        Base64Url.TryDecode(text, out var bytes).Should().BeFalse(why);
        bytes.Should().BeEmpty();
        ((Action)(() => Base64Url.Decode(text))).Should().Throw<FormatException>();
    }

    [Fact]
    public void Base64url_refuses_null()
    {
        Base64Url.TryDecode(null, out _).Should().BeFalse();
    }

    [Fact]
    public void Base64url_round_trips_every_length_up_to_100()
    {
        var random = new Random(4648);
        for (var n = 0; n <= 100; n++)
        {
            var bytes = new byte[n];
            random.NextBytes(bytes);
            var text = Base64Url.Encode(bytes);
            text.Should().NotContainAny("=", "+", "/");
            text.Length.Should().Be((n * 8 + 5) / 6);
            Base64Url.Decode(text).Should().Equal(bytes);
        }
    }

    [Theory]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", true)]
    [InlineData("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", false)]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85", false)]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555", false)]
    [InlineData("g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Digests_are_exactly_64_lowercase_hex_characters(string? text, bool valid)
    {
        Hex.IsDigest(text).Should().Be(valid);
    }

    [Fact]
    public void Hex_encodes_lowercase()
    {
        Hex.Encode([0x00, 0xab, 0xff]).Should().Be("00abff");
        Hex.Decode("00abff").Should().Equal(0x00, 0xab, 0xff);
    }
}
