using Pact.Cli.Tests.Infrastructure;

namespace Pact.Cli.Tests;

[Collection(DaemonCollection.Name)]
public sealed class CompactListCommandTests(CliFixture fixture) : IDisposable
{
    private readonly CliRunner _cli = new(fixture.Host.BaseAddress);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Compact_list_shows_the_agents_compacts_at_their_current_version()
    {
        var s = await _cli.InForceAsync();

        var mine = (await _cli.OkAsync("compact", "list", "--key", "bob", "--json")).Json["compacts"]!.AsArray();
        var inForce = (await _cli.OkAsync("compact", "list", "--key", "alice", "--status", "in-force", "--json")).Json["compacts"]!.AsArray();
        var revoked = (await _cli.OkAsync("compact", "list", "--key", "alice", "--status", "revoked", "--json")).Json["compacts"]!.AsArray();
        await _cli.RegisteredAgentAsync("gina");
        var stranger = (await _cli.OkAsync("compact", "list", "--key", "gina", "--json")).Json["compacts"]!.AsArray();
        var table = await _cli.OkAsync("compact", "list", "--key", "alice");

        var compact = mine.Single(x => (string)x!["compactId"]! == s.CompactId)!;
        ((string)compact["status"]!).Should().Be("in-force");
        ((long)compact["currentVersion"]!).Should().Be(1);
        ((string)compact["sessionId"]!).Should().Be(s.SessionId);
        ((string)compact["parties"]!["a"]!).Should().Be(s.Alice);
        ((string)compact["parties"]!["b"]!).Should().Be(s.Bob);
        inForce.Select(x => (string)x!["compactId"]!).Should().Contain(s.CompactId);
        revoked.Select(x => (string)x!["compactId"]!).Should().NotContain(s.CompactId);
        stranger.Should().BeEmpty("gina is party to no compact");
        table.Stdout.Should().Contain("COMPACT").And.Contain(s.CompactId).And.Contain("in-force");
    }
}
