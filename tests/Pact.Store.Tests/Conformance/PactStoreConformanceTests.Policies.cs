using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Json;
using Pact.Core.Policies;

namespace Pact.Store.Tests.Conformance;

public abstract partial class PactStoreConformanceTests
{
    private static PolicyRecord Policy(string name)
    {
        var document = new JsonObject
        {
            ["format"] = "pact-policy/1",
            ["name"] = name,
            ["rules"] = new JsonArray(new JsonObject { ["id"] = "standard", ["when"] = "terms.tier == 'standard'", ["effect"] = "sign" }),
            ["default"] = "escalate",
        };
        return new PolicyRecord(PolicyDocument.HashOf(document), name, document, 1, A, "2026-11-21T22:33:31.123Z");
    }

    [SkippableFact]
    public async Task A_policy_is_published_once_by_its_hash_read_back_unchanged_and_kept_across_a_reopen()
    {
        var policy = Policy("intake");

        (await Store.WriteAsync(tx => tx.InsertPolicy(policy))).Should().BeTrue("the first publication stores it");
        (await Store.WriteAsync(tx => tx.InsertPolicy(policy with { PublishedBy = B }))).Should().BeFalse("a policy is never replaced: its hash is its content");
        (await Store.WriteAsync(tx => tx.FindPolicy(policy.PolicyHash)))!.PublishedBy.Should().Be(A);

        await ReopenAsync();
        var read = await Store.Policies.GetAsync(policy.PolicyHash, CancellationToken.None);
        read.Should().NotBeNull();
        Jcs.CanonicalString(read!.Document).Should().Be(Jcs.CanonicalString(policy.Document), "stored in canonical form, the form its hash covers");
        (read.Name, read.EffectiveRules, read.PublishedBy).Should().Be(("intake", 1, A));
        (await Store.Policies.GetAsync(Policy("other").PolicyHash, CancellationToken.None)).Should().BeNull();
        (await Store.AuditAsync()).IsClean.Should().BeTrue("publishing records no event and leaves nothing for the audit to find");
    }
}
