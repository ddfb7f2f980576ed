using Pact.Cli.Tests.Infrastructure;

namespace Pact.Cli.Tests;

[Collection(DaemonCollection.Name)]
public sealed class LifecycleCommandTests(CliFixture fixture) : IDisposable
{
    private readonly CliRunner _cli = new(fixture.Host.BaseAddress);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Check_answers_allowed_for_a_category_in_the_slice_and_the_failing_step_otherwise()
    {
        var s = await _cli.InForceAsync();

        var allowed = (await _cli.OkAsync("check", s.CompactId, "--key", "bob", "--party", "b", "--action", "retain", "--category", "work-record", "--json")).Json;
        var denied = (await _cli.OkAsync("check", s.CompactId, "--key", "bob", "--party", "b", "--action", "derive", "--category", "work-record", "--operation", "no-such-operation", "--json")).Json;
        var plain = await _cli.OkAsync("check", s.CompactId, "--key", "alice", "--party", "b", "--action", "derive", "--category", "work-record", "--operation", "no-such-operation");

        ((bool)allowed["allowed"]!).Should().BeTrue();
        ((bool)denied["allowed"]!).Should().BeFalse();
        ((string)denied["code"]!).Should().Be("OPERATION_NOT_ALLOWED");
        ((string)denied["dimension"]!).Should().Be("derivation");
        plain.Stdout.Should().StartWith("OPERATION_NOT_ALLOWED").And.MatchRegex(@"derivation\s+fail");
    }

    [Fact]
    public async Task A_marker_takes_effect_when_the_other_party_acknowledges_it_with_the_printed_hash()
    {
        var s = await _cli.InForceAsync();

        var recorded = (await _cli.OkAsync("mark", s.CompactId, "work-complete", "--key", "alice", "--json")).Json;
        var markerId = (string)recorded["markerId"]!;
        ((string)recorded["status"]!).Should().Be("recorded");

        var acked = (await _cli.OkAsync("ack", s.CompactId, markerId, "--hash", (string)recorded["initiationHash"]!, "--key", "bob", "--json")).Json;
        ((string)acked["status"]!).Should().Be("effective");
    }

    [Fact]
    public async Task A_revocation_is_acknowledged_by_the_other_party_and_a_second_one_is_refused()
    {
        var s = await _cli.InForceAsync();

        var revocation = (await _cli.OkAsync("revoke", s.CompactId, "--key", "alice", "--reason", "project cancelled", "--json")).Json;
        var revocationId = (string)revocation["revocationId"]!;
        ((string)revocation["status"]!).Should().Be("initiated");

        var again = await _cli.RunAsync("revoke", s.CompactId, "--key", "bob");
        again.ExitCode.Should().Be(ExitCodes.Refused, again.ToString());
        again.Stderr.Should().StartWith("PACT-304 ");

        var wrongHash = await _cli.RunAsync("ack", s.CompactId, revocationId, "--hash", new string('0', 64), "--key", "bob");
        wrongHash.ExitCode.Should().Be(ExitCodes.Refused);
        wrongHash.Stderr.Should().StartWith("PACT-110 ");

        var pending = (await _cli.OkAsync("agent", "pending", "--key", "bob", "--json")).Json["revocations"]!.AsArray();
        var hash = (string)pending.Single(r => (string)r!["revocationId"]! == revocationId)!["initiationHash"]!;
        var acked = (await _cli.OkAsync("ack", s.CompactId, revocationId, "--hash", hash, "--key", "bob", "--json")).Json;
        ((string)acked["status"]!).Should().Be("acknowledged");
    }

    [Fact]
    public async Task Dispositions_list_a_duty_per_category_for_both_parties()
    {
        var s = await _cli.InForceAsync();

        var report = (await _cli.OkAsync("dispositions", s.CompactId, "--key", "alice", "--json")).Json;
        var plain = await _cli.OkAsync("dispositions", s.CompactId, "--key", "bob");

        ((string)report["status"]!).Should().Be("in-force");
        ((string)report["governedBy"]!).Should().Be("retention");
        report["parties"]!["a"]!.AsArray().Select(d => (string)d!["category"]!).Should().Contain("work-record");
        report["parties"]!["b"]!.AsArray().Should().NotBeEmpty();
        plain.Stdout.Should().Contain("Party a").And.Contain("Party b").And.MatchRegex(@"work-scope\s+indefinite");
    }

    [Fact]
    public async Task Ack_refuses_an_id_that_is_neither_a_revocation_nor_a_marker()
    {
        var result = await _cli.RunAsync("ack", "cmp_whatever1", "prp_01J", "--hash", new string('a', 64));

        result.ExitCode.Should().Be(ExitCodes.Usage);
        result.Stderr.Should().Contain("neither a revocation id");
    }
}
