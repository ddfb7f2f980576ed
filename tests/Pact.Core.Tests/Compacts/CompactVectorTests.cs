using System.Security.Cryptography;
using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Compacts;
using Pact.Core.Encoding;
using Pact.Core.Json;
using Pact.Core.Terms;
using Pact.Core.Tests.Terms;
using Pact.Core.Time;

namespace Pact.Core.Tests.Compacts;

/// <summary>Byte-for-byte agreement with the independently computed compact in pact-vectors.json.</summary>
public class CompactVectorTests
{
    private static JsonObject Vector => (JsonObject)TestData.PactVectors["compact"]!;

    private static string V(string name) => Vector[name]!.GetValue<string>();

    private static JsonObject RecordVector => (JsonObject)Vector["record"]!;

    private static CompactTerms KitchenTerms() => TermsReader.Read(TermsFixtures.Kitchen()).Terms!;

    [Fact]
    public void Kitchen_terms_file_is_the_terms_inside_the_vector_record()
    {
        Jcs.CanonicalString(TermsFixtures.Kitchen()).Should().Be(Jcs.CanonicalString(RecordVector["terms"]));
        Hex.Encode(SHA256.HashData(Jcs.Canonicalize(TermsFixtures.Kitchen()))).Should().Be(V("termsJcsSha256"));
    }

    [Fact]
    public void Terms_hash_matches_the_vector_from_json_and_from_the_model()
    {
        CompactCrypto.TermsHash(TermsFixtures.Kitchen()).Should().Be(V("termsHash"));
        CompactCrypto.TermsHash(KitchenTerms()).Should().Be(V("termsHash"));
    }

    [Fact]
    public void First_signature_by_the_contractor_matches_the_vector()
    {
        var sig = CompactCrypto.SignFirst(TermsFixtures.Key("contractor"), V("termsHash"));
        sig.Should().Be(V("firstSig"));
        CompactCrypto.VerifyFirst(TermsFixtures.Key("contractor").Did, V("termsHash"), sig).Should().BeTrue();
        CompactCrypto.VerifyFirst(TermsFixtures.Key("homeowner").Did, V("termsHash"), sig).Should().BeFalse();
    }

    [Fact]
    public void Countersignature_by_the_homeowner_over_the_first_matches_the_vector()
    {
        var sig = CompactCrypto.Countersign(TermsFixtures.Key("homeowner"), V("termsHash"), V("firstSig"));
        sig.Should().Be(V("secondSig"));
        CompactCrypto.VerifyCountersignature(TermsFixtures.Key("homeowner").Did, V("termsHash"), V("firstSig"), sig).Should().BeTrue();
        // A countersignature is bound to the first signature it answers.
        CompactCrypto.VerifyCountersignature(TermsFixtures.Key("homeowner").Did, V("termsHash"), V("secondSig"), sig).Should().BeFalse();
    }

    [Fact]
    public void Principal_signature_of_the_contractors_principal_matches_the_vector()
    {
        var auth = CompactCrypto.AuthorizeAsPrincipal(TermsFixtures.Key("contractorPrincipal"), V("termsHash"));
        var expected = RecordVector["signatures"]![0]!["principalAuthorization"]!;
        auth.Principal.Should().Be(expected["principal"]!.GetValue<string>());
        auth.Sig.Should().Be(expected["sig"]!.GetValue<string>());
        Jcs.CanonicalString(auth.ToJson()).Should().Be(Jcs.CanonicalString(expected));
    }

    [Fact]
    public void In_force_signature_of_the_daemon_matches_the_vector()
    {
        var inForceAt = Timestamp.Parse(RecordVector["inForceAt"]!.GetValue<string>());
        var sig = CompactCrypto.SignInForce(TermsFixtures.Key("daemon"), V("termsHash"), V("secondSig"), inForceAt);
        sig.Should().Be(RecordVector["daemonSig"]!.GetValue<string>());
        CompactCrypto.VerifyInForce(TermsFixtures.Key("daemon").Did, V("termsHash"), V("secondSig"), inForceAt, sig).Should().BeTrue();
    }

    [Fact]
    public void Record_built_from_the_signatures_equals_the_vector_record_byte_for_byte()
    {
        var terms = KitchenTerms();
        var termsHash = CompactCrypto.TermsHash(terms);
        var first = new SignatureEntry(PartyRole.A, TermsFixtures.Key("contractor").Did,
            CompactCrypto.SignFirst(TermsFixtures.Key("contractor"), termsHash),
            Timestamp.Parse("2026-11-21T12:00:00.000Z"),
            CompactCrypto.AuthorizeAsPrincipal(TermsFixtures.Key("contractorPrincipal"), termsHash));
        var second = new SignatureEntry(PartyRole.B, TermsFixtures.Key("homeowner").Did,
            CompactCrypto.Countersign(TermsFixtures.Key("homeowner"), termsHash, first.Sig),
            Timestamp.Parse("2026-11-21T12:00:05.000Z"),
            new StandingPolicyAuthorization("a79bc464a1823d968828ef3c8eaeb53b1a0c59ae8309293dcc630e7b02ba287b"));

        var record = SignedCompactRecord.Create(terms, first, second, Timestamp.Parse("2026-11-21T12:00:05.250Z"), TermsFixtures.Key("daemon"));

        record.CompactHash.Should().Be(RecordVector["compactHash"]!.GetValue<string>());
        Jcs.CanonicalString(record.ToJson()).Should().Be(Jcs.CanonicalString(RecordVector));
        record.Verify(TermsFixtures.Key("daemon").PublicKey).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Vector_record_reads_round_trips_and_verifies()
    {
        var (record, error) = SignedCompactRecord.FromJson(RecordVector.DeepClone());
        error.Should().BeNull();
        Jcs.CanonicalString(record!.ToJson()).Should().Be(Jcs.CanonicalString(RecordVector));
        record.ComputeCompactHash().Should().Be(RecordVector["compactHash"]!.GetValue<string>());
        record.Proposer.Should().Be(PartyRole.A);
        record.Signatures[1].PrincipalAuthorization.IsVerifiable.Should().BeFalse();
        record.Verify().Failure.Should().BeNull();
        record.Verify(TermsFixtures.Key("daemon").PublicKey).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Proposal_signatures_of_the_vector_pass_the_daemon_checks()
    {
        var terms = KitchenTerms();
        var signatures = RecordVector["signatures"]!.AsArray();
        var (first, e1) = CompactSignature.FromJson(new JsonObject
        {
            ["party"] = "a", ["sig"] = V("firstSig"), ["principalAuthorization"] = signatures[0]!["principalAuthorization"]!.DeepClone(),
        });
        var (second, e2) = CompactSignature.FromJson(new JsonObject
        {
            ["party"] = "b", ["sig"] = V("secondSig"), ["principalAuthorization"] = signatures[1]!["principalAuthorization"]!.DeepClone(),
        });
        e1.Should().BeEmpty();
        e2.Should().BeEmpty();
        CompactCrypto.CheckSignature(terms, V("termsHash"), first!).Should().BeNull();
        CompactCrypto.CheckSignature(terms, V("termsHash"), second!, firstSig: V("firstSig")).Should().BeNull();
        // The countersignature is not a first signature, and the first is not a countersignature.
        CompactCrypto.CheckSignature(terms, V("termsHash"), second!)!.Code.Should().Be("PACT-109");
        CompactCrypto.CheckSignature(terms, V("termsHash"), first!, firstSig: V("firstSig"))!.Errors![0].Pointer.Should().Be("/signature/sig");
    }
}
