using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Stdlib;
using Pact.Core.Terms;

namespace Pact.Core.Tests.Terms;

public class TermsValidatorTests
{
    private static readonly string Contractor = TermsFixtures.Key("contractor").Did;
    private static readonly string Homeowner = TermsFixtures.Key("homeowner").Did;
    private static readonly string Plumber = TermsFixtures.Key("daemon").Did;

    /// <summary>A daemon that knows the two kitchen agents and one in-force compact (version 2) between the contractor and a plumber.</summary>
    private static TermsValidationContext Daemon(string proposer = "") => new(
        IsRegisteredAgent: did => did == Contractor || did == Homeowner,
        InForceVersion: (id, _) => id == "cmp_house-2026-0001" ? new UpstreamInfo(2, Contractor, Plumber) : null,
        Proposer: proposer.Length == 0 ? Contractor : proposer);

    private static List<(string Pointer, string Code)> Validate(JsonObject json, TermsValidationContext? context = null)
    {
        var (terms, readErrors) = TermsReader.Read(json);
        readErrors.Should().BeEmpty("the test edits keep the terms schema-valid");
        return TermsValidator.Validate(terms!, context ?? Daemon()).Select(e => (e.Pointer, e.Code)).ToList();
    }

    private static JsonObject Minimal()
    {
        var request = new DraftRequest(Tier.Minimal, "contractor-and-service",
            TermsReader.Read(TermsFixtures.Kitchen()).Terms!.Parties,
            TermsReader.Read(TermsFixtures.Kitchen()).Terms!.Scope);
        return DraftBuilder.Build(request, DateTimeOffset.UnixEpoch).Terms!;
    }

    private static JsonObject Extension(string pointer) => new() { ["pointer"] = pointer, ["note"] = "Agreed deviation." };

    private static JsonObject Edge(string to, string minTier) => new() { ["to"] = to, ["requiresCompact"] = new JsonObject { ["minTier"] = minTier } };

    [Fact]
    public void Kitchen_remodel_terms_are_valid()
    {
        Validate(TermsFixtures.Kitchen()).Should().BeEmpty();
    }

    [Theory]
    [InlineData("/retention/a/3/category", "\"pool-records\"", "/retention/a/3/category")]
    [InlineData("/retention/a/3/category", "\"x-pool-records\"", "/retention/a/3/category")]
    [InlineData("/retention/a/2/derive/0", "\"aggregate-everything\"", "/retention/a/2/derive/0")]
    [InlineData("/retention/a/1/propagate/0/to", "\"neighbour\"", "/retention/a/1/propagate/0/to")]
    [InlineData("/retention/a/1/propagate/0/to", "\"work-record\"", "/retention/a/1/propagate/0/to")]
    [InlineData("/retention/a/1/disposition/supersession/propagate", """[{ "to": "x-archive", "requiresCompact": { "minTier": "standard" } }]""", "/retention/a/1/disposition/supersession/propagate/0/to")]
    [InlineData("/definitions/operations", """[{ "id": "x-op", "definition": "An operation", "operatesOn": ["x-missing"] }]""", "/definitions/operations/0/operatesOn/0")]
    [InlineData("/stdlib", "\"plumbing@0.1\"", "/stdlib")]
    public void Unknown_vocabulary_is_PACT_102(string pointer, string value, string expected)
    {
        Validate(TermsFixtures.Kitchen().With(pointer, JsonNode.Parse(value))).Should().Equal((expected, "PACT-102"));
    }

    [Fact]
    public void Inline_definitions_make_x_ids_known()
    {
        var json = TermsFixtures.Kitchen()
            .With("/retention/a/3/category", "x-pool-records")
            .With("/retention/a/3/derive", new JsonArray("x-chlorine-trend"))
            .With("/retention/a/3/propagate", new JsonArray(Edge("x-pool-inspector", "standard")))
            .With("/definitions", JsonNode.Parse("""
                { "categories": [{ "id": "x-pool-records", "definition": "Pool maintenance logs" }],
                  "operations": [{ "id": "x-chlorine-trend", "definition": "Trend of readings", "operatesOn": ["x-pool-records", "work-record"] }],
                  "recipients": [{ "id": "x-pool-inspector", "definition": "The county pool inspector" }] }
                """));
        Validate(json).Should().BeEmpty();
    }

