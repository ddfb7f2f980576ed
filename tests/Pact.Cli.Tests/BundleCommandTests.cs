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
    public async Task A_best_bundle_needs_well_formed_ranking_keys()
    {
        var s = await _cli.NegotiationAsync();
        var bad = await _cli.RunAsync("bundle", "create", s.SessionId, "--key", "alice", "--terms", s.TermsPath, "--terms", s.TermsPath,
            "--closes-at", "2030-01-01T00:00:00.000Z", "--best", "1", "--rank", "float:up:terms.n", "--principal-key", "alice-principal");
        bad.ExitCode.Should().NotBe(0);
        bad.Stderr.Should().Contain("TYPE:DIRECTION:CEL");
    }
}
