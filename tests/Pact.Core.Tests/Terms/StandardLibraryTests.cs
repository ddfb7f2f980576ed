using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Json;
using Pact.Core.Stdlib;
using Pact.Core.Terms;
using Pact.Core.Tests.Negotiation;

namespace Pact.Core.Tests.Terms;

public class StandardLibraryTests
{
    private static readonly string[] LibraryCategories =
        ["work-scope", "work-record", "billing-payment-record", "property-access-details", "warranty-information", "dispute-records"];

    private static StandardLibrary Lib => StandardLibrary.ContractorAndService;

    private static JsonObject EmbeddedFile()
    {
        using var stream = typeof(StandardLibrary).Assembly.GetManifestResourceStream("Pact.Core.Stdlib.contractor-and-service-0.1.json")!;
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return (JsonObject)StrictJson.Parse(buffer.ToArray())!;
    }

    [Fact]
    public void Embedded_library_loads_with_its_pin_and_vocabulary()
    {
        Lib.Id.Should().Be("contractor-and-service@0.1");
        Lib.Domain.Should().Be("contractor-and-service");
        Lib.Version.Should().Be("0.1");
        Lib.Categories.Select(c => c.Id).Should().Equal(LibraryCategories);
        Lib.Operations.Select(o => o.Id).Should().Equal("aggregate-billing-statistics", "aggregate-payment-statistics", "work-history-summary", "warranty-status-check");
        Lib.Operation("work-history-summary")!.OperatesOn.Should().Equal("work-scope", "work-record");
        Lib.Operation("aggregate-payment-statistics")!.TypicalParty.Should().Be("client");
        Lib.Recipients.Select(r => r.Id).Should().Equal("tax-authority", "licensing-board", "accountant");
        Lib.Tiers.Select(t => t.Id).Should().Equal(Tier.Minimal, Tier.Standard, Tier.Advanced);
        Lib.IsCategory("dispute-records").Should().BeTrue();
        Lib.IsCategory("accountant").Should().BeFalse();
        Lib.IsRecipient("accountant").Should().BeTrue();
        Lib.IsOperation("warranty-status-check").Should().BeTrue();
    }

    [Fact]
    public void Library_is_found_by_its_pin_and_its_domain_only()
    {
        StandardLibrary.Find("contractor-and-service@0.1").Should().BeSameAs(Lib);
        StandardLibrary.Find("contractor-and-service@0.2").Should().BeNull();
        StandardLibrary.Find(null).Should().BeNull();
        StandardLibrary.ForDomain("contractor-and-service").Should().BeSameAs(Lib);
        StandardLibrary.ForDomain("healthcare").Should().BeNull();
    }

    [Fact]
    public void Tier_defaults_hold_the_file_values()
    {
        var minimal = Lib.Tier(Tier.Minimal).Defaults;
        minimal.NegotiationTimeout.Should().Be("P3D");
        minimal.Revocation.Should().BeEquivalentTo(new RevocationTerms(RevocationMode.Unilateral, "PT0S", "P2D", true, [], ["dispute-resolution"]));
        minimal.For("property-access-details")!.Retain.Should().Be(new RetainRule(RetainMode.UntilMarker, Marker: "work-complete"));
        Lib.Tier(Tier.Standard).Defaults.For("warranty-information")!.Disposition.Expiration.Should().Be(new DispositionRule(DispositionAction.Retain, "P2Y"));
        Lib.Tier(Tier.Advanced).Defaults.NegotiationTimeout.Should().Be("P30D");
    }

    [Fact]
    public void Every_id_the_draft_rule_uses_exists_in_the_library()
    {
        Lib.DraftRule.Should().Contain(Lib.Id);
        foreach (var tier in Lib.Tiers)
        {
            // The draft gives each side every category with the tier's defaults: all six, in library order.
            tier.Defaults.Categories.Select(e => e.Category).Should().Equal(LibraryCategories, $"tier {tier.Id} covers the library's categories");
            foreach (var entry in tier.Defaults.Categories)
            {
                foreach (var op in entry.Derive)
                {
                    Lib.Operation(op).Should().NotBeNull($"{op} is a library operation");
                    Lib.Operation(op)!.OperatesOn.Should().Contain(entry.Category);
                }
                entry.Propagate.Where(e => !Lib.IsRecipient(e.To)).Should().BeEmpty();
                entry.Disposition.Revocation.Should().NotBeNull();
                entry.Disposition.Expiration.Should().NotBeNull();
                entry.Disposition.Supersession.Should().NotBeNull();
            }
        }
    }

    [Fact]
    public void Stdlib_answer_lists_every_entry_in_the_protocol_shape()
    {
        var entries = StandardLibrary.Entries().Wire()["entries"]!.AsArray().Select(e => e!.AsObject()).ToList();
        entries.Select(e => e["kind"]!.GetValue<string>()).Should().Equal(
            Enumerable.Repeat("category", 6).Concat(Enumerable.Repeat("operation", 4)).Concat(Enumerable.Repeat("recipient", 3)).Concat(Enumerable.Repeat("tier", 3)));
        entries.Should().OnlyContain(e => e["domain"]!.GetValue<string>() == "contractor-and-service" && e["version"]!.GetValue<string>() == "0.1"
            && e["definition"]!.GetValue<string>().Length > 0);

        var category = entries[0];
        category.Select(m => m.Key).Should().Equal("id", "kind", "domain", "version", "definition");
        category["id"]!.GetValue<string>().Should().Be("work-scope");

        var operation = entries.Single(e => e["id"]!.GetValue<string>() == "work-history-summary");
        Jcs.CanonicalString(operation["operatesOn"]).Should().Be("""["work-scope","work-record"]""");
        operation["typicalParty"]!.GetValue<string>().Should().Be("either");

        var file = EmbeddedFile();
        foreach (var (tier, i) in entries.Skip(13).Select((t, i) => (t, i)))
        {
            tier.Select(m => m.Key).Should().Equal("id", "kind", "domain", "version", "definition", "defaults");
            tier["id"]!.GetValue<string>().Should().Be(file["tiers"]![i]!["id"]!.GetValue<string>());
            Jcs.CanonicalString(tier["defaults"]).Should().Be(Jcs.CanonicalString(file["tiers"]![i]!["defaults"]));
        }
    }

    [Fact]
    public void Stdlib_answer_is_a_fresh_copy_each_time()
    {
        var first = StandardLibrary.Entries();
        first.Entries[13].Defaults!["negotiationTimeout"] = "P1D";
        StandardLibrary.Entries().Entries[13].Defaults!["negotiationTimeout"]!.GetValue<string>().Should().Be("P3D");
    }
}
