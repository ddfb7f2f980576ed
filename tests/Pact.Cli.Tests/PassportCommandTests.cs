using Pact.Cli.Tests.Infrastructure;

namespace Pact.Cli.Tests;

[Collection(DaemonCollection.Name)]
public sealed class PassportCommandTests(CliFixture fixture) : IDisposable
{
    private readonly CliRunner _cli = new(fixture.Host.BaseAddress);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task The_passport_of_an_agent_with_one_compact_in_force_reads_as_a_person_would_want()
    {
        var s = await _cli.InForceAsync();

        var json = (await _cli.OkAsync("passport", "bob", "--key", "alice", "--json")).Json;
        var plain = (await _cli.OkAsync("passport", s.Bob, "--key", "alice", "--as-of-seq", json["asOfSeq"]!.ToJsonString())).Stdout;

        ((string)json["agent"]!).Should().Be(s.Bob);
        json["counts"]!.ToJsonString().Should().Be("""{"compacts":1,"honored":0,"active":1,"revokedByAgent":0,"revokedByCounterparty":0,"failures":0,"declined":0}""");
        json["score"]!.ToJsonString().Should().Be("60", "(0 + 1 + 2) / (0 + 1 + 0 + 4)");
        json["confidence"]!.ToJsonString().Should().Be("0.05");
        plain.Should().StartWith($"Passport of {s.Bob}\n")
            .And.MatchRegex(@"score:\s+60 of 100\n")
            .And.MatchRegex(@"confidence:\s+0\.05 of 1 — 1 of the 20 compacts and failures that give full confidence\n")
            .And.MatchRegex(@"compacts:\s+1 entered: 0 honored, 1 active, 0 revoked by this agent, 0 by a counterparty\n")
            .And.MatchRegex(@"failures:\s+0 acknowledgment timeouts it owed")
            .And.MatchRegex(@"declined:\s+0 proposals \(not held against it\)")
            .And.Contain((string)json["passportHash"]!)
            .And.MatchRegex(@"Recent failures \(the 30 days up to \d{4}-\d\d-\d\d\)\n  \(none\)");
    }

    [Fact]
    public async Task An_earlier_seq_or_instant_shows_the_history_as_it_was()
    {
        var s = await _cli.InForceAsync();
        var now = (await _cli.OkAsync("passport", "alice", "--key", "alice", "--json")).Json;
        var head = (long)now["asOfSeq"]!;

        var before = (await _cli.OkAsync("passport", "alice", "--key", "alice", "--as-of-seq", (head - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "--json")).Json;
        var longAgo = (await _cli.OkAsync("passport", s.Alice, "--key", "alice", "--as-of", "2000-01-01", "--json")).Json;

        ((long)now["counts"]!["compacts"]!).Should().Be(1);
        ((long)before["counts"]!["compacts"]!).Should().Be(0, "the compact came into force at the last event");
        ((long)longAgo["asOfSeq"]!).Should().Be(0);
        ((string)longAgo["asOf"]!).Should().Be("2000-01-01T00:00:00.000Z");
        longAgo["score"]!.ToJsonString().Should().Be("50");
    }

    [Fact]
    public async Task A_check_names_the_reason_and_the_deciding_figure_and_exits_0_either_way()
    {
        var s = await _cli.InForceAsync();

        var refused = await _cli.OkAsync("passport", "bob", "--key", "alice", "--check", "--min-score", "60", "--min-confidence", "50");
        var json = (await _cli.OkAsync("passport", "bob", "--key", "alice", "--check", "--min-score", "60", "--min-confidence", "50", "--json")).Json;
        var none = (await _cli.OkAsync("passport", "bob", "--key", "alice", "--check", "--json")).Json;

        refused.Stdout.Should().StartWith("DOES NOT PASS (INSUFFICIENT_HISTORY): needs score 60 and confidence 0.5\n")
            .And.Contain($"  {s.Bob} has entered 1 compact as of seq ")
            .And.Contain($"Passport of {s.Bob}");
        var check = json["check"]!;
        ((bool)check["pass"]!).Should().BeFalse();
        ((string)check["reason"]!).Should().Be("INSUFFICIENT_HISTORY");
        ((long)check["minScoreRequired"]!).Should().Be(6000);
        ((long)check["minConfidenceRequired"]!).Should().Be(50);
        ((string)check["passportHash"]!).Should().Be((string)json["passport"]!["passportHash"]!, "the check judges the passport shown");
        ((bool)none["check"]!["pass"]!).Should().BeTrue("both thresholds 0 always pass");
    }

    [Theory]
    [InlineData("--as-of", "2026-01-01", "--as-of-seq", "3")]
    [InlineData("--min-score", "60")]
    [InlineData("--check", "--min-score", "60.123")]
    [InlineData("--check", "--min-score", "-1")]
    [InlineData("--check", "--min-confidence", "-1")]
    [InlineData("--check", "--as-of", "2026-01-01")]
    [InlineData("--as-of-seq", "0")]
    [InlineData("--as-of", "yesterday")]
    public async Task Conflicting_or_malformed_options_are_usage_errors(params string[] options)
    {
        await _cli.RegisteredAgentAsync("alice");

        var result = await _cli.RunAsync(["passport", "alice", "--key", "alice", .. options]);

        result.ExitCode.Should().Be(ExitCodes.Usage, result.ToString());
    }

    [Fact]
    public async Task An_unknown_agent_or_a_seq_beyond_the_log_is_refused_by_the_daemon()
    {
        await _cli.RegisteredAgentAsync("alice");

        var unknown = await _cli.RunAsync("passport", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "--key", "alice");
        var beyond = await _cli.RunAsync("passport", "alice", "--key", "alice", "--as-of-seq", "999999999");

        unknown.ExitCode.Should().Be(ExitCodes.Refused, unknown.ToString());
        unknown.Stderr.Should().StartWith("PACT-404 ");
        beyond.ExitCode.Should().Be(ExitCodes.Refused, beyond.ToString());
        beyond.Stderr.Should().StartWith("PACT-101 ").And.Contain("/asOfSeq");
    }
}