    [Fact]
    public void Derive_operation_that_does_not_read_the_category_is_PACT_103()
    {
        var json = TermsFixtures.Kitchen()
            .With("/retention/a/0/derive/-", "warranty-status-check")
            .With("/retention/a/1/disposition/supersession/derive", new JsonArray("aggregate-billing-statistics"));
        Validate(json).Should().Equal(
            ("/retention/a/0/derive/1", "PACT-103"),
            ("/retention/a/1/disposition/supersession/derive/0", "PACT-103"));
    }

    [Fact]
    public void Missing_disposition_is_PACT_104()
    {
        Validate(TermsFixtures.Kitchen().Without("/retention/b/2/disposition/expiration"))
            .Should().Equal(("/retention/b/2/disposition/expiration", "PACT-104"));
    }

    [Fact]
    public void Upstream_compacts_require_an_upstream_disposition_for_every_category()
    {
        var json = TermsFixtures.Kitchen().With("/upstream", JsonNode.Parse("""[{ "compactId": "cmp_house-2026-0001", "version": 2, "on": ["revocation"] }]"""));
        var errors = Validate(json);
        errors.Should().HaveCount(9).And.OnlyContain(e => e.Code == "PACT-104" && e.Pointer.EndsWith("/disposition/upstream", StringComparison.Ordinal));
        errors[0].Pointer.Should().Be("/retention/a/0/disposition/upstream");
    }

    [Theory]
    [InlineData("/retention/a/1/propagate", """[{ "to": "accountant", "requiresCompact": { "minTier": "advanced" } }]""", "/retention/a/1/propagate/0")]
    [InlineData("/retention/a/5/disposition/supersession", """{ "action": "transition", "derive": [], "propagate": [{ "to": "accountant", "requiresCompact": { "minTier": "standard" } }] }""", "/retention/a/5/disposition/supersession/propagate/0")]
    [InlineData("/retention/a/1/retain/period", "\"P91D\"", "/retention/a/1/retain/period")]
    [InlineData("/retention/a/1/retain/period", "\"P3M\"", "/retention/a/1/retain/period")]
    [InlineData("/retention/a/5/disposition/expiration/period", "\"P1Y\"", "/retention/a/5/disposition/expiration/period")]
    [InlineData("/retention/a/1/retain", """{ "mode": "indefinite" }""", "/retention/a/1/retain/mode")]
    [InlineData("/retention/b/3/disposition/revocation", """{ "action": "retain-indefinitely" }""", "/retention/b/3/disposition/revocation/action")]
    [InlineData("/retention/b/2/disposition/expiration", """{ "action": "retain", "period": "P30D" }""", "/retention/b/2/disposition/expiration/action")]
    public void Minimal_tier_rules_are_PACT_105(string pointer, string value, string expected)
    {
        var json = Minimal().With(pointer, JsonNode.Parse(value));
        Validate(json).Should().Equal((expected, "PACT-105"));
    }

    [Fact]
    public void Minimal_tier_keeps_scope_and_dispute_records_beyond_the_compact()
    {
        var json = Minimal()
            .With("/retention/a/5/retain", JsonNode.Parse("""{ "mode": "indefinite" }"""))
            .With("/retention/a/5/disposition/expiration", JsonNode.Parse("""{ "action": "retain-indefinitely" }"""))
            .With("/retention/a/1/retain/period", "P12W6D");
        Validate(json).Should().BeEmpty();
    }

    [Fact]
    public void Minimal_tier_rules_do_not_apply_to_standard_terms()
    {
        var json = Minimal().With("/tier", "standard").With("/retention/a/1/retain/period", "P7Y");
        Validate(json).Should().BeEmpty();
    }

