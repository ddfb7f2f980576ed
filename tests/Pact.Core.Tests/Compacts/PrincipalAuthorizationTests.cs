using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Compacts;
using Pact.Core.Terms;
using Pact.Core.Tests.Terms;

namespace Pact.Core.Tests.Compacts;

public class PrincipalAuthorizationTests
{
    private const string PolicyHash = "a79bc464a1823d968828ef3c8eaeb53b1a0c59ae8309293dcc630e7b02ba287b";

    private static CompactTerms Terms(JsonObject json)
    {
        var (terms, errors) = TermsReader.Read(json);
        errors.Should().BeEmpty();
        return terms!;
    }

    private static CompactSignature SecondBy(CompactTerms terms, PrincipalAuthorization auth, out string termsHash, out string firstSig)
    {
        termsHash = CompactCrypto.TermsHash(terms);
        firstSig = CompactCrypto.SignFirst(TermsFixtures.Key("contractor"), termsHash);
        return new CompactSignature(PartyRole.B, CompactCrypto.Countersign(TermsFixtures.Key("homeowner"), termsHash, firstSig), auth);
    }

    [Fact]
    public void Standing_policy_is_accepted_below_the_advanced_tier()
    {
        var terms = Terms(TermsFixtures.Kitchen());
        var signature = SecondBy(terms, new StandingPolicyAuthorization(PolicyHash), out var hash, out var first);
        CompactCrypto.CheckSignature(terms, hash, signature, first).Should().BeNull();
    }

    [Fact]
    public void Standing_policy_in_the_advanced_tier_breaks_the_tier_rule()
    {
        var terms = Terms(TermsFixtures.Kitchen().With("/tier", "advanced"));
        var signature = SecondBy(terms, new StandingPolicyAuthorization(PolicyHash), out var hash, out var first);
        var error = CompactCrypto.CheckSignature(terms, hash, signature, first);
        error!.Code.Should().Be("PACT-105");
        error.Errors!.Select(e => e.Pointer).Should().Equal("/signature/principalAuthorization/method");
    }

    [Fact]
    public void Standing_policy_in_the_advanced_tier_is_allowed_when_an_extension_covers_that_principal()
    {
        var json = TermsFixtures.Kitchen().With("/tier", "advanced")
            .With("/extensions", new JsonArray(new JsonObject { ["pointer"] = "/parties/b", ["note"] = "Homeowner authorizes by policy." }));
        var terms = Terms(json);
        var signature = SecondBy(terms, new StandingPolicyAuthorization(PolicyHash), out var hash, out var first);
        CompactCrypto.CheckSignature(terms, hash, signature, first).Should().BeNull();
    }

    [Fact]
    public void Principal_signature_in_the_advanced_tier_verifies()
    {
        var terms = Terms(TermsFixtures.Kitchen().With("/tier", "advanced"));
        var hash = CompactCrypto.TermsHash(terms);
        var signature = SecondBy(terms, CompactCrypto.AuthorizeAsPrincipal(TermsFixtures.Key("homeownerPrincipal"), hash), out _, out var first);
        CompactCrypto.CheckSignature(terms, hash, signature, first).Should().BeNull();
    }

    [Fact]
    public void Principal_signature_over_other_terms_is_refused()
    {
        var terms = Terms(TermsFixtures.Kitchen());
        var otherHash = CompactCrypto.TermsHash(TermsFixtures.Kitchen().With("/scope/interaction", "Bathroom remodel"));
        var signature = SecondBy(terms, CompactCrypto.AuthorizeAsPrincipal(TermsFixtures.Key("homeownerPrincipal"), otherHash), out var hash, out var first);
        var error = CompactCrypto.CheckSignature(terms, hash, signature, first);
        error!.Code.Should().Be("PACT-109");
        error.Errors!.Select(e => e.Pointer).Should().Equal("/signature/principalAuthorization/sig");
    }

