using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.Envelopes;
using Pact.Core.Errors;
using Pact.Core.Json;

namespace Pact.Core.Tests.Primitives;

/// <summary>Signed envelopes (§2): shape refusals with their pointers, and tamper detection.</summary>
public class EnvelopeTests
{
    private static JsonObject Vector => (JsonObject)TestData.PactVectors["envelope"]!;

    private static KeyPair Contractor => KeyPair.FromSeed(Hex.Decode(TestData.PactVectors["keys"]!["contractor"]!["seedHex"]!.GetValue<string>()));

    /// <summary>The vector envelope as a client would send it.</summary>
    private static JsonObject Body() => new()
    {
        ["payload"] = Vector["payload"]!.DeepClone(),
        ["signer"] = Contractor.Did,
        ["sig"] = Vector["sig"]!.GetValue<string>(),
    };

    private static Envelope Parsed(JsonNode body)
    {
        var (envelope, error) = Envelope.Parse(StrictJson.Parse(body.ToJsonString()));
        error.Should().BeNull();
        return envelope!;
    }

    [Fact]
    public void Vector_envelope_parses_and_its_signature_verifies()
    {
        var envelope = Parsed(Body());
        envelope.Type.Should().Be("session.create");
        envelope.Audience.Should().Be(TestData.PactVectors["keys"]!["daemon"]!["did"]!.GetValue<string>());
        envelope.Nonce.Should().Be("nj8VYyTULw6ktvT86B1W-w");
        envelope.IssuedAt.Should().Be(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
        envelope.VerifySignature().Should().BeTrue();
        System.Text.Encoding.UTF8.GetString(Envelope.SigningInput(envelope.Payload)).Should().Be("pact-msg-v1\n" + Vector["jcs"]!.GetValue<string>());
    }

    [Fact]
    public void Member_order_and_whitespace_of_the_sent_payload_do_not_matter()
    {
        var payload = Vector["payload"]!.AsObject();
        var reordered = new JsonObject(payload.Reverse().Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        var text = new JsonObject { ["sig"] = Vector["sig"]!.GetValue<string>(), ["signer"] = Contractor.Did, ["payload"] = reordered }
            .ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        Parsed(StrictJson.Parse(text)!).VerifySignature().Should().BeTrue();
    }

    [Fact]
    public void Changing_any_payload_value_breaks_the_signature()
    {
        foreach (var (key, value) in Vector["payload"]!.AsObject())
        {
            var body = Body();
            var payload = body["payload"]!.AsObject();
            payload[key] = value is JsonArray arr ? new JsonArray([.. arr.Take(1).Select(n => n!.DeepClone())]) : Tamper(value!.GetValue<string>(), key);
            var (envelope, error) = Envelope.Parse(StrictJson.Parse(body.ToJsonString()));
            error.Should().BeNull(key);
            envelope!.VerifySignature().Should().BeFalse($"'{key}' was changed");
        }
    }

    private static string Tamper(string text, string key) => key switch
    {
        // Keep the tampered value well formed so only the signature can catch it.
        "issuedAt" => text.Replace("12:00:00.000", "12:00:00.001", StringComparison.Ordinal),
        "nonce" => Base64Url.Encode(Base64Url.Decode(text).Select((b, i) => i == 0 ? (byte)(b ^ 1) : b).ToArray()),
        "aud" => TestData.PactVectors["keys"]!["homeowner"]!["did"]!.GetValue<string>(),
        _ => text[..^1] + (char)(text[^1] ^ 1),
    };

    [Fact]
    public void An_added_payload_member_breaks_the_signature()
    {
        var body = Body();
        body["payload"]!["metadata"] = null;
        Parsed(body).VerifySignature().Should().BeFalse();
    }

    [Fact]
    public void Flipping_any_bit_of_the_signature_breaks_it()
    {
        var sig = Base64Url.Decode(Vector["sig"]!.GetValue<string>());
        for (var bit = 0; bit < 512; bit++)
        {
            var copy = (byte[])sig.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            var body = Body();
            body["sig"] = Base64Url.Encode(copy);
            if (Parsed(body).VerifySignature()) Assert.Fail($"Signature with bit {bit} flipped verified.");
        }
    }

    [Fact]
    public void Another_signer_does_not_verify()
    {
        var body = Body();
        body["signer"] = TestData.PactVectors["keys"]!["homeowner"]!["did"]!.GetValue<string>();
        Parsed(body).VerifySignature().Should().BeFalse();
    }

    [Fact]
    public void Sign_then_parse_round_trips_and_verifies()
    {
        var now = new DateTimeOffset(2026, 11, 21, 12, 0, 0, 5, TimeSpan.Zero);
        var signed = Envelope.Sign(Contractor, "session.create", "did:key:z6MkteU5gYHbxx3GHGKxCNxm5WES2ZhKZntTS2ixEUjRF52m", now,
            new JsonObject { ["topic"] = "kitchen", ["participants"] = new JsonArray("a", "b") }, "nj8VYyTULw6ktvT86B1W-w");
        signed.VerifySignature().Should().BeTrue();
        var reparsed = Parsed(signed.ToJson());
        reparsed.VerifySignature().Should().BeTrue();
        reparsed.Payload["topic"]!.GetValue<string>().Should().Be("kitchen");
        Base64Url.Decode(Envelope.NewNonce()).Should().HaveCount(16);
        Envelope.NewNonce().Should().NotBe(Envelope.NewNonce());
    }

    [Fact]
    public void Freshness_allows_300_seconds_either_way_and_no_more()
    {
        var envelope = Parsed(Body());
        var issued = envelope.IssuedAt;
        envelope.IsFresh(issued).Should().BeTrue();
        envelope.IsFresh(issued.AddSeconds(300)).Should().BeTrue();
        envelope.IsFresh(issued.AddSeconds(-300)).Should().BeTrue();
        envelope.IsFresh(issued.AddSeconds(300).AddMilliseconds(1)).Should().BeFalse();
        envelope.IsFresh(issued.AddSeconds(-300).AddMilliseconds(-1)).Should().BeFalse();
    }

    public static TheoryData<string, string, string> ShapeRefusals() => new()
    {
        // why, JSON body (with VALID standing for the vector's parts), expected pointer
        { "array body", "[]", "" },
        { "string body", "\"envelope\"", "" },
        { "null body", "null", "" },
        { "unknown envelope member", "{\"payload\":PAYLOAD,\"signer\":SIGNER,\"sig\":SIG,\"extra\":1}", "/extra" },
        { "missing payload", "{\"signer\":SIGNER,\"sig\":SIG}", "/payload" },
        { "payload as a string", "{\"payload\":\"{}\",\"signer\":SIGNER,\"sig\":SIG}", "/payload" },
        { "missing signer", "{\"payload\":PAYLOAD,\"sig\":SIG}", "/signer" },
        { "signer as a number", "{\"payload\":PAYLOAD,\"signer\":1,\"sig\":SIG}", "/signer" },
        { "signer not a did:key", "{\"payload\":PAYLOAD,\"signer\":\"did:web:example.com\",\"sig\":SIG}", "/signer" },
        { "signer as x25519 did:key", "{\"payload\":PAYLOAD,\"signer\":\"did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc\",\"sig\":SIG}", "/signer" },
        { "missing sig", "{\"payload\":PAYLOAD,\"signer\":SIGNER}", "/sig" },
        { "padded sig", "{\"payload\":PAYLOAD,\"signer\":SIGNER,\"sig\":\"SIGTEXT==\"}", "/sig" },
        { "standard-alphabet sig", "{\"payload\":PAYLOAD,\"signer\":SIGNER,\"sig\":\"SIGSTD\"}", "/sig" },
        { "63-byte sig", "{\"payload\":PAYLOAD,\"signer\":SIGNER,\"sig\":\"SIG63\"}", "/sig" },
        { "missing type", "{\"payload\":PAYLOAD-type,\"signer\":SIGNER,\"sig\":SIG}", "/payload/type" },
        { "type as a number", "{\"payload\":PAYLOAD+type=7,\"signer\":SIGNER,\"sig\":SIG}", "/payload/type" },
        { "missing aud", "{\"payload\":PAYLOAD-aud,\"signer\":SIGNER,\"sig\":SIG}", "/payload/aud" },
        { "missing issuedAt", "{\"payload\":PAYLOAD-issuedAt,\"signer\":SIGNER,\"sig\":SIG}", "/payload/issuedAt" },
        { "issuedAt without milliseconds", "{\"payload\":PAYLOAD+issuedAt=\"2026-11-21T12:00:00Z\",\"signer\":SIGNER,\"sig\":SIG}", "/payload/issuedAt" },
        { "issuedAt not an instant", "{\"payload\":PAYLOAD+issuedAt=\"2026-02-30T12:00:00.000Z\",\"signer\":SIGNER,\"sig\":SIG}", "/payload/issuedAt" },
        { "missing nonce", "{\"payload\":PAYLOAD-nonce,\"signer\":SIGNER,\"sig\":SIG}", "/payload/nonce" },
        { "15-byte nonce", "{\"payload\":PAYLOAD+nonce=\"AAAAAAAAAAAAAAAAAAAA\",\"signer\":SIGNER,\"sig\":SIG}", "/payload/nonce" },
        { "padded nonce", "{\"payload\":PAYLOAD+nonce=\"nj8VYyTULw6ktvT86B1W-w==\",\"signer\":SIGNER,\"sig\":SIG}", "/payload/nonce" },
        { "fraction in the payload", "{\"payload\":PAYLOAD+amount=1.5,\"signer\":SIGNER,\"sig\":SIG}", "/payload/amount" },
        { "integer beyond 2^53", "{\"payload\":PAYLOAD+amount=9007199254740993,\"signer\":SIGNER,\"sig\":SIG}", "/payload/amount" },
        { "2^53, outside I-JSON's range", "{\"payload\":PAYLOAD+amount=9007199254740992,\"signer\":SIGNER,\"sig\":SIG}", "/payload/amount" },
        { "-2^53 written as a double", "{\"payload\":PAYLOAD+amount=-9.007199254740992e15,\"signer\":SIGNER,\"sig\":SIG}", "/payload/amount" },
        { "huge integer written as a double", "{\"payload\":PAYLOAD+amount=1e300,\"signer\":SIGNER,\"sig\":SIG}", "/payload/amount" },
        { "long.MinValue", "{\"payload\":PAYLOAD+amount=-9223372036854775808,\"signer\":SIGNER,\"sig\":SIG}", "/payload/amount" },
        { "fraction deep inside", "{\"payload\":PAYLOAD+terms={\"a/b\":[1,{\"c\":0.5}]},\"signer\":SIGNER,\"sig\":SIG}", "/payload/terms/a~1b/1/c" },
    };

    [Theory]
    [MemberData(nameof(ShapeRefusals))]
    public void Malformed_envelopes_are_refused_with_pact_101_at_the_offending_member(string why, string template, string pointer)
    {
        var (envelope, error) = Envelope.Parse(StrictJson.Parse(Fill(template)));
        envelope.Should().BeNull(why);
        error.Should().NotBeNull(why);
        error!.Code.Should().Be(PactCodes.InvalidPayload);
        error.Status.Should().Be(422);
        error.Errors.Should().ContainSingle().Which.Pointer.Should().Be(pointer, why);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("5.0")]
    [InlineData("1e2")]
    [InlineData("-9007199254740991")]
    [InlineData("9007199254740991")]
    [InlineData("9.007199254740991e15")]
    [InlineData("0")]
    public void Safe_integers_are_allowed_however_they_are_written(string number)
    {
        var (envelope, error) = Envelope.Parse(StrictJson.Parse(Fill($"{{\"payload\":PAYLOAD+amount={number},\"signer\":SIGNER,\"sig\":SIG}}")));
        error.Should().BeNull();
        envelope.Should().NotBeNull();
    }

    /// <summary>Expands the shorthand of <see cref="ShapeRefusals"/>: PAYLOAD, PAYLOAD-member, PAYLOAD+member=json, SIGNER, SIG, …</summary>
    private static string Fill(string template)
    {
        var sig = Vector["sig"]!.GetValue<string>();
        var text = template
            .Replace("SIGTEXT", sig, StringComparison.Ordinal)
            .Replace("SIGSTD", Convert.ToBase64String(Base64Url.Decode(sig)).TrimEnd('='), StringComparison.Ordinal)
            .Replace("SIG63", Base64Url.Encode(Base64Url.Decode(sig).AsSpan(0, 63)), StringComparison.Ordinal)
            .Replace("SIGNER", $"\"{Contractor.Did}\"", StringComparison.Ordinal)
            .Replace("SIG", $"\"{sig}\"", StringComparison.Ordinal);
        var start = text.IndexOf("PAYLOAD", StringComparison.Ordinal);
        if (start < 0) return text;
        var end = text.IndexOf(",\"sig", start, StringComparison.Ordinal); // the next member, "signer" or "sig"
        var spec = text[(start + "PAYLOAD".Length)..end];
        var payload = Vector["payload"]!.DeepClone().AsObject();
        if (spec.StartsWith('-')) payload.Remove(spec[1..]);
        else if (spec.StartsWith('+'))
        {
            var eq = spec.IndexOf('=', StringComparison.Ordinal);
            payload[spec[1..eq]] = JsonNode.Parse(spec[(eq + 1)..]);
        }
        return text[..start] + payload.ToJsonString() + text[end..];
    }
}