    [Theory]
    [InlineData("standard")]
    [InlineData("advanced")]
    public void Standard_tier_rule_is_PACT_105_for_edges_below_standard(string tier)
    {
        var json = TermsFixtures.Kitchen().With("/tier", tier)
            .With("/retention/b/2/propagate/0/requiresCompact/minTier", "minimal")
            .With("/retention/a/1/disposition/supersession/propagate", new JsonArray(Edge("accountant", "minimal")));
        Validate(json).Should().Equal(
            ("/retention/a/1/disposition/supersession/propagate/0/requiresCompact/minTier", "PACT-105"),
            ("/retention/b/2/propagate/0/requiresCompact/minTier", "PACT-105"));
    }

    [Fact]
    public void Advanced_tier_rule_is_PACT_105_for_a_principal_that_cannot_sign()
    {
        var json = TermsFixtures.Kitchen().With("/tier", "advanced").With("/parties/b/principal/id", "customer-7731");
        Validate(json).Should().Equal(("/parties/b/principal", "PACT-105"));
        Validate(json.With("/tier", "standard")).Should().BeEmpty();
    }

    [Theory]
    [InlineData("/retention/a/1/retain/period", true)]
    [InlineData("/retention/a/1/retain", true)]
    [InlineData("/retention/a/1", true)]
    [InlineData("/retention", true)]
    [InlineData("", true)]
    [InlineData("/retention/a/1/retain/anchor", false)]
    [InlineData("/retention/a/2", false)]
    [InlineData("/retention/a/1/retain/per", false)]
    [InlineData("/retention/b", false)]
    public void Extension_pointing_at_the_node_or_an_ancestor_waives_the_tier_rule(string extensionPointer, bool waived)
    {
        var json = Minimal().With("/retention/a/1/retain/period", "P1Y").With("/extensions", new JsonArray(Extension(extensionPointer)));
        Validate(json).Should().Equal(waived ? [] : [("/retention/a/1/retain/period", "PACT-105")]);
    }

    [Fact]
    public void Extension_pointer_compares_whole_tokens()
    {
        // Slice a gets five more categories (copies of property-access-details under inline ids), so index 10 exists.
        var slice = Minimal()["retention"]!["a"]!.AsArray();
        var eleven = new JsonArray(Enumerable.Range(0, 11).Select(i => (JsonNode?)slice[i < 6 ? i : 3]!.DeepClone()).ToArray());
        for (var i = 6; i < 11; i++) eleven[i]!["category"] = $"x-extra-{i}";
        var json = Minimal().With("/retention/a", eleven)
            .With("/definitions/categories", new JsonArray(Enumerable.Range(6, 5).Select(i => (JsonNode?)new JsonObject { ["id"] = $"x-extra-{i}", ["definition"] = "Extra" }).ToArray()))
            .With("/retention/a/10/retain", JsonNode.Parse("""{ "mode": "period", "period": "P1Y", "anchor": "effective-end" }"""))
            .With("/extensions", new JsonArray(Extension("/retention/a/1")));
        Validate(json).Should().Equal(("/retention/a/10/retain/period", "PACT-105"));
    }

    [Fact]
    public void Same_agent_on_both_sides_is_PACT_106()
    {
        Validate(TermsFixtures.Kitchen().With("/parties/b/agent", Contractor)).Should().Equal(("/parties/b/agent", "PACT-106"));
    }

    [Fact]
    public void Unregistered_party_is_PACT_106()
    {
        Validate(TermsFixtures.Kitchen().With("/parties/a/agent", Plumber)).Should().Equal(("/parties/a/agent", "PACT-106"));
        Validate(TermsFixtures.Kitchen().With("/parties/a/agent", Plumber), TermsValidationContext.Offline).Should().BeEmpty();
    }

    [Theory]
    [InlineData("2027-12-01T00:00:00.000Z")]
    [InlineData("2027-12-01T00:00:00.001Z")]
    public void Empty_effective_interval_is_PACT_107(string from)
    {
        Validate(TermsFixtures.Kitchen().With("/scope/effective/from", from)).Should().Equal(("/scope/effective", "PACT-107"));
    }

