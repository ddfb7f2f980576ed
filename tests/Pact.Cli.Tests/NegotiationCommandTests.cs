using System.Text.Json.Nodes;
using Pact.Cli.Tests.Infrastructure;
using Pact.Client;
using Pact.Core.Json;

namespace Pact.Cli.Tests;

[Collection(DaemonCollection.Name)]
public sealed class NegotiationCommandTests(CliFixture fixture) : IDisposable
{
    private const string PolicyHash = CliRunner.PolicyHash;

    private readonly CliRunner _cli = new(fixture.Host.BaseAddress);

    public void Dispose() => _cli.Dispose();

    private Task<NegotiationSetup> SetUpAsync() => _cli.NegotiationAsync();

    [Fact]
    public async Task Draft_propose_sign_with_two_key_files_puts_the_compact_in_force()
    {
        var s = await SetUpAsync();
        var terms = (JsonObject)StrictJson.Parse(await File.ReadAllTextAsync(s.TermsPath))!;
        ((string)terms["parties"]!["a"]!["agent"]!).Should().Be(s.Alice);
        ((string)terms["parties"]!["b"]!["principal"]!["kind"]!).Should().Be("human");
        ((string)terms["scope"]!["effective"]!["from"]!).Should().Be(s.From);

        var proposed = await _cli.OkAsync("propose", s.SessionId, "--key", "alice", "--terms", s.TermsPath, "--principal-key", "alice-principal", "--json");
        var proposalId = (string)proposed.Json["proposalId"]!;
        ((string)proposed.Json["termsHash"]!).Should().Be(CompactSigning.TermsHash(terms));
        ((string)proposed.Json["status"]!).Should().Be("open");

        var pending = (await _cli.OkAsync("agent", "pending", "--key", "bob", "--json")).Json["proposals"]!.AsArray();
        pending.Select(p => (string)p!["proposalId"]!).Should().Contain(proposalId);

        var signed = await _cli.OkAsync("sign", proposalId, "--key", "bob", "--policy-hash", PolicyHash, "--json");
        var compactHash = (string)signed.Json["compactHash"]!;
        signed.Json["signatures"]!.AsArray().Select(x => (string)x!["party"]!).Should().Equal("a", "b");

        var compact = (await _cli.OkAsync("compact", "show", s.CompactId, "--key", "alice", "--json")).Json;
        ((string)compact["status"]!).Should().Be("in-force");
        ((long)compact["currentVersion"]!).Should().Be(1);
        ((string)compact["versions"]![0]!["compactHash"]!).Should().Be(compactHash);

        var record = (await _cli.OkAsync("compact", "show", s.CompactId, "--version", "1", "--key", "bob", "--json")).Json;
        ((string)record["compactHash"]!).Should().Be(compactHash);
        ((string)record["signatures"]![1]!["principalAuthorization"]!["policyHash"]!).Should().Be(PolicyHash);

        var human = await _cli.OkAsync("compact", "show", s.CompactId, "--key", "bob");
        human.Stdout.Should().MatchRegex(@"status:\s+in-force");
    }

    [Fact]
    public async Task Terms_can_be_piped_from_draft_into_propose_through_stdin()
    {
        var s = await SetUpAsync();
        var terms = await File.ReadAllTextAsync(s.TermsPath);

        var proposed = await _cli.RunRawAsync(
            ["propose", s.SessionId, "--key", "alice", "--terms", "-", "--policy-hash", PolicyHash, "--json", "--url", fixture.Host.BaseAddress.AbsoluteUri],
            stdin: terms);

        proposed.ExitCode.Should().Be(0, proposed.ToString());
        ((string)proposed.Json["proposalId"]!).Should().StartWith("prp_");
    }

    [Fact]
    public async Task Decline_and_show_report_the_declined_proposal()
    {
        var s = await SetUpAsync();
        var proposalId = (string)(await _cli.OkAsync("propose", s.SessionId, "--key", "alice", "--terms", s.TermsPath, "--principal-key", "alice-principal", "--json")).Json["proposalId"]!;

        var declined = await _cli.OkAsync("decline", proposalId, "--key", "bob", "--reason", "too long", "--json");
        var shown = await _cli.OkAsync("proposal", "show", proposalId, "--key", "alice");

        ((string)declined.Json["status"]!).Should().Be("declined");
        shown.Stdout.Should().MatchRegex(@"status:\s+declined");
    }

    [Fact]
    public async Task Withdraw_then_ack_withdrawal_with_the_printed_hash_withdraws_the_proposal()
    {
        var s = await SetUpAsync();
        var proposalId = (string)(await _cli.OkAsync("propose", s.SessionId, "--key", "alice", "--terms", s.TermsPath, "--principal-key", "alice-principal", "--json")).Json["proposalId"]!;

        var withdrawal = await _cli.OkAsync("withdraw", proposalId, "--key", "alice", "--json");
        var hash = (string)withdrawal.Json["withdrawalHash"]!;
        ((string)withdrawal.Json["proposal"]!["status"]!).Should().Be("withdrawal-pending");

        var acked = await _cli.OkAsync("ack-withdrawal", proposalId, "--key", "bob", "--hash", hash, "--json");
        ((string)acked.Json["status"]!).Should().Be("withdrawn");
    }

    [Fact]
    public async Task Terms_with_an_unknown_member_are_refused_with_the_code_and_the_field_pointer()
    {
        var s = await SetUpAsync();
        var terms = (JsonObject)StrictJson.Parse(await File.ReadAllTextAsync(s.TermsPath))!;
        terms["surprise"] = true;
        await File.WriteAllTextAsync(s.TermsPath, terms.ToJsonString());

        var result = await _cli.RunAsync("propose", s.SessionId, "--key", "alice", "--terms", s.TermsPath, "--principal-key", "alice-principal");

        result.ExitCode.Should().Be(ExitCodes.Refused, result.ToString());
        result.Stderr.Should().StartWith("PACT-101 ");
        result.Stderr.Should().Contain("/terms/surprise");
    }

    [Fact]
    public async Task Signing_with_the_wrong_principal_key_is_refused_with_pact_109()
    {
        var s = await SetUpAsync();
        var proposalId = (string)(await _cli.OkAsync("propose", s.SessionId, "--key", "alice", "--terms", s.TermsPath, "--principal-key", "alice-principal", "--json")).Json["proposalId"]!;

        // alice's principal is not bob's: the daemon must refuse the authorization.
        var result = await _cli.RunAsync("sign", proposalId, "--key", "bob", "--principal-key", "alice-principal");

        result.ExitCode.Should().Be(ExitCodes.Refused, result.ToString());
        result.Stderr.Should().StartWith("PACT-109 ");
    }

    [Fact]
    public async Task Proposing_needs_exactly_one_way_of_principal_authorization()
    {
        var s = await SetUpAsync();

        var none = await _cli.RunAsync("propose", s.SessionId, "--key", "alice", "--terms", s.TermsPath);
        var both = await _cli.RunAsync("propose", s.SessionId, "--key", "alice", "--terms", s.TermsPath, "--principal-key", "alice-principal", "--policy-hash", PolicyHash);
        var badHash = await _cli.RunAsync("sign", "prp_x", "--key", "bob", "--policy-hash", "ABC");

        none.ExitCode.Should().Be(ExitCodes.Usage);
        both.ExitCode.Should().Be(ExitCodes.Usage);
        badHash.ExitCode.Should().Be(ExitCodes.Usage);
        none.Stderr.Should().Contain("exactly one of --principal-key, --policy-hash or --policy-file");
        badHash.Stderr.Should().Contain("not a SHA-256 digest");
    }
}
