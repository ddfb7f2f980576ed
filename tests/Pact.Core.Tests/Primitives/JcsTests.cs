using System.Security.Cryptography;
using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Encoding;
using Pact.Core.Errors;
using Pact.Core.Json;

namespace Pact.Core.Tests.Primitives;

/// <summary>
/// RFC 8785 beyond the six reference files: number formatting, UTF-16 member order, string escaping.
/// Expected number strings follow ECMA-262 Number::toString (§6.1.6.1.20; shortest round-trip digits,
/// plain notation for 1e-7 &lt; |x| &lt; 1e21, else exponent with explicit sign); the IEEE 754 bit patterns
/// are those RFC 8785 Appendix B lists, and each string was also checked with Node.js JSON.stringify.
/// </summary>
public class JcsTests
{
    [Theory]
    [InlineData("0000000000000000", "0")]
    [InlineData("8000000000000000", "0")] // minus zero prints as 0
    [InlineData("0000000000000001", "5e-324")] // smallest subnormal
    [InlineData("8000000000000001", "-5e-324")]
    [InlineData("7fefffffffffffff", "1.7976931348623157e+308")] // largest double
    [InlineData("ffefffffffffffff", "-1.7976931348623157e+308")]
    [InlineData("4340000000000000", "9007199254740992")] // 2^53
    [InlineData("c340000000000000", "-9007199254740992")]
    [InlineData("4430000000000000", "295147905179352830000")] // 2^68: 17 significant digits, then zeros
    [InlineData("44b52d02c7e14af5", "9.999999999999997e+22")]
    [InlineData("44b52d02c7e14af6", "1e+23")]
    [InlineData("44b52d02c7e14af7", "1.0000000000000001e+23")]
    [InlineData("444b1ae4d6e2ef4e", "999999999999999700000")]
    [InlineData("444b1ae4d6e2ef4f", "999999999999999900000")]
    [InlineData("444b1ae4d6e2ef50", "1e+21")] // first power of ten written with an exponent
    [InlineData("3eb0c6f7a0b5ed8c", "9.999999999999997e-7")]
    [InlineData("3eb0c6f7a0b5ed8d", "0.000001")] // last power of ten written plainly
    [InlineData("41b3de4355555553", "333333333.3333332")]
    [InlineData("41b3de4355555554", "333333333.33333325")]
    [InlineData("41b3de4355555555", "333333333.3333333")]
    [InlineData("41b3de4355555556", "333333333.3333334")]
    [InlineData("41b3de4355555557", "333333333.33333343")]
    [InlineData("becbf647612f3696", "-0.0000033333333333333333")]
    [InlineData("43143ff3c1cb0959", "1424953923781206.2")]
    public void Numbers_format_as_ecmascript_does(string ieeeHex, string expected)
    {
        var value = BitConverter.Int64BitsToDouble(Convert.ToInt64(ieeeHex, 16));
        Jcs.FormatNumber(value).Should().Be(expected);
    }

