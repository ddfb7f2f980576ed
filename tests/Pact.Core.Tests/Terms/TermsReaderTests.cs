using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Json;
using Pact.Core.Terms;

namespace Pact.Core.Tests.Terms;

public class TermsReaderTests
{
    private const string Remove = "<remove>";

    private static List<(string Pointer, string Code)> ErrorsOf(JsonNode? json)
    {
        var (terms, errors) = TermsReader.Read(json);
        if (errors.Count > 0) terms.Should().BeNull();
        return errors.Select(e => (e.Pointer, e.Code)).ToList();
    }

    private static JsonObject Edit(string pointer, string valueJson) =>
        valueJson == Remove ? TermsFixtures.Kitchen().Without(pointer) : TermsFixtures.Kitchen().With(pointer, JsonNode.Parse(valueJson));

    [Fact]
    public void Kitchen_remodel_terms_read_into_the_model()
    {
        var (terms, errors) = TermsReader.Read(TermsFixtures.Kitchen());
        errors.Should().BeEmpty();
        terms!.CompactId.Should().Be("cmp_kitchen-2026-0042");
        terms.Tier.Should().Be(Tier.Standard);
        terms.Parties.B.Principal.Kind.Should().Be(PrincipalKind.Human);
        terms.Retention.A.Select(e => e.Category).Should().Equal("work-scope", "work-record", "billing-payment-record", "property-access-details", "warranty-information");
        terms.Retention.A[1].Disposition.Supersession.Should().Be(new DispositionRule(DispositionAction.Transition, "P7Y", terms.Retention.A[1].Disposition.Supersession!.Derive, terms.Retention.A[1].Disposition.Supersession!.Propagate));
        terms.Retention.A[3].Retain.Should().Be(new RetainRule(RetainMode.UntilMarker, Marker: "work-complete"));
        terms.Retention.B[2].Propagate.Should().Equal(new PropagationEdge("accountant", Tier.Standard));
        terms.Scope.Effective.From.Should().Be(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        terms.Revocation.NoticePeriodDuration.Days.Should().Be(30);
        terms.NegotiationTimeoutDuration!.Days.Should().Be(14);
        terms.RoleOf(terms.Parties.B.Agent).Should().Be(PartyRole.B);
    }

    [Fact]
    public void Kitchen_remodel_terms_round_trip_to_the_same_canonical_bytes()
    {
        var json = TermsFixtures.Kitchen();
        var (terms, _) = TermsReader.Read(json);
        Jcs.Canonicalize(terms!.ToJson()).Should().Equal(Jcs.Canonicalize(json));
    }

    [Theory]
    [InlineData("/scope/outOfScope", Remove)]
    [InlineData("/negotiationTimeout", "null")]
    [InlineData("/version", "1.0")]
    [InlineData("/retention/a/1/disposition/supersession", """{ "action": "transition", "derive": ["work-history-summary"], "propagate": [] }""")]
    [InlineData("/retention/a/1/disposition/expiration", """{ "action": "delete" }""")]
    [InlineData("/retention/a/1/retain", """{ "mode": "effective" }""")]
    [InlineData("/upstream", """[{ "compactId": "cmp_house-2026-0001", "version": 3, "on": ["expiration", "revocation"] }]""")]
    [InlineData("/definitions", """{ "categories": [{ "id": "x-pool", "definition": "Pool maintenance logs" }], "operations": [{ "id": "x-chlorine-trend", "definition": "Trend of readings", "operatesOn": ["x-pool"] }], "recipients": [{ "id": "x-hoa", "definition": "Home owners association" }] }""")]
    [InlineData("/extensions", """[{ "pointer": "", "note": "Everything is negotiated by hand." }]""")]
    [InlineData("/scope/interaction", "\"Küche 🛠️ — remodel\"")]
    public void Valid_variations_read_and_round_trip(string pointer, string value)
    {
        var json = Edit(pointer, value);
        var (terms, errors) = TermsReader.Read(json);
        errors.Should().BeEmpty();
        Jcs.CanonicalString(terms!.ToJson()).Should().Be(Jcs.CanonicalString(json));
    }

    [Fact]
    public void Successor_version_reads_with_its_predecessor()
    {
        var json = TermsFixtures.Kitchen().With("/version", 2)
            .With("/predecessor", new JsonObject { ["version"] = 1, ["compactHash"] = new string('a', 64) });
        var (terms, errors) = TermsReader.Read(json);
        errors.Should().BeEmpty();
        terms!.Predecessor.Should().Be(new PredecessorRef(1, new string('a', 64)));
        Jcs.CanonicalString(terms.ToJson()).Should().Be(Jcs.CanonicalString(json));
    }

    [Theory]
    // missing, unknown and mistyped members
    [InlineData("/acp", Remove, "/acp")]
    [InlineData("/extra", "1", "/extra")]
    [InlineData("/parties/c", "{}", "/parties/c")]
    [InlineData("/scope", "[]", "/scope")]
    [InlineData("/scope/interaction", Remove, "/scope/interaction")]
    [InlineData("/retention/b", "{}", "/retention/b")]
    [InlineData("/upstream", "null", "/upstream")]
    [InlineData("/definitions/recipients", Remove, "/definitions/recipients")]
    [InlineData("/retention/a/0/disposition/later", """{ "action": "delete" }""", "/retention/a/0/disposition/later")]
    // constants, enums, lengths
    [InlineData("/acp", "\"0.2\"", "/acp")]
    [InlineData("/tier", "\"gold\"", "/tier")]
    [InlineData("/tier", "1", "/tier")]
    [InlineData("/domain", "\"\"", "/domain")]
    [InlineData("/parties/a/principal/kind", "\"robot\"", "/parties/a/principal/kind")]
    [InlineData("/parties/a/principal/name", "\"\"", "/parties/a/principal/name")]
    [InlineData("/revocation/mode", "\"whenever\"", "/revocation/mode")]
    [InlineData("/revocation/emergency", "\"yes\"", "/revocation/emergency")]
    [InlineData("/revocation/residualObligations", """[""]""", "/revocation/residualObligations/0")]
    [InlineData("/retention/a/0/retain/mode", "\"forever\"", "/retention/a/0/retain/mode")]
    [InlineData("/retention/a/1/retain/anchor", "\"signing\"", "/retention/a/1/retain/anchor")]
    [InlineData("/retention/a/0/disposition/expiration/action", "\"archive\"", "/retention/a/0/disposition/expiration/action")]
    [InlineData("/retention/a/1/propagate/0/requiresCompact/minTier", "\"gold\"", "/retention/a/1/propagate/0/requiresCompact/minTier")]
    [InlineData("/extensions", """[{ "pointer": "/retention", "note": "" }]""", "/extensions/0/note")]
    // integers
    [InlineData("/version", "0", "/version")]
    [InlineData("/version", "1.5", "/version")]
    [InlineData("/version", "\"1\"", "/version")]
    [InlineData("/version", "9007199254740992", "/version")]
    // ids and patterns
    [InlineData("/compactId", "\"kitchen-2026-0042\"", "/compactId")]
    [InlineData("/compactId", "\"cmp_short\"", "/compactId")]
    [InlineData("/compactId", "\"cmp_kitchen-2026-0042\\n\"", "/compactId")]
    [InlineData("/stdlib", "\"contractor-and-service\"", "/stdlib")]
    [InlineData("/retention/a/0/derive/0", "\"Work-History\"", "/retention/a/0/derive/0")]
    [InlineData("/retention/a/0/category", "\"work-scope\\n\"", "/retention/a/0/category")]
    [InlineData("/definitions/categories", """[{ "id": "pool-records", "definition": "Pool logs" }]""", "/definitions/categories/0/id")]
    [InlineData("/extensions", """[{ "pointer": "retention/a", "note": "n" }]""", "/extensions/0/pointer")]
    [InlineData("/predecessor", """{ "version": 1, "compactHash": "ABC" }""", "/predecessor/compactHash")]
    // did:key
    [InlineData("/parties/a/agent", "\"did:web:acme.example\"", "/parties/a/agent")]
    [InlineData("/parties/a/agent", "\"did:key:z6MkNotAKey\"", "/parties/a/agent")]
    // timestamps: the §0 form, and a real instant
    [InlineData("/scope/effective/from", "\"2026-12-01T00:00:00Z\"", "/scope/effective/from")]
    [InlineData("/scope/effective/from", "\"2026-12-01T00:00:00.000+00:00\"", "/scope/effective/from")]
    [InlineData("/scope/effective/from", "\"2026-02-30T00:00:00.000Z\"", "/scope/effective/from")]
    [InlineData("/scope/effective/until", "\"2027-13-01T00:00:00.000Z\"", "/scope/effective/until")]
    [InlineData("/scope/effective/until", "\"2027-12-01T24:00:00.000Z\"", "/scope/effective/until")]
    // durations
    [InlineData("/negotiationTimeout", "\"P\"", "/negotiationTimeout")]
    [InlineData("/negotiationTimeout", "\"PT\"", "/negotiationTimeout")]
    [InlineData("/negotiationTimeout", "\"P1DT\"", "/negotiationTimeout")]
    [InlineData("/negotiationTimeout", "\"P14D\\n\"", "/negotiationTimeout")]
    [InlineData("/negotiationTimeout", "\"p14d\"", "/negotiationTimeout")]
    [InlineData("/negotiationTimeout", "\"P-1D\"", "/negotiationTimeout")]
    [InlineData("/negotiationTimeout", "\"14 days\"", "/negotiationTimeout")]
    [InlineData("/revocation/ackTimeout", "\"P1.5D\"", "/revocation/ackTimeout")]
    // oneOf variants: the members each mode/action allows
    [InlineData("/retention/a/0/retain", """{ "mode": "period", "period": "P1Y" }""", "/retention/a/0/retain/anchor")]
    [InlineData("/retention/a/0/retain", """{ "mode": "indefinite", "period": "P1Y" }""", "/retention/a/0/retain/period")]
    [InlineData("/retention/a/0/retain", """{ "period": "P1Y" }""", "/retention/a/0/retain/mode")]
    [InlineData("/retention/a/0/retain", """{ "mode": "until-marker" }""", "/retention/a/0/retain/marker")]
    [InlineData("/retention/a/0/disposition/expiration", """{ "action": "retain" }""", "/retention/a/0/disposition/expiration/period")]
    [InlineData("/retention/a/0/disposition/expiration", """{ "action": "delete", "period": "P1D" }""", "/retention/a/0/disposition/expiration/period")]
    [InlineData("/retention/a/0/disposition/expiration", """{ "action": "transition", "derive": [] }""", "/retention/a/0/disposition/expiration/propagate")]
    [InlineData("/retention/a/0/disposition/expiration", "\"delete\"", "/retention/a/0/disposition/expiration")]
    // arrays: uniqueness, bounds
    [InlineData("/retention/a/0/derive", """["work-history-summary", "work-history-summary"]""", "/retention/a/0/derive/1")]
    [InlineData("/revocation/conditions", """["late-payment", "late-payment"]""", "/revocation/conditions/1")]
    [InlineData("/upstream", """[{ "compactId": "cmp_house-2026-0001", "version": 1, "on": [] }]""", "/upstream/0/on")]
    [InlineData("/upstream", """[{ "compactId": "cmp_house-2026-0001", "version": 1, "on": ["revocation", "revocation"] }]""", "/upstream/0/on/1")]
    [InlineData("/upstream", """[{ "compactId": "cmp_house-2026-0001", "version": 1, "on": ["supersession"] }]""", "/upstream/0/on/0")]
    [InlineData("/definitions/operations", """[{ "id": "x-op", "definition": "d", "operatesOn": [] }]""", "/definitions/operations/0/operatesOn")]
    // the rules §4.2 adds to PACT-101
    [InlineData("/retention/a/1/category", "\"work-scope\"", "/retention/a/1/category")]
    [InlineData("/retention/b/0/disposition/upstream", """{ "action": "delete" }""", "/retention/b/0/disposition/upstream")]
    [InlineData("/version", "2", "/predecessor")]
    [InlineData("/predecessor", """{ "version": 1, "compactHash": "306b186df65d16913770eeadedfc6d6e20319389e8d45cd20aa7fdfb716ff3d4" }""", "/predecessor")]
    [InlineData("/revocation/mode", "\"conditional\"", "/revocation/conditions")]
    [InlineData("/scope/outOfScope", "null", "/scope/outOfScope")]
    public void Schema_violation_is_PACT_101_at_its_pointer(string pointer, string value, string expectedPointer)
    {
        ErrorsOf(Edit(pointer, value)).Should().Equal((expectedPointer, "PACT-101"));
    }

    [Fact]
    public void Lengths_count_code_points_not_utf16_units()
    {
        // 256 emoji are 512 UTF-16 units but 256 characters: exactly the limit.
        var name = string.Concat(Enumerable.Repeat("🛠", 256));
        ErrorsOf(TermsFixtures.Kitchen().With("/parties/a/principal/name", name)).Should().BeEmpty();
        ErrorsOf(TermsFixtures.Kitchen().With("/parties/a/principal/name", name + "x")).Should().Equal(("/parties/a/principal/name", "PACT-101"));
    }

    [Fact]
    public void Array_limits_of_the_schema_are_enforced()
    {
        var conditions = new JsonArray(Enumerable.Range(0, 65).Select(i => (JsonNode?)JsonValue.Create($"c{i}")).ToArray());
        ErrorsOf(TermsFixtures.Kitchen().With("/revocation/conditions", conditions)).Should().Equal(("/revocation/conditions", "PACT-101"));
    }

    [Fact]
    public void Non_object_terms_are_one_error_at_the_root()
    {
        ErrorsOf(JsonNode.Parse("[]")).Should().Equal(("", "PACT-101"));
        ErrorsOf(null).Should().Equal(("", "PACT-101"));
    }

    [Fact]
    public void Every_violation_is_reported_sorted_by_pointer()
    {
        var json = TermsFixtures.Kitchen()
            .With("/tier", "gold")
            .Without("/acp")
            .With("/scope/effective/until", "2027-02-29T00:00:00.000Z")
            .With("/retention/b/3/derive", new JsonArray("x", "x"))
            .With("/retention/a/2/propagate/0/to", "Tax")
            .With("/zz", true);
        ErrorsOf(json).Select(e => e.Pointer).Should().Equal(
            "/acp",
            "/retention/a/2/propagate/0/to",
            "/retention/b/3/derive/1",
            "/scope/effective/until",
            "/tier",
            "/zz");
    }

    [Fact]
    public void Shape_rules_are_reported_beside_other_errors_in_the_same_entries()
    {
        var json = TermsFixtures.Kitchen()
            .With("/retention/a/1/category", "work-scope")
            .With("/retention/a/1/retain/mode", "forever")
            .With("/retention/b/0/disposition/upstream", JsonNode.Parse("""{ "action": "delete" }"""))
            .With("/retention/b/0/derive", new JsonArray(1));
        ErrorsOf(json).Select(e => e.Pointer).Should().Equal(
            "/retention/a/1/category",
            "/retention/a/1/retain/mode",
            "/retention/b/0/derive/0",
            "/retention/b/0/disposition/upstream");
    }

    [Fact]
    public void Messages_say_what_is_wrong_in_plain_words()
    {
        var (_, errors) = TermsReader.Read(TermsFixtures.Kitchen().With("/scope/effective/from", "2026-02-30T00:00:00.000Z").Without("/domain"));
        errors.Select(e => e.Message).Should().Equal("Member 'domain' is required.", "Is not a real instant.");
    }

    [Fact]
    public void Principal_reads_on_its_own_for_agent_registration()
    {
        var (principal, errors) = TermsReader.ReadPrincipal(JsonNode.Parse("""{ "id": "acct-42", "kind": "organization", "name": "Acme" }"""), "/payload/principal");
        errors.Should().BeEmpty();
        principal.Should().Be(new Principal("acct-42", PrincipalKind.Organization, "Acme"));
        TermsReader.ReadPrincipal(JsonNode.Parse("""{ "id": "acct-42", "kind": "org" }"""), "/payload/principal").Errors
            .Select(e => e.Pointer).Should().Equal("/payload/principal/kind", "/payload/principal/name");
    }
}
