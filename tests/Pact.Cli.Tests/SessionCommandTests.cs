using System.Text.Json.Nodes;
using Pact.Cli.Tests.Infrastructure;

namespace Pact.Cli.Tests;

[Collection(DaemonCollection.Name)]
public sealed class SessionCommandTests(CliFixture fixture) : IDisposable
{
    private readonly CliRunner _cli = new(fixture.Host.BaseAddress);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task A_session_goes_through_create_show_list_suspend_resume_terminate()
    {
        var alice = await _cli.RegisteredAgentAsync("alice");
        var bob = await _cli.RegisteredAgentAsync("bob");

        var created = await _cli.OkAsync("session", "create", "--key", "alice", "--with", "bob", "--topic", "kitchen remodel",
            "--metadata", """{"ref":"SOW-17"}""", "--json");
        var id = (string)created.Json["sessionId"]!;
        id.Should().StartWith("ses_");

        var shown = (await _cli.OkAsync("session", "show", id, "--key", "bob", "--json")).Json;
        ((string)shown["status"]!).Should().Be("active");
        ((string)shown["topic"]!).Should().Be("kitchen remodel");
        ((string)shown["metadata"]!["ref"]!).Should().Be("SOW-17");
        shown["participants"]!.AsArray().Select(p => (string)p!).Should().Equal(alice, bob);
        ((long)shown["head"]!["streamSeq"]!).Should().Be(1);

        var listed = (await _cli.OkAsync("session", "list", "--key", "alice", "--json")).Json["sessions"]!.AsArray();
        listed.Select(s => (string)s!["sessionId"]!).Should().Contain(id);

        (await StatusAfter("suspend", id, "alice")).Should().Be("suspended");
        (await _cli.OkAsync("session", "list", "--key", "bob", "--status", "suspended", "--json")).Json["sessions"]!.AsArray()
            .Select(s => (string)s!["sessionId"]!).Should().Equal(id);
        (await StatusAfter("resume", id, "bob")).Should().Be("active");
        (await StatusAfter("terminate", id, "alice")).Should().Be("terminated");
        ((string)(await _cli.OkAsync("session", "show", id, "--key", "alice", "--json")).Json["status"]!).Should().Be("terminated");
    }

    [Fact]
    public async Task Session_show_prints_a_readable_summary_without_json()
    {
        await _cli.RegisteredAgentAsync("carol");
        var dave = await _cli.RegisteredAgentAsync("dave");
        var id = (string)(await _cli.OkAsync("session", "create", "--key", "carol", "--with", dave, "--json")).Json["sessionId"]!;

        var shown = await _cli.OkAsync("session", "show", id, "--key", "carol");

        shown.Stdout.Should().StartWith($"Session {id}");
        shown.Stdout.Should().MatchRegex(@"status:\s+active");
        shown.Stdout.Should().Contain(dave);
        shown.Stdout.Should().Contain("Proposals").And.Contain("(none)");
    }

    [Fact]
    public async Task A_transition_the_session_does_not_allow_is_refused_with_its_pact_code_and_exit_3()
    {
        await _cli.RegisteredAgentAsync("erin");
        await _cli.RegisteredAgentAsync("frank");
        var id = (string)(await _cli.OkAsync("session", "create", "--key", "erin", "--with", "frank", "--json")).Json["sessionId"]!;
        await _cli.OkAsync("session", "terminate", id, "--key", "erin");

        var result = await _cli.RunAsync("session", "resume", id, "--key", "frank");

        result.ExitCode.Should().Be(ExitCodes.Refused, result.ToString());
        result.Stderr.Should().MatchRegex(@"^PACT-\d{3} [^:]+: ");
        result.Stdout.Should().BeEmpty();
    }

    [Fact]
    public async Task Showing_a_session_that_does_not_exist_prints_pact_404_and_exits_3()
    {
        await _cli.RegisteredAgentAsync("gina");

        var result = await _cli.RunAsync("session", "show", "ses_01JAAAAAAAAAAAAAAAAAAAAAAA", "--key", "gina");

        result.ExitCode.Should().Be(ExitCodes.Refused);
        result.Stderr.Should().StartWith("PACT-404 ");
    }

    private async Task<string> StatusAfter(string action, string id, string key)
    {
        var result = await _cli.OkAsync("session", action, id, "--key", key, "--json");
        return (string)result.Json["status"]!;
    }
}
