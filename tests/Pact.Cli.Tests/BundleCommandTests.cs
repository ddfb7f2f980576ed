using System.Text.Json.Nodes;
using Pact.Cli.Tests.Infrastructure;
using Pact.Core.Json;

namespace Pact.Cli.Tests;

[Collection(DaemonCollection.Name)]
public sealed class BundleCommandTests(CliFixture fixture) : IDisposable
{
    private const string PolicyHash = CliRunner.PolicyHash;

    private readonly CliRunner _cli = new(fixture.Host.BaseAddress);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Create_sign_show_and_withdraw_a_bundle_with_the_members_as_a_table()
    {
        var s = await _cli.NegotiationAsync();
        var second = (JsonObject)StrictJson.Parse(await File.ReadAllTextAsync(s.TermsPath))!;
        second["compactId"] = s.CompactId + "-2";
        var secondPath = s.TermsPath + ".second.json";
        await File.WriteAllTextAsync(secondPath, second.ToJsonString());
        var closesAt = Pact.Core.Time.Timestamp.ToText(Pact.Core.Time.Timestamp.Truncate(DateTimeOffset.UtcNow.AddDays(1)));

        var created = (await _cli.OkAsync("bundle", "create", s.SessionId, "--key", "alice", "--terms", s.TermsPath, "--terms", secondPath,
            "--closes-at", closesAt, "--principal-key", "alice-principal", "--json")).Json;
        var bundleId = (string)created["bundleId"]!;
        ((string)created["status"]!).Should().Be("open");
        var first = (string)created["members"]![0]!["proposalId"]!;

        var prepared = (await _cli.OkAsync("sign", first, "--key", "bob", "--policy-hash", PolicyHash, "--json")).Json;
        ((string)prepared["status"]!).Should().Be("prepared");
        ((string)prepared["bundleId"]!).Should().Be(bundleId);

        var shown = await _cli.OkAsync("bundle", "show", bundleId, "--key", "bob");
        shown.Stdout.Should().Contain("Members").And.Contain(first).And.Contain("prepared").And.Contain(s.CompactId + "-2");

        var withdrawn = (await _cli.OkAsync("bundle", "withdraw", bundleId, "--key", "alice", "--json")).Json;
        ((string)withdrawn["status"]!).Should().Be("aborted");
        ((string)withdrawn["cause"]!["kind"]!).Should().Be("withdrawn");
        var again = await _cli.RunAsync("bundle", "withdraw", bundleId, "--key", "alice");
        again.ExitCode.Should().NotBe(0);
        again.Stderr.Should().Contain("PACT-307");
    }

    [Fact]
    public async Task Bundle_show_says_which_members_a_mandate_prepared_and_which_the_agent_did()
    {
        var s = await _cli.NegotiationAsync();
        var policy = new JsonObject
        {
            ["format"] = "pact-policy/1",
            ["name"] = "cli-hosted-member",
            ["rules"] = new JsonArray(new JsonObject { ["id"] = "standard", ["when"] = "terms.tier == 'standard'", ["effect"] = "sign" }),
            ["default"] = "escalate",
        };
        var policyPath = Path.Combine(_cli.Home, "hosted-policy.json");
        await File.WriteAllTextAsync(policyPath, policy.ToJsonString());
        await _cli.OkAsync("policy", "publish", policyPath, "--key", "bob");
        // Bob's mandate answers only the member whose compact id has the prefix; he signs the other himself.
        var mandateId = (string)(await _cli.OkAsync("mandate", "grant", Pact.Core.Policies.PolicyDocument.HashOf(policy), "--session", s.SessionId,
            "--compact-id-prefix", "cmp_hosted-", "--key", "bob", "--json")).Json["mandateId"]!;
        var terms = (JsonObject)StrictJson.Parse(await File.ReadAllTextAsync(s.TermsPath))!;
        terms["compactId"] = "cmp_hosted-" + Guid.NewGuid().ToString("N")[..12];
        var hostedPath = s.TermsPath + ".hosted.json";
        await File.WriteAllTextAsync(hostedPath, terms.ToJsonString());
        var closesAt = Pact.Core.Time.Timestamp.ToText(Pact.Core.Time.Timestamp.Truncate(DateTimeOffset.UtcNow.AddDays(1)));

        var created = (await _cli.OkAsync("bundle", "create", s.SessionId, "--key", "alice", "--terms", hostedPath, "--terms", s.TermsPath,
            "--closes-at", closesAt, "--principal-key", "alice-principal", "--json")).Json;
        var bundleId = (string)created["bundleId"]!;
        created["members"]!.AsArray().Select(m => (string)m!["status"]!).Should().Equal("prepared", "open");
        var hosted = (string)created["members"]![0]!["proposalId"]!;
        var own = (string)created["members"]![1]!["proposalId"]!;

        var shown = (await _cli.OkAsync("bundle", "show", bundleId, "--key", "bob")).Stdout;
        shown.Should().Contain("PREPAREDBY").And.MatchRegex($@"{hosted}.*prepared\s+mandate {mandateId}");
        var json = (await _cli.OkAsync("bundle", "show", bundleId, "--key", "bob", "--json")).Json;
        json.AsObject().Select(p => p.Key).Should().NotContain("preparedBy", "--json prints the resource as §15 writes it");

        await _cli.OkAsync("sign", own, "--key", "bob", "--policy-hash", PolicyHash);
        var committed = (await _cli.OkAsync("bundle", "show", bundleId, "--key", "alice")).Stdout;
        committed.Should().MatchRegex($@"{hosted}.*signed\s+mandate {mandateId}").And.MatchRegex($@"{own}.*signed\s+agent\s");
    }

    [Fact]
    public async Task A_best_bundle_needs_well_formed_ranking_keys()
    {
        var s = await _cli.NegotiationAsync();
        var bad = await _cli.RunAsync("bundle", "create", s.SessionId, "--key", "alice", "--terms", s.TermsPath, "--terms", s.TermsPath,
            "--closes-at", "2030-01-01T00:00:00.000Z", "--best", "1", "--rank", "float:up:terms.n", "--principal-key", "alice-principal");
        bad.ExitCode.Should().NotBe(0);
        bad.Stderr.Should().Contain("TYPE:DIRECTION:CEL");
    }
}
