using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.Envelopes;
using Pact.Core.Json;

namespace Pact.Core.Tests.Crypto;

public class EnvelopeVectorTests
{
    [Fact]
    public void Envelope_signature_matches_the_pact_vector()
    {
        var v = TestData.PactVectors;
        var key = KeyPair.FromSeed(Hex.Decode(v["keys"]!["contractor"]!["seedHex"]!.GetValue<string>()));
        key.Did.Should().Be(v["keys"]!["contractor"]!["did"]!.GetValue<string>());
        var payload = (JsonObject)v["envelope"]!["payload"]!.DeepClone();
        Jcs.CanonicalString(payload).Should().Be(v["envelope"]!["jcs"]!.GetValue<string>());
        var sig = key.SignB64u(Envelope.SigningInput(payload));
        sig.Should().Be(v["envelope"]!["sig"]!.GetValue<string>());
        new Envelope(payload, key.Did, sig).VerifySignature().Should().BeTrue();
    }
}
