using System.Text.Json.Nodes;
using Pact.Cli.Tests.Infrastructure;
using Pact.Core.Policies;

namespace Pact.Cli.Tests;

[Collection(DaemonCollection.Name)]
public sealed class PolicyCommandTests(CliFixture fixture) : IDisposable
{
    private readonly CliRunner _cli = new(fixture.Host.BaseAddress);

    public void Dispose() => _cli.Dispose();

    private string WritePolicy(string noticeLimit = "P30D")
    {
        var policy = new JsonObject
        {
            ["format"] = "pact-policy/1",
            ["name"] = "intake",
            ["rules"] = new JsonArray(
                new JsonObject { ["id"] = "no-advanced", ["when"] = "terms.tier == 'advanced'", ["effect"] = "decline", ["reason"] = "Needs a human." },
                new JsonObject
                {
                    ["id"] = "long-notice", ["when"] = $"isoSeconds(terms.revocation.noticePeriod) > isoSeconds('{noticeLimit}')", ["effect"] = "counter",
                    ["set"] = new JsonArray(new JsonObject { ["pointer"] = "/revocation/noticePeriod", ["value"] = noticeLimit }),
                },
                new JsonObject { ["id"] = "standard", ["when"] = "terms.tier == 'standard'", ["effect"] = "sign" }),
            ["default"] = "escalate",
        };
        var path = Path.Combine(_cli.Home, $"policy-{noticeLimit}.json");
        File.WriteAllText(path, policy.ToJsonString());
        return path;
    }

    [Fact]
    public async Task Publish_show_and_eval_on_a_terms_file_and_a_proposal()
    {
        var s = await _cli.NegotiationAsync();
        var path = WritePolicy();
        var hash = PolicyDocument.HashOf(JsonNode.Parse(File.ReadAllText(path))!);

        var published = await _cli.OkAsync("policy", "publish", path, "--key", "bob", "--json");
        ((string)published.Json["policyHash"]!).Should().Be(hash);
        ((long)published.Json["rules"]!).Should().Be(3);
        (await _cli.OkAsync("policy", "publish", path, "--key", "bob")).Stdout.Should().Contain("already published");

        var shown = await _cli.OkAsync("policy", "show", hash, "--key", "alice");
        shown.Stdout.Should().Contain("long-notice").And.Contain("counter").And.Contain("escalate");

        var table = await _cli.OkAsync("policy", "eval", path, "--terms", s.TermsPath, "--me", "b", "--key", "bob");
        table.Stdout.Should().MatchRegex(@"effect:\s+sign").And.Contain("standard").And.Contain("no-advanced");

        var proposalId = (string)(await _cli.OkAsync("propose", s.SessionId, "--key", "alice", "--terms", s.TermsPath, "--principal-key", "alice-principal", "--json")).Json["proposalId"]!;
        var json = (await _cli.OkAsync("policy", "eval", hash, "--proposal", proposalId, "--key", "bob", "--json")).Json;
        ((string)json["decision"]!["effect"]!).Should().Be("sign");
        ((string)json["input"]!["proposal"]!["proposalId"]!).Should().Be(proposalId);
        json["decision"]!["trace"]!.AsArray().Select(t => (string)t!["result"]!).Should().Equal("false", "false", "true");
    }

    [Fact]
    public async Task A_bad_policy_is_refused_with_its_pointer_and_eval_needs_a_role_for_terms()
    {
        await _cli.RegisteredAgentAsync("carol");
        var path = Path.Combine(_cli.Home, "bad.json");
        File.WriteAllText(path, """{"format":"pact-policy/1","name":"bad","rules":[{"id":"x","when":"double(1) > 0","effect":"sign"}],"default":"escalate"}""");

        var refused = await _cli.RunAsync("policy", "publish", path, "--key", "carol");
        refused.ExitCode.Should().NotBe(0);
        (refused.Stdout + refused.Stderr).Should().Contain("PACT-120").And.Contain("/payload/policy/rules/0/when");

        var usage = await _cli.RunAsync("policy", "eval", path, "--terms", path, "--key", "carol");
        usage.ExitCode.Should().NotBe(0);
        (usage.Stdout + usage.Stderr).Should().Contain("--me");
    }
}