    [Theory]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("-0.0", "0")]
    [InlineData("1.0", "1")]
    [InlineData("1e21", "1e+21")]
    [InlineData("1e20", "100000000000000000000")]
    [InlineData("1e-7", "1e-7")]
    [InlineData("1.5e-7", "1.5e-7")]
    [InlineData("1e-6", "0.000001")]
    [InlineData("123e-20", "1.23e-18")]
    [InlineData("5e-324", "5e-324")]
    [InlineData("1.7976931348623157e308", "1.7976931348623157e+308")]
    [InlineData("9007199254740992", "9007199254740992")]
    [InlineData("9007199254740993", "9007199254740992")] // beyond 2^53 an integer is rounded like any double
    [InlineData("9223372036854775807", "9223372036854776000")]
    [InlineData("-9223372036854775808", "-9223372036854776000")]
    [InlineData("18446744073709551616", "18446744073709552000")]
    [InlineData("333333333.33333329", "333333333.3333333")]
    [InlineData("0.1", "0.1")]
    [InlineData("1E2", "100")]
    [InlineData("-1.5", "-1.5")]
    [InlineData("4.35", "4.35")]
    public void Parsed_number_text_canonicalizes_as_ecmascript_does(string text, string expected)
    {
        Jcs.CanonicalString(StrictJson.Parse($"[{text}]")).Should().Be($"[{expected}]");
    }

    [Fact]
    public void Numbers_from_dotnet_values_canonicalize_as_their_json_text_read_as_a_double()
    {
        // A float is taken as its JSON text ("1E+21"), as a receiver of the serialized value would read it,
        // not as the widened double 1.0000000200408773e+21.
        var obj = new JsonObject { ["a"] = 0.1m, ["b"] = 3, ["c"] = long.MaxValue, ["d"] = 0.1 + 0.2, ["e"] = 1e21f };
        Jcs.CanonicalString(obj).Should().Be("{\"a\":0.1,\"b\":3,\"c\":9223372036854776000,\"d\":0.30000000000000004,\"e\":1e+21}");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Non_finite_numbers_have_no_canonical_form(double value)
    {
        ((Action)(() => Jcs.FormatNumber(value))).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Members_sort_by_utf16_code_units_not_code_points()
    {
        // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FB01 in UTF-16 although its code point is larger.
        var obj = new JsonObject
        {
            ["\ufb01"] = 1, ["\ud83d\ude00"] = 2, ["\u20ac"] = 3, ["a"] = 4, ["\u00e9"] = 5, ["A"] = 6, ["\u0080"] = 7, ["aa"] = 8, [""] = 9,
        };
        Jcs.CanonicalString(obj).Should().Be("{\"\":9,\"A\":6,\"a\":4,\"aa\":8,\"\u0080\":7,\"\u00e9\":5,\"\u20ac\":3,\"\ud83d\ude00\":2,\"\ufb01\":1}");
    }

    [Fact]
    public void Astral_characters_are_written_as_raw_utf8()
    {
        Jcs.Canonicalize(JsonValue.Create("\ud83d\ude00")).Should().Equal(0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22);
        Jcs.Canonicalize(StrictJson.Parse("\"\\ud83d\\ude00\"")).Should().Equal(0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22);
    }

    [Fact]
    public void Control_characters_use_short_escapes_or_lowercase_u_escapes_and_nothing_else_is_escaped()
    {
        var s = "\u0000\u0001\u001f\u007f\b\t\n\f\r\"\\/\u2028\u00e9<>&'";
        // Only the 32 controls, '"' and '\\' are escaped; DEL, '/', U+2028 and HTML characters are written as they are.
        Jcs.CanonicalString(JsonValue.Create(s)).Should().Be("\"\\u0000\\u0001\\u001f\u007f\\b\\t\\n\\f\\r\\\"\\\\/\u2028\u00e9<>&'\"");
    }

    [Fact]
    public void Every_control_character_has_exactly_one_spelling()
    {
        for (var c = 0; c < 0x20; c++)
        {
            var expected = c switch
            {
                0x08 => "\\b", 0x09 => "\\t", 0x0a => "\\n", 0x0c => "\\f", 0x0d => "\\r",
                _ => $"\\u00{c:x2}",
            };
            Jcs.CanonicalString(JsonValue.Create(((char)c).ToString())).Should().Be($"\"{expected}\"");
        }
    }

    [Fact]
    public void Whitespace_goes_and_array_order_stays()
    {
        var node = StrictJson.Parse(" { \"b\" : [ 3 , 1 , { \"z\" : null , \"y\" : true } ] ,\n\t\"a\" : false } ");
        Jcs.CanonicalString(node).Should().Be("{\"a\":false,\"b\":[3,1,{\"y\":true,\"z\":null}]}");
    }

    [Fact]
    public void Lone_surrogates_cannot_be_canonicalized()
    {
        ((Action)(() => Jcs.Canonicalize(JsonValue.Create("a\ud800")))).Should().Throw<InvalidJsonException>();
        ((Action)(() => Jcs.Canonicalize(new JsonObject { ["\udc00"] = 1 }))).Should().Throw<InvalidJsonException>();
    }

    [Fact]
    public void Domain_hash_is_sha256_of_prefix_then_canonical_bytes()
    {
        var node = StrictJson.Parse("{\"b\":2,\"a\":1}");
        var expected = Hex.Encode(SHA256.HashData("pact-test-v1\n{\"a\":1,\"b\":2}"u8));
        Jcs.DomainHash("pact-test-v1\n", node).Should().Be(expected);
    }

    // Integers take a path of their own (no double formatting and re-parsing): the same text as that double.
    public static TheoryData<long> Integers() =>
    [
        0, 1, -1, 42, int.MaxValue, int.MinValue, 1_000_000_000_000_000, 1L << 53, -(1L << 53), (1L << 53) + 1, -((1L << 53) + 1),
        (1L << 53) + 3, long.MaxValue, long.MinValue,
    ];

    [Theory]
    [MemberData(nameof(Integers))]
    public void An_integer_prints_as_the_double_it_is_whether_parsed_or_built_from_a_long_or_an_int(long value)
    {
        var asDouble = Jcs.FormatNumber(value);
        Jcs.CanonicalString(JsonValue.Create(value)).Should().Be(asDouble);
        Jcs.CanonicalString(StrictJson.Parse(value.ToString(System.Globalization.CultureInfo.InvariantCulture))).Should().Be(asDouble);
        if (value is >= int.MinValue and <= int.MaxValue) Jcs.CanonicalString(JsonValue.Create((int)value)).Should().Be(asDouble);
        if (value == (1L << 53) + 1) asDouble.Should().Be("9007199254740992", "above 2^53 an integer rounds as the double it becomes");
    }

    [Theory]
    [InlineData("-0", "0")]
    [InlineData("1.0", "1")]
    [InlineData("1e2", "100")]
    [InlineData("9007199254740993", "9007199254740992")]
    [InlineData("-9223372036854775808", "-9223372036854776000")]
    [InlineData("123456789012345678901234", "1.2345678901234569e+23")] // as Node.js prints it
    public void Number_text_read_by_System_Text_Json_itself_canonicalizes_as_the_double_it_is(string text, string expected) =>
        Jcs.CanonicalString(JsonNode.Parse(text)).Should().Be(expected);

    [Fact]
    public void Serialized_dotnet_numbers_canonicalize_as_the_double_they_are()
    {
        var node = System.Text.Json.JsonSerializer.SerializeToNode(new { u = ulong.MaxValue, d = 12.50m, s = (short)-7, i = 5 });
        Jcs.CanonicalString(node).Should().Be("{\"d\":12.5,\"i\":5,\"s\":-7,\"u\":18446744073709552000}");
    }

    [Fact]
    public void Members_already_in_order_stay_in_order()
    {
        const string sorted = "{\"\":0,\"a\":1,\"b\":[true,false,null],\"\u00e9\":2,\"\ud83d\ude00\":3,\"\uffff\":4}";
        Jcs.CanonicalString(StrictJson.Parse(sorted)).Should().Be(sorted);
    }

    // Jcs writes into one pooled buffer per thread: a refusal mid-document, a large document and other threads must not leak into the next text.
    [Fact]
    public void After_a_refusal_mid_document_the_next_document_is_written_from_a_clean_buffer()
    {
        var refused = () => Jcs.CanonicalString(new JsonObject { ["a"] = "long text before the fault", ["b"] = "\ud800" });
        refused.Should().Throw<InvalidJsonException>();
        Jcs.CanonicalString(new JsonObject { ["x"] = 1 }).Should().Be("{\"x\":1}");
    }

    [Fact]
    public void A_document_larger_than_the_kept_buffer_is_written_whole_and_a_small_one_after_it_too()
    {
        var large = new string('x', 200_000);
        Jcs.CanonicalString(new JsonArray(large + "\n", large)).Should().Be($"[\"{large}\\n\",\"{large}\"]");
        Jcs.CanonicalString(new JsonArray(1, 2)).Should().Be("[1,2]");
    }

    [Fact]
    public void Threads_canonicalizing_at_once_never_see_each_others_text()
    {
        var documents = Enumerable.Range(0, 2_000).Select(i => new JsonObject { ["i"] = i, ["pad"] = new string((char)('a' + i % 26), i % 300) }).ToArray();
        var expected = documents.Select(d => $"{{\"i\":{d["i"]},\"pad\":\"{d["pad"]}\"}}").ToArray();
        var actual = new string[documents.Length];
        Parallel.For(0, documents.Length, i => actual[i] = Jcs.CanonicalString(documents[i]));
        actual.Should().Equal(expected);
    }
}
