using System.Text.Json.Nodes;
using Pact.Cli.Tests.Infrastructure;
using Pact.Core.Policies;

namespace Pact.Cli.Tests;

/// <summary>
/// `pact verify --bundle` on a session with a mandate's decision: the bundle verifies but some checks are left undone
/// (the passport's figures need the log from seq 1; a core-sections-only verifier skips Part II and the daemon's
/// mandate signatures), and the title says so.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class VerifyBundleCommandTests(CliFixture fixture) : IDisposable
{
    private readonly CliRunner _cli = new(fixture.Host.BaseAddress);

    public void Dispose() => _cli.Dispose();

    /// <summary>A session where bob's mandate signs alice's proposal; exported to a file. Returns the file and the daemon key.</summary>
    private async Task<(string File, string Key)> MandateSignedExportAsync()
    {
        var s = await _cli.NegotiationAsync();
        var policy = new JsonObject
        {
            ["format"] = "pact-policy/1",
            ["name"] = "cli-verify-signs",
            ["rules"] = new JsonArray(new JsonObject { ["id"] = "always", ["when"] = "true", ["effect"] = "sign" }),
            ["default"] = "decline",
        };
        var path = Path.Combine(_cli.Home, "signs-policy.json");
        await File.WriteAllTextAsync(path, policy.ToJsonString());
        await _cli.OkAsync("policy", "publish", path, "--key", "bob");
        // Scoped to this compact only: the fixture's daemon is shared.
        await _cli.OkAsync("mandate", "grant", PolicyDocument.HashOf(policy), "--compact-id-prefix", s.CompactId, "--expires-in", "P7D", "--key", "bob");
        // An event of another session before the proposal: the bundle cannot hold the log from seq 1 to the passport's asOfSeq.
        await _cli.OkAsync("session", "create", "--key", "alice", "--with", "bob");
        await _cli.OkAsync("propose", s.SessionId, "--key", "alice", "--terms", s.TermsPath, "--principal-key", "alice-principal");
        var file = Path.Combine(_cli.Home, "mandate.export.json");
        await _cli.OkAsync("export", s.SessionId, "--key", "alice", "-o", file);
        var key = (string)JsonNode.Parse(await File.ReadAllTextAsync(file))!["daemon"]!["publicKey"]!;
        return (file, key);
    }

    [Fact]
    public async Task A_bundle_verified_with_checks_left_undone_says_so_in_its_title()
    {
        var (file, key) = await MandateSignedExportAsync();

        var json = (await _cli.OkAsync("verify", "--bundle", file, "--daemon-key", key, "--json")).Json;
        ((bool)json["ok"]!).Should().BeTrue();
        json["notChecked"]!.AsArray().Should().Contain(u => (string)u!["check"]! == "passport",
            "the log is not in the bundle from seq 1, so the passport's figures are not recomputed");

        var text = await _cli.OkAsync("verify", "--bundle", file, "--daemon-key", key);
        text.Stdout.Should().StartWith("Bundle verified, with checks not carried out");
        text.Stdout.Should().Contain("notChecked");
    }

    [Fact]
    public async Task Core_sections_only_leaves_the_mandate_signature_unverifiable_and_part_two_unchecked()
    {
        var (file, key) = await MandateSignedExportAsync();

        var run = await _cli.OkAsync("verify", "--bundle", file, "--daemon-key", key, "--core-sections-only", "--json");
        var json = run.Json;
        ((bool)json["ok"]!).Should().BeTrue();
        json["unverifiable"]!.AsArray().Should().Contain(u => (string)u!["check"]! == "compact-signature", "the daemon's signature under the mandate has a signer");
        json["notChecked"]!.AsArray().Should().Contain(u => (string)u!["check"]! == "policy-decision");

        var text = await _cli.OkAsync("verify", "--bundle", file, "--daemon-key", key, "--core-sections-only");
        text.Stdout.Should().StartWith("Bundle verified, with checks not carried out");
        text.Stdout.Should().Contain("unverifiable");

        var refused = await _cli.RunAsync("verify", "--core-sections-only", "ses_x", "--key", "alice");
        refused.ExitCode.Should().NotBe(0, "--core-sections-only applies to --bundle only");
    }
}