    private static JsonObject WithUpstream(string compactId, int version) =>
        TermsFixtures.Kitchen()
            .With("/upstream", new JsonArray(new JsonObject { ["compactId"] = compactId, ["version"] = version, ["on"] = new JsonArray("revocation") }))
            .With("/retention/a", new JsonArray())
            .With("/retention/b", new JsonArray());

    [Fact]
    public void Upstream_naming_the_in_force_version_of_a_compact_of_the_proposer_is_valid()
    {
        Validate(WithUpstream("cmp_house-2026-0001", 2)).Should().BeEmpty();
    }

    [Fact]
    public void Upstream_naming_a_superseded_version_is_PACT_108()
    {
        Validate(WithUpstream("cmp_house-2026-0001", 1)).Should().Equal(("/upstream/0/version", "PACT-108"));
    }

    [Fact]
    public void Upstream_naming_a_compact_with_nothing_in_force_is_PACT_108()
    {
        Validate(WithUpstream("cmp_unknown-compact", 1)).Should().Equal(("/upstream/0/compactId", "PACT-108"));
    }

    [Fact]
    public void Upstream_compact_the_proposer_is_not_a_party_of_is_PACT_108()
    {
        Validate(WithUpstream("cmp_house-2026-0001", 2), Daemon(proposer: Homeowner)).Should().Equal(("/upstream/0", "PACT-108"));
    }

    [Fact]
    public void Errors_of_different_codes_are_sorted_by_pointer_then_code()
    {
        var json = TermsFixtures.Kitchen()
            .With("/scope/effective/until", "2026-01-01T00:00:00.000Z")
            .With("/parties/b/agent", Contractor)
            .With("/retention/a/0/category", "x-unknown")
            .Without("/retention/a/0/disposition/revocation");
        Validate(json).Should().Equal(
            ("/parties/b/agent", "PACT-106"),
            ("/retention/a/0/category", "PACT-102"),
            ("/retention/a/0/derive/0", "PACT-103"),
            ("/retention/a/0/disposition/revocation", "PACT-104"),
            ("/scope/effective", "PACT-107"));
    }

    [Fact]
    public void Same_pointer_errors_are_ordered_by_code()
    {
        // An unknown recipient that is also below the standard tier's minimum: two codes on neighbouring nodes.
        var json = TermsFixtures.Kitchen().With("/retention/b/2/propagate/0", Edge("x-friend", "minimal"))
            .With("/retention/b/1/derive/0", "x-nothing");
        Validate(json).Should().Equal(
            ("/retention/b/1/derive/0", "PACT-102"),
            ("/retention/b/2/propagate/0/requiresCompact/minTier", "PACT-105"),
            ("/retention/b/2/propagate/0/to", "PACT-102"));
    }

    [Fact]
    public void Read_and_validate_answers_one_422_with_the_first_error_code_and_prefixed_pointers()
    {
        var (terms, error) = TermsValidator.ReadAndValidate(
            TermsFixtures.Kitchen().With("/scope/effective/until", "2026-01-01T00:00:00.000Z").With("/parties/b/agent", Contractor),
            Daemon(), "/terms");
        terms.Should().BeNull();
        error!.Status.Should().Be(422);
        error.Title.Should().Be(TermsValidator.Title);
        error.Code.Should().Be("PACT-106");
        error.Errors!.Select(e => e.Pointer).Should().Equal("/terms/parties/b/agent", "/terms/scope/effective");
    }

    [Fact]
    public void Read_and_validate_stops_at_schema_errors()
    {
        var (_, error) = TermsValidator.ReadAndValidate(TermsFixtures.Kitchen().With("/tier", "gold").With("/parties/b/agent", Contractor), Daemon());
        error!.Errors!.Select(e => (e.Pointer, e.Code)).Should().Equal(("/tier", "PACT-101"));
    }

    [Fact]
    public void Read_and_validate_returns_the_terms_when_valid()
    {
        var (terms, error) = TermsValidator.ReadAndValidate(TermsFixtures.Kitchen(), Daemon());
        error.Should().BeNull();
        terms!.CompactId.Should().Be("cmp_kitchen-2026-0042");
    }
}
