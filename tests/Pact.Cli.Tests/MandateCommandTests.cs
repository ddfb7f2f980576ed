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
}
