using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Json;
using Pact.Core.Terms;

namespace Pact.Core.Tests.Terms;

/// <summary>The model's enumerations and members, checked against the embedded terms.schema.json itself.</summary>
public class SchemaAgreementTests
{
    private static readonly JsonObject Schema = Load();

    private static JsonObject Load()
    {
        using var stream = typeof(TermsReader).Assembly.GetManifestResourceStream("Pact.Core.Terms.terms.schema.json")!;
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return (JsonObject)StrictJson.Parse(buffer.ToArray())!;
    }

    private static List<string> Strings(JsonNode? array) => array!.AsArray().Select(n => n!.GetValue<string>()).ToList();

    private static List<string> Consts(string def, string member) =>
        Schema["$defs"]![def]!["oneOf"]!.AsArray().Select(v => v!["properties"]![member]!["const"]!.GetValue<string>()).ToList();

    [Fact]
    public void Enumerations_have_exactly_the_schema_values()
    {
        Wire.AllNames<Tier>().Should().Equal(Strings(Schema["$defs"]!["tier"]!["enum"]));
        Wire.AllNames<PrincipalKind>().Should().Equal(Strings(Schema["$defs"]!["party"]!["properties"]!["principal"]!["properties"]!["kind"]!["enum"]));
        Wire.AllNames<RevocationMode>().Should().Equal(Strings(Schema["properties"]!["revocation"]!["properties"]!["mode"]!["enum"]));
        Wire.AllNames<UpstreamTrigger>().Should().Equal(Strings(Schema["properties"]!["upstream"]!["items"]!["properties"]!["on"]!["items"]!["enum"]));
        Wire.AllNames<RetainAnchor>().Should().Equal(Strings(Schema["$defs"]!["retain"]!["oneOf"]![0]!["properties"]!["anchor"]!["enum"]));
        Wire.AllNames<RetainMode>().Should().Equal(Consts("retain", "mode"));
        Wire.AllNames<DispositionAction>().Should().Equal(Consts("disposition", "action"));
        Wire.AllNames<LifecycleEvent>().Should().Equal(Schema["$defs"]!["retentionEntry"]!["properties"]!["disposition"]!["properties"]!.AsObject().Select(p => p.Key));
        Wire.AllNames<PartyRole>().Should().Equal(Strings(Schema["properties"]!["parties"]!["required"]));
    }

    [Fact]
    public void Terms_json_has_exactly_the_schema_members_at_the_top()
    {
        var terms = TermsReader.Read(TermsFixtures.Kitchen()).Terms!;
        terms.ToJson().Select(m => m.Key).Should().Equal(Strings(Schema["required"]));
        Schema["properties"]!.AsObject().Select(p => p.Key).Should().BeEquivalentTo(Strings(Schema["required"]));
    }

    [Fact]
    public void Every_required_member_of_the_top_level_is_enforced()
    {
        foreach (var member in Strings(Schema["required"]))
        {
            TermsReader.Read(TermsFixtures.Kitchen().Without("/" + member)).Errors
                .Select(e => e.Pointer).Should().Equal(["/" + member], $"'{member}' is required");
        }
    }
}
