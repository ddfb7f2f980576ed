using Pact.Core.Compacts;
using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Json;
using System.Text.Json;

namespace Pact.Client.Tests;

public class CompactSigningTests
{
    private static JsonObject Vector => (JsonObject)TestData.PactVectors["compact"]!;

    private static JsonObject Terms => (JsonObject)TestData.Json("examples/kitchen-remodel.terms.json");

    private static JsonObject RecordSignature(int i) => (JsonObject)Vector["record"]!["signatures"]![i]!;

    private static string S(JsonNode? node) => node!.GetValue<string>();

    [Fact]
    public void Terms_hash_of_the_kitchen_example_matches_the_vector()
    {
        CompactSigning.TermsHash(Terms).Should().Be(S(Vector["termsHash"]));
    }

    [Fact]
    public void First_and_second_signature_inputs_reproduce_the_vector_signatures()
    {
        var termsHash = CompactSigning.TermsHash(Terms);
        var contractor = TestData.Key("contractor");
        var homeowner = TestData.Key("homeowner");

        var first = contractor.SignB64u(CompactCrypto.FirstSigningInput(termsHash));
        var second = homeowner.SignB64u(CompactCrypto.CountersigningInput(termsHash, first));

        first.Should().Be(S(Vector["firstSig"]));
        second.Should().Be(S(Vector["secondSig"]));
        CompactSigning.FirstSignature(contractor, termsHash).Should().Be(first);
        CompactSigning.SecondSignature(homeowner, termsHash, first).Should().Be(second);
    }

    [Fact]
    public void Signing_inputs_are_the_section_4_3_strings()
    {
        const string h = "306b186df65d16913770eeadedfc6d6e20319389e8d45cd20aa7fdfb716ff3d4";
        System.Text.Encoding.UTF8.GetString(CompactCrypto.FirstSigningInput(h)).Should().Be("pact-compact-sign-v1\n" + h + "\n");
        System.Text.Encoding.UTF8.GetString(CompactCrypto.CountersigningInput(h, "c2ln")).Should().Be("pact-compact-countersign-v1\n" + h + "\nc2ln\n");
        System.Text.Encoding.UTF8.GetString(CompactCrypto.PrincipalSigningInput(h)).Should().Be("pact-principal-authorize-v1\n" + h + "\n");
    }

    [Fact]
    public void Principal_signature_authorization_matches_the_vector_record()
    {
        var termsHash = CompactSigning.TermsHash(Terms);
        var auth = PrincipalAuthority.Signature(TestData.Key("contractorPrincipal")).Authorize(termsHash);
        Jcs.CanonicalString(auth).Should().Be(Jcs.CanonicalString(RecordSignature(0)["principalAuthorization"]));
    }

    [Fact]
    public void Standing_policy_authorization_carries_only_the_policy_hash()
    {
        var hash = S(RecordSignature(1)["principalAuthorization"]!["policyHash"]);
        var auth = PrincipalAuthority.StandingPolicy(hash).Authorize("ignored");
        Jcs.CanonicalString(auth).Should().Be(Jcs.CanonicalString(RecordSignature(1)["principalAuthorization"]));
    }

    [Fact]
    public void Standing_policy_from_a_document_claims_its_sha256()
    {
        var auth = PrincipalAuthority.StandingPolicyDocument("abc"u8).Authorize("x");
        S(auth["policyHash"]).Should().Be("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    [Fact]
    public void Malformed_policy_hash_is_refused()
    {
        var act = () => PrincipalAuthority.StandingPolicy("ABC");
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Client_first_signature_is_party_a_of_the_vector_record()
    {
        var client = new PactClient(new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9/") }, AgentKey.FromSeed(TestData.Key("contractor").Seed));

        var signature = client.CreateFirstSignature(Terms, PrincipalAuthority.Signature(TestData.Key("contractorPrincipal")));

        var expected = RecordSignature(0);
        Jcs.CanonicalString(signature).Should().Be(Jcs.CanonicalString(new JsonObject
        {
            ["party"] = "a",
            ["sig"] = expected["sig"]!.DeepClone(),
            ["principalAuthorization"] = expected["principalAuthorization"]!.DeepClone(),
        }));
    }

    [Fact]
    public void Client_countersignature_is_party_b_of_the_vector_record()
    {
        var client = new PactClient(new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9/") }, AgentKey.FromSeed(TestData.Key("homeowner").Seed));
        var proposal = VectorProposal();
        var policy = S(RecordSignature(1)["principalAuthorization"]!["policyHash"]);

        var signature = client.CreateCountersignature(proposal, PrincipalAuthority.StandingPolicy(policy));

        S(signature["party"]).Should().Be("b");
        S(signature["sig"]).Should().Be(S(Vector["secondSig"]));
        Jcs.CanonicalString(signature["principalAuthorization"]).Should().Be(Jcs.CanonicalString(RecordSignature(1)["principalAuthorization"]));
    }

    [Fact]
    public void Countersigning_a_first_signature_that_does_not_verify_is_refused()
    {
        var client = new PactClient(new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9/") }, AgentKey.FromSeed(TestData.Key("homeowner").Seed));
        var forged = VectorProposal().Signatures![0] with { Sig = S(Vector["secondSig"]) };
        var proposal = VectorProposal() with { Signatures = [forged] };

        var act = () => client.CreateCountersignature(proposal, PrincipalAuthority.StandingPolicyDocument("p"u8));

        act.Should().Throw<InvalidOperationException>().WithMessage("*does not verify*");
    }

    [Fact]
    public void Countersigning_when_the_daemon_hash_differs_from_the_terms_is_refused()
    {
        var client = new PactClient(new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9/") }, AgentKey.FromSeed(TestData.Key("homeowner").Seed));
        var proposal = VectorProposal() with { TermsHash = new string('0', 64) };

        var act = () => client.CreateCountersignature(proposal, PrincipalAuthority.StandingPolicyDocument("p"u8));

        act.Should().Throw<InvalidOperationException>().WithMessage("*not the hash of its terms*");
    }

    [Fact]
    public void Proposer_cannot_countersign_its_own_proposal()
    {
        var client = new PactClient(new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9/") }, AgentKey.FromSeed(TestData.Key("contractor").Seed));

        var act = () => client.CreateCountersignature(VectorProposal(), PrincipalAuthority.StandingPolicyDocument("p"u8));

        act.Should().Throw<InvalidOperationException>().WithMessage("*other party countersigns*");
    }

    private static Proposal VectorProposal() => new(
        "prp_01JDQ8Z7X4V3W2Y1T0S9R8Q7P6",
        "ses_01JDQ8Z7X4V3W2Y1T0S9R8Q7P5",
        S(Terms["compactId"]),
        1,
        "open",
        "a",
        Terms,
        S(Vector["termsHash"]),
        [RecordSignature(0).Deserialize<CompactSignatureInfo>(PactJson.Options)!],
        null,
        null);
}
