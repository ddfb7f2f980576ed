using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Pact.Cli.Tests.Infrastructure;
using Pact.Client;
using Pact.Core.Passport;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;

namespace Pact.Cli.Tests;

/// <summary>
/// The audit of §16: the passport the daemon serves from its tables, Pact Core's fold over the exported log and the
/// CLI's recomputation (`pact passport verify`) agree, at the head and at an old seq, before and after a restart.
/// A daemon of its own, on a clock the test moves, so that an acknowledgment timeout can be counted.
/// </summary>
public sealed class PassportAuditTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Start);
    private DaemonHost _host = null!;
    private CliRunner _cli = null!;

    public async Task InitializeAsync()
    {
        _host = await DaemonHost.StartAsync(_clock);
        _cli = new CliRunner(_host.BaseAddress);
        _cli.Variables["PACT_ADMIN_TOKEN"] = DaemonHost.AdminToken;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public void Dispose() => _cli?.Dispose();

    private IPactStore Store => _host.Services.GetRequiredService<IPactStore>();

    [Fact]
    public async Task The_served_passport_the_fold_of_the_exported_log_and_the_CLI_audit_agree_at_the_head_and_an_old_seq_and_after_a_restart()
    {
        var (b, old) = await SilentCounterpartyAsync();
        var head = Store.HeadSeq;
        var exported = Path.Combine(_cli.Home, "log.jsonl");
        await File.WriteAllLinesAsync(exported, (await Store.ReadAllAsync(0, 100_000)).Select(e => e.ToJson().ToJsonString()));

        var before = await AgreeAsync(b, [old, head], exported);
        await _host.RestartAsync();
        var after = await AgreeAsync(b, [old, head], exported);

        after.Should().Equal(before, "the same log gives the same passports after a restart");
        before[0].Should().NotBe(before[1], "the failure counts against B after the old seq");
    }

    [Fact]
    public async Task A_log_file_that_differs_from_the_daemons_names_the_first_figure_and_exits_5()
    {
        var (b, _) = await SilentCounterpartyAsync();
        var events = await Store.ReadAllAsync(0, 100_000);
        var doctored = Path.Combine(_cli.Home, "doctored.jsonl");
        // The failure now names another agent: the log no longer counts it against B.
        await File.WriteAllLinesAsync(doctored, events.Select(e =>
        {
            var json = e.ToJson();
            if (e.Type == "failure") json["data"]!["agent"] = "did:key:z6MkSomeoneElse";
            return json.ToJsonString();
        }));
        var truncated = Path.Combine(_cli.Home, "truncated.jsonl");
        await File.WriteAllLinesAsync(truncated, events.Take(3).Select(e => e.ToJson().ToJsonString()));

        var wrong = await _cli.RunAsync("passport", "verify", b, "--log", doctored);
        var shorter = await _cli.RunAsync("passport", "verify", b, "--log", truncated, "--json");

        wrong.ExitCode.Should().Be(ExitCodes.VerificationFailed, wrong.ToString());
        wrong.Stdout.Should().StartWith("Passport does NOT verify\n").And.MatchRegex(@"firstDifference:\s+counts\.failures: served 1, the log gives 0\.");
        shorter.ExitCode.Should().Be(ExitCodes.VerificationFailed, shorter.ToString());
        ((string)shorter.Json["firstDifference"]!).Should().StartWith("The log read ends at seq 3, before the passport's asOfSeq");
        shorter.Json["recomputedHash"].Should().BeNull();
    }

    /// <summary>Served, folded and audited hashes of B's passport at each seq; asserts that they agree and returns them.</summary>
    private async Task<List<string>> AgreeAsync(string agent, long[] seqs, string exportedLog)
    {
        using var http = _host.CreateHttpClient();
        var admin = new PactClient(http, key: null, new PactClientOptions { AdminToken = DaemonHost.AdminToken });
        var hashes = new List<string>();
        foreach (var seq in seqs)
        {
            var text = seq.ToString(CultureInfo.InvariantCulture);
            var served = await admin.GetPassportAsync(agent, seq);
            var folded = new PassportLedger().ApplyAll((await Store.ReadAllAsync(0, 100_000)).Where(e => e.Seq <= seq)).PassportOf(agent);
            var online = (await _cli.OkAsync("passport", "verify", agent, "--as-of-seq", text, "--json")).Json;
            var offline = (await _cli.OkAsync("passport", "verify", agent, "--as-of-seq", text, "--log", exportedLog, "--json")).Json;
            var sdk = await admin.AuditPassportAsync(agent, seq);

            folded.Hash.Should().Be(served.PassportHash, $"the daemon's tables and Core's fold agree at seq {seq}");
            ((bool)online["ok"]!).Should().BeTrue(online.ToJsonString());
            ((string)online["recomputedHash"]!).Should().Be(served.PassportHash);
            ((long)online["eventsFolded"]!).Should().Be(seq);
            ((string)offline["recomputedHash"]!).Should().Be(served.PassportHash);
            sdk.Ok.Should().BeTrue(sdk.FirstDifference);
            hashes.Add(served.PassportHash);
        }
        (await _cli.OkAsync("passport", "verify", agent)).Stdout.Should().StartWith("Passport verified\n");
        return hashes;
    }

    private async Task<(string B, long SeqBeforeFailure)> SilentCounterpartyAsync()
    {
        var scenario = await PassportScenario.SilentCounterpartyAsync(_host, _clock);
        return (scenario.B.Did, scenario.SeqBeforeFailure);
    }
}
