using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.Mandates;

namespace Pact.Core.Tests.Mandates;

/// <summary>
/// Agreement, byte for byte, with the independently computed mandate vectors of pact-runtime-vectors.json
/// (tests/testdata, copied from shared/testdata: see SOURCES.md): the mandate hash and both signing inputs of §14.
/// </summary>
public class MandateVectorTests
{
    private static JsonObject Vectors => (JsonObject)TestData.Json("pact-runtime-vectors.json");

    private static JsonObject Mandate => Vectors["mandate"]!.AsObject();

    private static string Text(string name) => Mandate[name]!.GetValue<string>();

    private static string SignDecisionHash => Vectors["signDecision"]!["decisionHash"]!.GetValue<string>();

    private static KeyPair Daemon => KeyPair.FromSeed(Hex.Decode(Vectors["keys"]!["daemon"]!["seed"]!.GetValue<string>()));

    [Fact]
    public void The_mandate_hash_is_over_the_grant_payload()
    {
        MandateCrypto.MandateHash(Mandate["grantPayload"]!).Should().Be(Text("mandateHash"));
    }

    [Fact]
    public void The_first_signing_input_and_signature_match()
    {
        var input = MandateCrypto.FirstSigningInput(Text("termsHash"), Text("mandateHash"), SignDecisionHash);
        System.Text.Encoding.UTF8.GetString(input).Should().Be(Text("signInput"));
        MandateCrypto.SignFirst(Daemon, Text("termsHash"), Text("mandateHash"), SignDecisionHash).Should().Be(Text("sig"));
        MandateCrypto.Verify(Daemon.Did, Text("termsHash"), null, Text("mandateHash"), SignDecisionHash, Text("sig")).Should().BeTrue();
    }

    [Fact]
    public void The_countersigning_input_and_signature_match()
    {
        var input = MandateCrypto.CountersigningInput(Text("termsHash"), Text("firstSig"), Text("mandateHash"), SignDecisionHash);
        System.Text.Encoding.UTF8.GetString(input).Should().Be(Text("countersignInput"));
        MandateCrypto.Countersign(Daemon, Text("termsHash"), Text("firstSig"), Text("mandateHash"), SignDecisionHash).Should().Be(Text("countersig"));
        MandateCrypto.Verify(Daemon.Did, Text("termsHash"), Text("firstSig"), Text("mandateHash"), SignDecisionHash, Text("countersig")).Should().BeTrue();
    }

    [Fact]
    public void A_signature_does_not_verify_under_another_decision_or_as_the_other_kind()
    {
        var other = new string('0', 64);
        MandateCrypto.Verify(Daemon.Did, Text("termsHash"), null, Text("mandateHash"), other, Text("sig")).Should().BeFalse();
        MandateCrypto.Verify(Daemon.Did, Text("termsHash"), Text("firstSig"), Text("mandateHash"), SignDecisionHash, Text("sig")).Should().BeFalse();
        MandateCrypto.Verify(Vectors["keys"]!["homeowner"]!["did"]!.GetValue<string>(), Text("termsHash"), null, Text("mandateHash"), SignDecisionHash, Text("sig"))
            .Should().BeFalse();
    }
}
