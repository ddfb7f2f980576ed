using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Compacts;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.Json;
using Pact.Core.Policies;

namespace Pact.Core.Tests.Policies;

/// <summary>Agreement, byte for byte, with the independently computed policy vectors of pact-runtime-vectors.json.</summary>
public class PolicyVectorTests
{
    private static JsonObject Vectors => (JsonObject)TestData.Json("pact-runtime-vectors.json");

    internal static JsonObject VectorPolicy => Vectors["policy"]!["document"]!.DeepClone().AsObject();

    internal static KeyPair Key(string who) => KeyPair.FromSeed(Hex.Decode(Vectors["keys"]![who]!["seed"]!.GetValue<string>()));

    [Fact]
    public void The_policy_hash_matches()
    {
        var expected = Vectors["policy"]!["policyHash"]!.GetValue<string>();
        PolicyDocument.HashOf(VectorPolicy).Should().Be(expected);
        var (compiled, error) = CompiledPolicy.Compile(VectorPolicy, new InMemoryPolicyResolver());
        error.Should().BeNull();
        compiled!.PolicyHash.Should().Be(expected);
        // The typed document writes the same JSON.
        compiled.Document.PolicyHash.Should().Be(expected);
        Jcs.CanonicalString(compiled.Document.ToJson()).Should().Be(Jcs.CanonicalString(VectorPolicy));
    }

    [Theory]
    [InlineData("decision")]
    [InlineData("signDecision")]
    public void Decision_hashes_match_without_the_error_texts(string vector)
    {
        var decisionJson = Vectors[vector]!["decision"]!.AsObject();
        var expected = Vectors[vector]!["decisionHash"]!.GetValue<string>();
        PolicyDecision.HashOf(decisionJson).Should().Be(expected);

        var typed = System.Text.Json.JsonSerializer.Deserialize<PolicyDecision>(decisionJson.ToJsonString(), PactJson.Options)!;
        Jcs.CanonicalString(typed.ToJson()).Should().Be(Jcs.CanonicalString(decisionJson));
        typed.DecisionHash.Should().Be(expected);
    }

    [Fact]
    public void An_error_text_does_not_change_the_decision_hash()
    {
        var decision = Vectors["decision"]!["decision"]!.DeepClone().AsObject();
        var before = PolicyDecision.HashOf(decision);
        decision["trace"]![0]!["error"] = "something else entirely";
        PolicyDecision.HashOf(decision).Should().Be(before);
    }

    [Fact]
    public void Evaluating_the_vector_policy_reproduces_the_sign_decision()
    {
        var (policy, _) = CompiledPolicy.Compile(VectorPolicy, new InMemoryPolicyResolver());
        var input = PolicyTestInputs.Kitchen(me: "b", score: 6774, withoutPropagation: true);

        var outcome = PolicyEvaluator.Evaluate(policy!, input);

        Jcs.CanonicalString(outcome.Decision.ToJson()).Should().Be(Jcs.CanonicalString(Vectors["signDecision"]!["decision"]!));
        outcome.DecisionHash.Should().Be(Vectors["signDecision"]!["decisionHash"]!.GetValue<string>());
    }

    [Fact]
    public void The_policy_authorization_signing_input_and_signature_match()
    {
        var v = Vectors["policyAuthorization"]!;
        var policyHash = Vectors["policy"]!["policyHash"]!.GetValue<string>();
        var agent = Vectors["keys"]!["homeowner"]!["did"]!.GetValue<string>();
        var notAfter = Time.Timestamp.Parse(v["notAfter"]!.GetValue<string>());

        var input = VerifiedStandingPolicyAuthorization.SigningInput(policyHash, agent, notAfter);
        System.Text.Encoding.UTF8.GetString(input).Should().Be(v["input"]!.GetValue<string>());

        var signed = VerifiedStandingPolicyAuthorization.Sign(Key("principal"), policyHash, agent, notAfter);
        signed.Principal.Should().Be(v["principal"]!.GetValue<string>());
        signed.Sig.Should().Be(v["sig"]!.GetValue<string>());
    }

    public static TheoryData<int> IsoSecondsCases() => [.. Enumerable.Range(0, ((JsonArray)Vectors["isoSeconds"]!).Count)];

    [Theory]
    [MemberData(nameof(IsoSecondsCases))]
    public void IsoSeconds_matches_every_vector(int index)
    {
        var vector = Vectors["isoSeconds"]![index]!;
        var duration = vector["duration"]!.GetValue<string>();
        var program = PolicyEnvironment.Instance.Compile($"isoSeconds('{duration}')");

        var result = program.Evaluate(PolicyTestInputs.Kitchen().ToCelVariables());

        if (vector["seconds"] is null) result.Should().BeOfType<Pact.Core.Policies.Cel.CelError>();
        else result.Should().Be(vector["seconds"]!.GetValue<long>());
    }
}
