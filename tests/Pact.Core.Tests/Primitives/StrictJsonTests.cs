using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Errors;
using Pact.Core.Json;

namespace Pact.Core.Tests.Primitives;

/// <summary>I-JSON parsing (§0): what is hashed is exactly what was sent, so anything ambiguous is refused.</summary>
public class StrictJsonTests
{
    private static void Refused(byte[] utf8, string because)
    {
        var act = () => StrictJson.Parse(utf8);
        act.Should().Throw<InvalidJsonException>(because);
    }

    private static void Refused(string json, string because) => Refused(System.Text.Encoding.UTF8.GetBytes(json), because);

    /// <summary>A refusal names where it is, as a JSON pointer into the document (escaped per RFC 6901).</summary>
    [Theory]
    [InlineData("{\"a\":1,\"a\":2}", "Duplicate member \"a\" at ''.")]
    [InlineData("{\"x\":{\"y\":[0,{\"a\":1,\"a\":2}]}}", "Duplicate member \"a\" at '/x/y/1'.")]
    [InlineData("{\"a/b\":{\"m~n\":[\"ok\",\"\\ud800\"]}}", "Invalid string at '/a~1b/m~0n/1': *")]
    [InlineData("{\"k\":{\"\\udfff\":1}}", "Invalid string at '/k': *")]
    [InlineData("[1,[2,1e400]]", "Number out of range at '/1/1'.")]
    public void A_refusal_names_the_place_in_the_document(string json, string message) =>
        FluentActions.Invoking(() => StrictJson.Parse(json)).Should().Throw<InvalidJsonException>().WithMessage(message);

    [Theory]
    [InlineData("{\"a\":1,\"a\":2}", "top-level duplicate")]
    [InlineData("{\"a\":1,\"a\":1}", "duplicate with the same value")]
    [InlineData("{\"x\":{\"a\":1,\"b\":2,\"a\":3}}", "nested duplicate")]
    [InlineData("[{\"ok\":1},{\"a\":1,\"a\":2}]", "duplicate inside an array")]
    [InlineData("{\"a\":1,\"\\u0061\":2}", "duplicate spelled with an escape")]
    [InlineData("{\"\\ud83d\\ude00\":1,\"\ud83d\ude00\":2}", "duplicate astral key, escaped and raw")]
    public void Duplicate_keys_are_refused(string json, string why) => Refused(json, why);

    [Fact]
    public void Keys_differing_only_in_case_or_normalization_are_distinct()
    {
        var node = StrictJson.Parse("{\"a\":1,\"A\":2,\"\u00e9\":3,\"e\u0301\":4}")!.AsObject();
        node.Count.Should().Be(4);
    }

