using Pact.Cli.Tests.Infrastructure;
using Pact.Core.Events;

namespace Pact.Cli.Tests;

[Collection(DaemonCollection.Name)]
public sealed class TranscriptCommandTests(CliFixture fixture) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly CliRunner _cli = new(fixture.Host.BaseAddress);

    public void Dispose() => _cli.Dispose();

    private async Task<string> SessionAsync()
    {
        await _cli.RegisteredAgentAsync("alice");
        await _cli.RegisteredAgentAsync("bob");
        return (string)(await _cli.OkAsync("session", "create", "--key", "alice", "--with", "bob", "--topic", "t", "--json")).Json["sessionId"]!;
    }

    [Fact]
    public async Task Events_prints_every_event_as_json_lines_whose_hashes_chain()
    {
        var id = await SessionAsync();
        await _cli.OkAsync("session", "suspend", id, "--key", "alice");
        await _cli.OkAsync("session", "resume", id, "--key", "bob");

        var events = (await _cli.OkAsync("events", id, "--key", "alice", "--page-size", "1", "--json")).JsonLines
            .Select(TranscriptEvent.FromJson).ToList();

        events.Select(e => e.Type).Should().Equal("session.created", "session.suspended", "session.resumed");
        events.Select(e => e.StreamSeq).Should().Equal(1, 2, 3);
        events[0].PrevHash.Should().Be(EventChain.GenesisHash);
        events[1].PrevHash.Should().Be(events[0].Hash);
        events.Should().OnlyContain(e => e.RecomputeHash() == e.Hash);
    }

    [Fact]
    public async Task Events_without_json_prints_one_readable_row_per_event()
    {
        var id = await SessionAsync();

        var rows = (await _cli.OkAsync("events", id, "--key", "alice")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        rows.Should().ContainSingle();
        rows[0].Should().MatchRegex(@"^\s+1 #\d+  \d{4}-\d\d-\d\dT[\d:.]+Z  session\.created\s+z6Mk\S+…\S{4}\s+participants=.* topic=t");
    }

    [Fact]
    public async Task Checkpoint_then_state_at_an_earlier_event_replays_from_the_start()
    {
        var id = await SessionAsync();
        await _cli.OkAsync("session", "suspend", id, "--key", "alice");

        var checkpoint = (await _cli.OkAsync("checkpoint", id, "--key", "bob", "--label", "after suspend", "--json")).Json;
        var now = (await _cli.OkAsync("state", id, "--key", "alice", "--json")).Json;
        var first = (await _cli.OkAsync("state", id, "--key", "alice", "--at", "1", "--json")).Json;

        ((string)checkpoint["checkpointId"]!).Should().StartWith("chk_");
        ((long)checkpoint["streamSeq"]!).Should().Be(3);
        ((string)now["stateHash"]!).Should().Be((string)checkpoint["stateHash"]!);
        ((string)now["state"]!["status"]!).Should().Be("suspended");
        ((string)first["state"]!["status"]!).Should().Be("active");
        ((long)first["replay"]!["eventsApplied"]!).Should().Be(1);
        first["replay"]!["fromCheckpoint"].Should().BeNull();
    }

    [Fact]
    public async Task Verify_online_and_an_exported_bundle_offline_pass_and_a_tampered_bundle_fails_with_exit_5()
    {
        var id = await SessionAsync();
        await _cli.OkAsync("session", "suspend", id, "--key", "alice");

        var online = (await _cli.OkAsync("verify", id, "--key", "alice", "--json")).Json;
        ((bool)online["ok"]!).Should().BeTrue();
        ((long)online["eventsChecked"]!).Should().Be(2);

        var file = Path.Combine(Path.GetTempPath(), $"pact-export-{Guid.NewGuid():N}.json");
        try
        {
            await _cli.OkAsync("export", id, "--key", "alice", "-o", file);
            var bundle = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(file))!;
            var key = (string)bundle["daemon"]!["publicKey"]!;
            var offline = (await _cli.OkAsync("verify", "--bundle", file, "--daemon-key", key, "--json")).Json;
            ((bool)offline["ok"]!).Should().BeTrue();

            bundle["events"]![1]!["type"] = "session.resumed";
            await File.WriteAllTextAsync(file, bundle.ToJsonString());
            var tampered = await _cli.RunAsync("verify", "--bundle", file, "--daemon-key", key, "--json");
            tampered.ExitCode.Should().Be(5);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Tail_prints_stored_then_live_events_and_stops_with_exit_0_when_cancelled()
    {
        var id = await SessionAsync();
        using var stdout = new SignalingWriter();
        using var stop = new CancellationTokenSource();

        var tail = _cli.RunRawAsync(["tail", id, "--key", "bob", "--url", fixture.Host.BaseAddress.AbsoluteUri], stdout: stdout, cancellationToken: stop.Token);
        await stdout.WaitForAsync(t => t.Contains("session.created"), Patience);
        await _cli.OkAsync("checkpoint", id, "--key", "alice", "--label", "live");
        await stdout.WaitForAsync(t => t.Contains("session.checkpointed"), Patience);
        await stop.CancelAsync();
        var result = await tail.WaitAsync(Patience);

        result.ExitCode.Should().Be(0, result.ToString());
        var rows = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        rows.Should().HaveCount(2);
        rows[1].Should().MatchRegex(@"^\s+2 #\d+ .*session\.checkpointed .*checkpointId=chk_\w+ label=live");
        result.Stderr.Should().Contain($"Following {id}");
    }

    [Fact]
    public async Task Tail_all_with_types_shows_only_matching_new_events_as_json_lines()
    {
        var id = await SessionAsync();
        using var stdout = new SignalingWriter();
        using var stop = new CancellationTokenSource();

        var tail = _cli.RunRawAsync(["tail", "--all", "--types", "session.suspended,session.resumed", "--new", "--json", "--key", "alice",
            "--url", fixture.Host.BaseAddress.AbsoluteUri], stdout: stdout, cancellationToken: stop.Token);
        // The stream starts at the head once connected; an event per attempt until one is seen guards against racing that.
        for (var i = 0; i < 20 && !stdout.ToString().Contains("session.suspended"); i++)
        {
            await _cli.OkAsync("session", "suspend", id, "--key", "alice");
            await _cli.OkAsync("session", "resume", id, "--key", "alice");
            try
            {
                await stdout.WaitForAsync(t => t.Contains("session.resumed"), TimeSpan.FromSeconds(2));
            }
            catch (TimeoutException)
            {
                // Not connected yet: try again.
            }
        }
        await stdout.WaitForAsync(t => t.Contains("session.resumed"), Patience);
        await stop.CancelAsync();
        var result = await tail.WaitAsync(Patience);

        result.ExitCode.Should().Be(0, result.ToString());
        var events = new CliResult(0, stdout.ToString(), "").JsonLines;
        events.Should().NotBeEmpty();
        events.Select(e => (string)e["type"]!).Should().OnlyContain(t => t == "session.suspended" || t == "session.resumed");
        events.Select(e => (string)e["stream"]!).Should().OnlyContain(s => s == id);
    }

    [Fact]
    public async Task Tail_refuses_a_session_and_all_together()
    {
        var both = await _cli.RunAsync("tail", "ses_x", "--all");
        var neither = await _cli.RunAsync("tail");
        var typesWithoutAll = await _cli.RunAsync("tail", "ses_x", "--types", "session.*");

        both.ExitCode.Should().Be(ExitCodes.Usage);
        neither.ExitCode.Should().Be(ExitCodes.Usage);
        typesWithoutAll.ExitCode.Should().Be(ExitCodes.Usage);
    }
}
