using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Compacts;
using Pact.Core.Terms;
using Pact.Core.Tests.Terms;

namespace Pact.Core.Tests.Compacts;

/// <summary>Changing any part of a signed record is caught, and the failure names that part.</summary>
public class CompactTamperTests
{
    private static JsonObject RecordJson() => (JsonObject)TestData.PactVectors["compact"]!["record"]!.DeepClone();

    private static CompactRecordVerification VerifyEdited(JsonObject json, byte[]? daemonKey = null)
    {
        var (record, error) = SignedCompactRecord.FromJson(json);
        error.Should().BeNull("the edit keeps the record well-formed");
        return record!.Verify(daemonKey ?? TermsFixtures.Key("daemon").PublicKey);
    }

    /// <summary>Replaces one character in the middle of a string ('0' and '1' are both hex and base64url, so the value stays decodable).</summary>
    private static string Flip(string s)
    {
        var i = s.Length / 2;
        return s[..i] + (s[i] == '0' ? '1' : '0') + s[(i + 1)..];
    }

    private static string Text(JsonObject json, string pointer) => json.At(pointer)!.GetValue<string>();

    [Theory]
    [InlineData("/terms/scope/interaction", "/termsHash")]
    [InlineData("/terms/parties/b/principal/name", "/termsHash")]
    [InlineData("/termsHash", "/termsHash")]
    [InlineData("/signatures/0/sig", "/signatures/0/sig")]
    [InlineData("/signatures/1/sig", "/signatures/1/sig")]
    [InlineData("/signatures/0/principalAuthorization/sig", "/signatures/0/principalAuthorization/sig")]
    [InlineData("/daemonSig", "/daemonSig")]
    [InlineData("/compactHash", "/compactHash")]
    public void One_changed_character_fails_verification_at_the_part_it_breaks(string edited, string failure)
    {
        var json = RecordJson();
        var changed = json.With(edited, Flip(Text(json, edited)));
        var result = VerifyEdited(changed);
        result.IsValid.Should().BeFalse();
        result.Failure!.Pointer.Should().Be(failure);
    }

    [Fact]
    public void Changed_signing_time_is_caught_by_the_compact_hash()
    {
        var result = VerifyEdited(RecordJson().With("/signatures/1/signedAt", "2026-11-21T12:00:06.000Z"));
        result.Failure!.Pointer.Should().Be("/compactHash");
        result.Failure.Code.Should().Be("PACT-110");
    }

    [Fact]
    public void Changed_in_force_time_is_caught_by_the_daemon_signature()
    {
        var result = VerifyEdited(RecordJson().With("/inForceAt", "2026-11-21T12:00:05.251Z"));
        result.Failure!.Pointer.Should().Be("/daemonSig");
        result.Failure.Code.Should().Be("PACT-109");
    }

    [Fact]
    public void Changed_standing_policy_hash_is_caught_by_the_compact_hash()
    {
        var json = RecordJson();
        var pointer = "/signatures/1/principalAuthorization/policyHash";
        VerifyEdited(json.With(pointer, Flip(Text(json, pointer)))).Failure!.Pointer.Should().Be("/compactHash");
    }

    [Fact]
    public void Principal_authorization_naming_another_principal_fails()
    {
        var result = VerifyEdited(RecordJson().With("/signatures/0/principalAuthorization/principal", TermsFixtures.Key("homeownerPrincipal").Did));
        result.Failure!.Pointer.Should().Be("/signatures/0/principalAuthorization/principal");
        result.Failure.Code.Should().Be("PACT-109");
    }

    [Fact]
    public void Signature_attributed_to_the_wrong_agent_fails()
    {
        var result = VerifyEdited(RecordJson().With("/signatures/0/agent", TermsFixtures.Key("homeowner").Did));
        result.Failure!.Pointer.Should().Be("/signatures/0/agent");
    }

    [Fact]
    public void Record_from_another_daemon_fails_when_the_expected_daemon_is_given()
    {
        var result = VerifyEdited(RecordJson(), TermsFixtures.Key("contractor").PublicKey);
        result.Failure!.Pointer.Should().Be("/daemonId");
    }

    [Fact]
    public void Swapping_the_signing_order_breaks_the_signatures()
    {
        var json = RecordJson();
        var signatures = json["signatures"]!.AsArray();
        var swapped = json.With("/signatures", new JsonArray(signatures[1]!.DeepClone(), signatures[0]!.DeepClone()));
        VerifyEdited(swapped).Failure!.Pointer.Should().Be("/signatures/0/sig");
    }

    [Fact]
    public void Unknown_member_in_a_record_is_refused_when_read()
    {
        var (record, error) = SignedCompactRecord.FromJson(RecordJson().With("/note", "hello"));
        record.Should().BeNull();
        error!.Code.Should().Be("PACT-101");
        error.Errors!.Select(e => e.Pointer).Should().Equal("/note");
    }

    [Fact]
    public void Malformed_terms_in_a_record_are_reported_under_terms()
    {
        var (_, error) = SignedCompactRecord.FromJson(RecordJson().With("/terms/tier", "gold").Without("/signatures/1"));
        error!.Errors!.Select(e => e.Pointer).Should().Equal("/signatures", "/terms/tier");
    }
}
