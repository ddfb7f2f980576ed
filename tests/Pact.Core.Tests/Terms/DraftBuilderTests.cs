using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Ids;
using Pact.Core.Json;
using Pact.Core.Stdlib;
using Pact.Core.Terms;

namespace Pact.Core.Tests.Terms;

public class DraftBuilderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Contractor = TermsFixtures.Key("contractor").Did;
    private static readonly string Homeowner = TermsFixtures.Key("homeowner").Did;

    private static TermsValidationContext Daemon => new(did => did == Contractor || did == Homeowner, (_, _) => null, Contractor);

    private static JsonObject Body(string tier) => new()
    {
        ["tier"] = tier,
        ["domain"] = "contractor-and-service",
        ["parties"] = TermsFixtures.Kitchen()["parties"]!.DeepClone(),
        ["scope"] = TermsFixtures.Kitchen()["scope"]!.DeepClone(),
    };

    private static JsonObject Draft(JsonObject body)
    {
        var (terms, error) = DraftBuilder.Build(body, Now);
        error.Should().BeNull();
        return terms!;
    }

    [Theory]
    [InlineData("minimal")]
    [InlineData("standard")]
    [InlineData("advanced")]
    public void Draft_of_each_tier_passes_reading_and_validation_as_it_is(string tier)
    {
        var json = Draft(Body(tier).With("/compactId", "cmp_draft-test-0001"));
        var (terms, error) = TermsValidator.ReadAndValidate(json, Daemon);
        error.Should().BeNull();
        Jcs.CanonicalString(terms!.ToJson()).Should().Be(Jcs.CanonicalString(json));
    }

    [Theory]
    [InlineData(Tier.Minimal)]
    [InlineData(Tier.Standard)]
    [InlineData(Tier.Advanced)]
    public void Draft_is_built_from_the_tier_defaults_as_the_library_rule_says(Tier tier)
    {
        var json = Draft(Body(tier.ToWire()).With("/compactId", "cmp_draft-test-0001"));
        var defaults = StandardLibrary.ContractorAndService.Tier(tier).Defaults;
        var expected = new CompactTerms("0.1", "cmp_draft-test-0001", 1, null, tier, "contractor-and-service", "contractor-and-service@0.1",
            TermsReader.Read(TermsFixtures.Kitchen()).Terms!.Parties, TermsReader.Read(TermsFixtures.Kitchen()).Terms!.Scope,
            new Retention(defaults.Categories, defaults.Categories), defaults.Revocation, [], Definitions.Empty, [], defaults.NegotiationTimeout);
        Jcs.CanonicalString(json).Should().Be(Jcs.CanonicalString(expected.ToJson()));
        // Spot checks against the file's literal values, so the test does not only agree with itself.
        json["negotiationTimeout"]!.GetValue<string>().Should().Be(tier switch { Tier.Minimal => "P3D", Tier.Standard => "P14D", _ => "P30D" });
        json["retention"]!["b"]![1]!["retain"]!["period"]!.GetValue<string>().Should().Be(tier == Tier.Minimal ? "P30D" : "P7Y");
        json["predecessor"].Should().BeNull();
        json.ContainsKey("predecessor").Should().BeTrue();
    }

    [Fact]
    public void Requested_categories_come_out_in_library_order_and_a_side_left_out_gets_all_six()
    {
        var body = Body("standard").With("/categories", JsonNode.Parse("""{ "a": ["warranty-information", "work-scope"] }"""));
        var json = Draft(body);
        json["retention"]!["a"]!.AsArray().Select(e => e!["category"]!.GetValue<string>()).Should().Equal("work-scope", "warranty-information");
        json["retention"]!["b"]!.AsArray().Select(e => e!["category"]!.GetValue<string>()).Should().Equal(
            "work-scope", "work-record", "billing-payment-record", "property-access-details", "warranty-information", "dispute-records");
    }

    [Fact]
    public void Empty_category_list_gives_an_empty_slice()
    {
        var json = Draft(Body("minimal").With("/categories", JsonNode.Parse("""{ "a": [], "b": ["dispute-records"] }""")));
        json["retention"]!["a"]!.AsArray().Should().BeEmpty();
        json["retention"]!["b"]!.AsArray().Should().ContainSingle();
        TermsValidator.ReadAndValidate(json, Daemon).Error.Should().BeNull();
    }

    [Fact]
    public void Generated_compact_id_is_cmp_and_a_ulid()
    {
        var first = Draft(Body("standard"))["compactId"]!.GetValue<string>();
        var second = Draft(Body("standard"))["compactId"]!.GetValue<string>();
        PactIds.IsCompactId(first).Should().BeTrue();
        first.Should().MatchRegex("^cmp_[0-9A-HJKMNP-TV-Z]{26}$");
        second.Should().NotBe(first);
    }

    [Fact]
    public void Unknown_domain_is_PACT_102_at_domain()
    {
        var (terms, error) = DraftBuilder.Build(Body("standard").With("/domain", "healthcare"), Now);
        terms.Should().BeNull();
        error!.Code.Should().Be("PACT-102");
        error.Status.Should().Be(422);
        error.Errors!.Select(e => e.Pointer).Should().Equal("/domain");
    }

    [Fact]
    public void Unknown_categories_are_PACT_102_at_each_of_them()
    {
        var body = Body("standard").With("/categories", JsonNode.Parse("""{ "a": ["work-scope", "pool-records"], "b": ["x-anything"] }"""));
        var (_, error) = DraftBuilder.Build(body, Now);
        error!.Errors!.Select(e => (e.Pointer, e.Code)).Should().Equal(("/categories/a/1", "PACT-102"), ("/categories/b/0", "PACT-102"));
    }

    [Theory]
    [InlineData("/tier", "\"gold\"", "/tier")]
    [InlineData("/parties/a/agent", "\"did:web:acme.example\"", "/parties/a/agent")]
    [InlineData("/scope/effective/from", "\"tomorrow\"", "/scope/effective/from")]
    [InlineData("/compactId", "\"kitchen\"", "/compactId")]
    [InlineData("/categories", """{ "a": ["work-scope", "work-scope"] }""", "/categories/a/1")]
    [InlineData("/categories", """{ "c": [] }""", "/categories/c")]
    public void Malformed_request_is_PACT_101(string pointer, string value, string expected)
    {
        var (_, error) = DraftBuilder.Build(Body("standard").With(pointer, JsonNode.Parse(value)), Now);
        error!.Errors!.Select(e => (e.Pointer, e.Code)).Should().Equal((expected, "PACT-101"));
    }

    [Fact]
    public void Missing_members_are_each_reported()
    {
        var (_, error) = DraftBuilder.Build(new JsonObject { ["domain"] = "contractor-and-service" }, Now);
        error!.Errors!.Select(e => e.Pointer).Should().Equal("/parties", "/scope", "/tier");
    }

    [Fact]
    public void Unknown_members_of_the_unsigned_request_are_ignored()
    {
        DraftBuilder.Build(Body("standard").With("/comment", "please hurry"), Now).Error.Should().BeNull();
    }

    [Fact]
    public void Typed_request_builds_the_same_draft()
    {
        var kitchen = TermsReader.Read(TermsFixtures.Kitchen()).Terms!;
        var request = new DraftRequest(Tier.Standard, "contractor-and-service", kitchen.Parties, kitchen.Scope,
            new DraftCategories(B: ["billing-payment-record"]), "cmp_kitchen-2026-0042");
        var (fromTyped, _) = DraftBuilder.Build(request, Now);
        var (fromJson, _) = DraftBuilder.Build(Body("standard").With("/compactId", "cmp_kitchen-2026-0042")
            .With("/categories", JsonNode.Parse("""{ "b": ["billing-payment-record"] }""")), Now);
        Jcs.CanonicalString(fromTyped).Should().Be(Jcs.CanonicalString(fromJson));
    }
}
