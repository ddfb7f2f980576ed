using System.Text.Json.Nodes;
using Pact.Cli.Tests.Infrastructure;
using Pact.Core.Policies;

namespace Pact.Cli.Tests;

[Collection(DaemonCollection.Name)]
public sealed class MandateCommandTests(CliFixture fixture) : IDisposable
{
    private readonly CliRunner _cli = new(fixture.Host.BaseAddress);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Grant_list_show_and_revoke()
    {
        await _cli.NegotiationAsync();
        var policy = new JsonObject
        {
            ["format"] = "pact-policy/1",
            ["name"] = "cli-mandate",
            ["rules"] = new JsonArray(new JsonObject { ["id"] = "standard", ["when"] = "terms.tier == 'standard'", ["effect"] = "sign" }),
            ["default"] = "escalate",
        };
        var path = Path.Combine(_cli.Home, "mandate-policy.json");
        await File.WriteAllTextAsync(path, policy.ToJsonString());
        var hash = PolicyDocument.HashOf(policy);
        await _cli.OkAsync("policy", "publish", path, "--key", "bob");

        // A prefix no other test's compacts use: the fixture's daemon is shared.
        var granted = (await _cli.OkAsync("mandate", "grant", hash, "--compact-id-prefix", "cmp_mandate-cli-", "--acknowledge", "withdrawal,marker",
            "--expires-in", "P7D", "--key", "bob", "--json")).Json;
        var mandateId = (string)granted["mandateId"]!;
        ((string)granted["status"]!).Should().Be("active");
        granted["acknowledge"]!.AsArray().Select(k => (string)k!).Should().Equal("withdrawal", "marker");

        (await _cli.OkAsync("mandate", "list", "--key", "bob")).Stdout.Should().Contain(mandateId).And.Contain("active");
        (await _cli.OkAsync("mandate", "show", mandateId, "--key", "bob")).Stdout.Should().Contain("cmp_mandate-cli-").And.Contain("withdrawal, marker");

        var revoked = (await _cli.OkAsync("mandate", "revoke", mandateId, "--key", "bob", "--json")).Json;
        ((string)revoked["status"]!).Should().Be("revoked");
        (await _cli.OkAsync("mandate", "show", mandateId, "--key", "bob")).Stdout.Should().MatchRegex(@"status:\s+revoked");
    }

    [Fact]
    public async Task Pending_shows_an_escalated_decision_as_effect_rule_and_reason_and_json_keeps_it_whole()
    {
        var s = await _cli.NegotiationAsync();
        var policy = new JsonObject
        {
            ["format"] = "pact-policy/1",
            ["name"] = "cli-review",
            ["rules"] = new JsonArray(new JsonObject { ["id"] = "needs-review", ["when"] = "true", ["effect"] = "escalate", ["reason"] = "A human reads every kitchen." }),
            ["default"] = "decline",
        };
        var path = Path.Combine(_cli.Home, "review-policy.json");
        await File.WriteAllTextAsync(path, policy.ToJsonString());
        await _cli.OkAsync("policy", "publish", path, "--key", "bob");
        // Scoped to this compact only: the fixture's daemon is shared.
        await _cli.OkAsync("mandate", "grant", PolicyDocument.HashOf(policy), "--compact-id-prefix", s.CompactId, "--expires-in", "P7D", "--key", "bob");
        var proposalId = (string)(await _cli.OkAsync("propose", s.SessionId, "--key", "alice", "--terms", s.TermsPath, "--principal-key", "alice-principal", "--json"))
            .Json["proposalId"]!;

        var table = (await _cli.OkAsync("agent", "pending", "--key", "bob")).Stdout;
        var header = table.Split('\n').Single(l => l.TrimStart().StartsWith("KIND", StringComparison.Ordinal));
        header.Should().MatchRegex(@"EFFECT\s+RULE\s+REASON$");
        var row = table.Split('\n').Single(l => l.Contains(proposalId, StringComparison.Ordinal) && l.TrimStart().StartsWith("proposal", StringComparison.Ordinal));
        row.Should().MatchRegex(@"escalate\s+needs-review\s+A human reads every kitchen\.$");
        table.Should().NotContain("\"trace\"", "the decision is read as columns, not printed as JSON");

        var item = (await _cli.OkAsync("agent", "pending", "--key", "bob", "--json")).Json["items"]!.AsArray()
            .Single(i => (string)i!["id"]! == proposalId)!;
        ((string)item["decision"]!["ruleId"]!).Should().Be("needs-review");
        item["decision"]!["trace"]!.AsArray().Should().ContainSingle();
    }
}