    [Fact]
    public void Principal_signature_for_an_opaque_principal_id_is_refused()
    {
        var terms = Terms(TermsFixtures.Kitchen().With("/parties/b/principal/id", "customer-7731"));
        var hash = CompactCrypto.TermsHash(terms);
        var auth = new PrincipalSignatureAuthorization("customer-7731", CompactCrypto.AuthorizeAsPrincipal(TermsFixtures.Key("homeownerPrincipal"), hash).Sig);
        var signature = SecondBy(terms, auth, out _, out var first);
        var error = CompactCrypto.CheckSignature(terms, hash, signature, first);
        error!.Code.Should().Be("PACT-109");
        error.Errors!.Select(e => e.Pointer).Should().Equal("/signature/principalAuthorization/principal");
    }

    [Fact]
    public void Bad_countersignature_and_bad_principal_signature_are_both_reported_in_pointer_order()
    {
        var terms = Terms(TermsFixtures.Kitchen());
        var hash = CompactCrypto.TermsHash(terms);
        var wrongPrincipal = CompactCrypto.AuthorizeAsPrincipal(TermsFixtures.Key("contractorPrincipal"), hash);
        var signature = new CompactSignature(PartyRole.B, CompactCrypto.SignFirst(TermsFixtures.Key("homeowner"), hash), wrongPrincipal);
        var error = CompactCrypto.CheckSignature(terms, hash, signature, CompactCrypto.SignFirst(TermsFixtures.Key("contractor"), hash));
        error!.Errors!.Select(e => (e.Pointer, e.Code)).Should().Equal(
            ("/signature/principalAuthorization/principal", "PACT-109"),
            ("/signature/sig", "PACT-109"));
    }

    [Theory]
    [InlineData("""{ "method": "oauth" }""", "/signature/principalAuthorization/method")]
    [InlineData("""{ "method": "standing-policy", "policyHash": "ABC" }""", "/signature/principalAuthorization/policyHash")]
    [InlineData("""{ "method": "standing-policy", "policyHash": "a79bc464a1823d968828ef3c8eaeb53b1a0c59ae8309293dcc630e7b02ba287b", "sig": "x" }""", "/signature/principalAuthorization/sig")]
    [InlineData("""{ "method": "principal-signature", "principal": "did:key:z6Mk" }""", "/signature/principalAuthorization/sig")]
    public void Malformed_principal_authorization_is_a_schema_error(string authorization, string pointer)
    {
        var node = new JsonObject
        {
            ["party"] = "b",
            ["sig"] = TestData.PactVectors["compact"]!["secondSig"]!.GetValue<string>(),
            ["principalAuthorization"] = JsonNode.Parse(authorization),
        };
        var (signature, errors) = CompactSignature.FromJson(node);
        signature.Should().BeNull();
        errors.Should().ContainSingle().Which.Should().Be(new Core.Errors.FieldError(pointer, "PACT-101", errors[0].Message));
    }

    [Fact]
    public void Signature_with_a_short_sig_or_unknown_party_is_a_schema_error()
    {
        var node = JsonNode.Parse("""{ "party": "c", "sig": "AAAA", "principalAuthorization": { "method": "standing-policy", "policyHash": "a79bc464a1823d968828ef3c8eaeb53b1a0c59ae8309293dcc630e7b02ba287b" } }""");
        var (_, errors) = CompactSignature.FromJson(node);
        errors.Select(e => e.Pointer).Should().Equal("/signature/party", "/signature/sig");
    }

    [Fact]
    public void Authorizations_round_trip_through_json()
    {
        var policy = new StandingPolicyAuthorization(PolicyHash);
        PrincipalAuthorization.FromJson(policy.ToJson()).Authorization.Should().Be(policy);
        var signed = CompactCrypto.AuthorizeAsPrincipal(TermsFixtures.Key("contractorPrincipal"), PolicyHash);
        PrincipalAuthorization.FromJson(signed.ToJson()).Authorization.Should().Be(signed);
    }
}
