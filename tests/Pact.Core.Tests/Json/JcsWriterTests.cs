using System.Security.Cryptography;
using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Encoding;
using Pact.Core.Errors;
using Pact.Core.Json;

namespace Pact.Core.Tests.Json;

/// <summary>
/// The canonical form of values built in memory (the RFC 8785 vectors only reach parsed ones), and the pooled
/// per-thread buffer behind <see cref="Jcs"/>: reused after a refusal, grown for large documents, never shared.
/// </summary>
public class JcsWriterTests
{
    private const long TwoTo53 = 1L << 53;

    public static TheoryData<long> Integers() =>
    [
        0, 1, -1, 42, int.MaxValue, int.MinValue, 1_000_000_000_000_000, TwoTo53, -TwoTo53, TwoTo53 + 1, -(TwoTo53 + 1),
        TwoTo53 + 3, long.MaxValue, long.MinValue,
    ];

    [Theory]
    [MemberData(nameof(Integers))]
    public void An_integer_prints_as_the_double_it_is_whatever_backs_it(long value)
    {
        var asDouble = Jcs.FormatNumber(value);
        Jcs.CanonicalString(JsonValue.Create(value)).Should().Be(asDouble);
        Jcs.CanonicalString(StrictJson.Parse(value.ToString(System.Globalization.CultureInfo.InvariantCulture))).Should().Be(asDouble);
        if (value is >= int.MinValue and <= int.MaxValue) Jcs.CanonicalString(JsonValue.Create((int)value)).Should().Be(asDouble);
    }

    [Fact]
    public void Integers_beyond_two_to_the_53_round_as_doubles_do()
    {
        Jcs.CanonicalString(JsonValue.Create(TwoTo53 + 1)).Should().Be("9007199254740992");
        Jcs.CanonicalString(JsonValue.Create(long.MaxValue)).Should().Be("9223372036854776000");
    }

    [Theory]
    [InlineData(1.5, "1.5")]
    [InlineData(5.0, "5")]
    [InlineData(-0.0, "0")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(0.000001, "0.000001")]
    public void A_double_prints_as_ECMAScript_prints_it(double value, string expected) =>
        Jcs.CanonicalString(JsonValue.Create(value)).Should().Be(expected);

    [Fact]
    public void Only_C0_controls_the_quote_and_the_backslash_are_escaped()
    {
        var every = new string([.. Enumerable.Range(0, 0x80).Select(c => (char)c)]) + "\u2028\u00e9\ud83d\ude00\uffff";
        var expected = new System.Text.StringBuilder("\"");
        foreach (var c in every)
        {
            expected.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        Jcs.CanonicalString(JsonValue.Create(every)).Should().Be(expected.Append('"').ToString());
    }

    [Fact]
    public void Members_are_sorted_by_UTF16_code_units_whether_given_in_order_or_not()
    {
        const string sorted = "{\"\":0,\"a\":1,\"b\":[true,false,null],\"\u00e9\":2,\"\ud83d\ude00\":3,\"\uffff\":4}";
        var given = new JsonObject { ["\uffff"] = 4, ["b"] = new JsonArray(true, false, null), ["\ud83d\ude00"] = 3, ["a"] = 1, [""] = 0, ["\u00e9"] = 2 };
        Jcs.CanonicalString(given).Should().Be(sorted);
        Jcs.CanonicalString(StrictJson.Parse(sorted)).Should().Be(sorted, "members already in order stay in order");
    }

    [Fact]
    public void A_lone_surrogate_is_refused_and_the_next_document_is_written_from_a_clean_buffer()
    {
        var refused = () => Jcs.CanonicalString(new JsonObject { ["a"] = "long text before the fault", ["b"] = "\ud800" });
        refused.Should().Throw<InvalidJsonException>();
        Jcs.CanonicalString(new JsonObject { ["x"] = 1 }).Should().Be("{\"x\":1}");
    }

    [Fact]
    public void A_document_larger_than_the_kept_buffer_is_written_whole_and_the_next_small_one_too()
    {
        var large = new string('x', 200_000) + "\n";
        Jcs.CanonicalString(new JsonArray(large, large)).Should().Be($"[\"{large[..^1]}\\n\",\"{large[..^1]}\\n\"]");
        Jcs.CanonicalString(new JsonArray(1, 2)).Should().Be("[1,2]");
    }

    [Fact]
    public void Bytes_and_domain_hashes_are_the_UTF8_of_the_canonical_text()
    {
        var node = new JsonObject { ["z"] = "\u00e9\ud83d\ude00", ["a"] = 1.25 };
        var text = Jcs.CanonicalString(node);
        Jcs.Canonicalize(node).Should().Equal(System.Text.Encoding.UTF8.GetBytes(text));
        Jcs.DomainHash("pact-test-v1\n", node).Should().Be(Hex.Encode(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("pact-test-v1\n" + text))));
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