    public static TheoryData<byte[], string> InvalidUtf8() => new()
    {
        { [0x22, 0xC3, 0x28, 0x22], "invalid continuation byte in a string" },
        { [0x22, 0xC0, 0xAF, 0x22], "overlong encoding of '/'" },
        { [0x22, 0xED, 0xA0, 0x80, 0x22], "UTF-8 encoded surrogate (CESU)" },
        { [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "code point above U+10FFFF" },
        { [0x22, 0xE2, 0x82, 0x22], "truncated sequence" },
        { [0x22, 0xFF, 0x22], "byte 0xFF" },
        { [0x5B, 0x31, 0x5D, 0x20, 0xFF], "invalid byte after the value" },
        { [0x7B, 0x22, 0x61, 0x80, 0x22, 0x3A, 0x31, 0x7D], "invalid byte in a key" },
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8))]
    public void Invalid_utf8_is_refused(byte[] utf8, string why) => Refused(utf8, why);

    [Theory]
    [InlineData("\"\\ud800\"", "lone high surrogate")]
    [InlineData("\"\\udc00x\"", "lone low surrogate")]
    [InlineData("\"\\ud800\\u0041\"", "high surrogate followed by a non-surrogate")]
    [InlineData("\"\\ude00\\ud83d\"", "pair in the wrong order")]
    [InlineData("\"x\\ud83d\"", "high surrogate at the end")]
    [InlineData("{\"\\ud800\":1}", "lone surrogate in a key")]
    [InlineData("[\"ok\",{\"k\":[\"\\udfff\"]}]", "lone surrogate deep inside")]
    public void Lone_surrogate_escapes_are_refused(string json, string why) => Refused(json, why);

    [Fact]
    public void A_well_formed_surrogate_pair_escape_is_accepted()
    {
        StrictJson.Parse("\"\\ud83d\\ude00\"")!.GetValue<string>().Should().Be("\ud83d\ude00");
    }

    [Fact]
    public void A_byte_order_mark_is_refused()
    {
        Refused([0xEF, 0xBB, 0xBF, 0x7B, 0x7D], "UTF-8 BOM");
        Refused("\ufeff{}", "BOM from a string");
    }

    [Theory]
    [InlineData("{} {}", "a second value")]
    [InlineData("{}x", "trailing garbage")]
    [InlineData("[1],", "trailing comma after the value")]
    [InlineData("1 2", "two numbers")]
    [InlineData("\"a\"\"b\"", "two strings")]
    [InlineData("null null", "two literals")]
    public void Trailing_data_is_refused(string json, string why) => Refused(json, why);

    [Fact]
    public void Trailing_whitespace_is_allowed()
    {
        StrictJson.Parse("{\"a\":1} \r\n\t ")!["a"]!.GetValue<long>().Should().Be(1);
    }

    [Theory]
    [InlineData("", "empty body")]
    [InlineData("   ", "only whitespace")]
    [InlineData("{\"a\":1,}", "trailing comma in an object")]
    [InlineData("[1,]", "trailing comma in an array")]
    [InlineData("{\"a\":1 /* note */}", "block comment")]
    [InlineData("// note\n{}", "line comment")]
    [InlineData("{'a':1}", "single quotes")]
    [InlineData("{a:1}", "unquoted key")]
    [InlineData("[NaN]", "NaN")]
    [InlineData("[Infinity]", "Infinity")]
    [InlineData("[01]", "leading zero")]
    [InlineData("[+1]", "plus sign")]
    [InlineData("[.5]", "no integer part")]
    [InlineData("[1.]", "no fraction digits")]
    [InlineData("[0x10]", "hex number")]
    [InlineData("[1e400]", "number beyond the double range")]
    [InlineData("[-1e400]", "negative number beyond the double range")]
    [InlineData("[\"a\tb\"]", "raw tab in a string")]
    [InlineData("[\"a\nb\"]", "raw newline in a string")]
    [InlineData("[\"\\x41\"]", "unknown escape")]
    [InlineData("[True]", "capitalized literal")]
    public void Non_json_is_refused(string json, string why) => Refused(json, why);

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused()
    {
        StrictJson.Parse(new string('[', 64) + new string(']', 64), JsonLimits.RequestDepth).Should().NotBeNull();
        var requestTooDeep = () => StrictJson.Parse(new string('[', 65) + new string(']', 65), JsonLimits.RequestDepth);
        requestTooDeep.Should().Throw<InvalidJsonException>();
        StrictJson.Parse(new string('[', 128) + new string(']', 128)).Should().NotBeNull("stored documents take 128 levels");
        Refused(new string('[', 129) + new string(']', 129), "depth 129");
    }

    [Fact]
    public void Integers_become_longs_and_other_numbers_doubles()
    {
        var node = StrictJson.Parse("{\"i\":-9007199254740993,\"f\":1.5,\"big\":12345678901234567890,\"n\":null}")!.AsObject();
        node["i"]!.GetValue<long>().Should().Be(-9007199254740993);
        node["f"]!.GetValue<double>().Should().Be(1.5);
        node["big"]!.GetValue<double>().Should().Be(12345678901234567890d);
        node.ContainsKey("n").Should().BeTrue();
        node["n"].Should().BeNull();
    }

    [Fact]
    public void String_and_byte_overloads_agree()
    {
        const string json = "{\"\u00e9\":[true,false,null,\"\ud83d\ude00\"]}";
        JsonNode.DeepEquals(StrictJson.Parse(json), StrictJson.Parse(System.Text.Encoding.UTF8.GetBytes(json))).Should().BeTrue();
    }
}
