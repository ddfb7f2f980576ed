using Pact.Cli.Tests.Infrastructure;

namespace Pact.Cli.Tests;

[Collection(DaemonCollection.Name)]
public sealed class UsageTests(CliFixture fixture) : IDisposable
{
    private readonly CliRunner _cli = new(fixture.Host.BaseAddress);

    public void Dispose() => _cli.Dispose();

    // Arguments separated by '|'.
    [Theory]
    [InlineData("")]
    [InlineData("frobnicate")]
    [InlineData("session|create")]
    [InlineData("session|show")]
    [InlineData("agent|register|--principal-name|X|--principal-kind|robot")]
    [InlineData("compact|draft|--b-agent|did:key:x|--interaction|i|--from|next tuesday|--until|2027-01-01")]
    [InlineData("state|ses_x|--at|zero")]
    [InlineData("state|ses_x|--at|0")]
    [InlineData("tail|ses_x|--after|-1")]
    [InlineData("sign|prp_x|--policy-hash|9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08|--policy-file|p.txt")]
    public async Task A_command_line_that_does_not_parse_exits_2_with_the_error_on_stderr(string line)
    {
        var result = await _cli.RunRawAsync(line.Split('|', StringSplitOptions.RemoveEmptyEntries));

        result.ExitCode.Should().Be(ExitCodes.Usage, result.ToString());
        result.Stderr.Should().StartWith("error: ").And.Contain("--help' for usage.");
        result.Stdout.Should().BeEmpty();
    }

    [Fact]
    public async Task Help_documents_the_exit_codes_and_each_command_shows_examples()
    {
        var root = await _cli.RunRawAsync(["--help"]);
        var propose = await _cli.RunRawAsync(["propose", "--help"]);

        root.ExitCode.Should().Be(0);
        root.Stdout.Should().Contain("Exit codes:").And.Contain("3  refused by the daemon").And.Contain("5  verification failed");
        propose.ExitCode.Should().Be(0);
        propose.Stdout.Should().Contain("Examples:").And.Contain("pact propose ses_");
    }

    [Fact]
    public async Task Pending_help_describes_the_pending_list_of_section_14()
    {
        var help = await _cli.RunRawAsync(["agent", "pending", "--help"]);

        help.ExitCode.Should().Be(0);
        help.Stdout.Should().Contain("proposals").And.Contain("withdrawals").And.Contain("revocations").And.Contain("markers")
            .And.Contain("'items'").And.Contain("escalated", "the list shows the decision a mandate left to the agent");
    }

    [Fact]
    public async Task An_unreachable_daemon_is_a_failure_with_exit_4()
    {
        await _cli.OkAsync("keys", "new");
        // A port that was just free: nothing listens on it once the listener is gone.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await _cli.RunRawAsync(["session", "list", "--url", $"http://127.0.0.1:{port}"]);

        result.ExitCode.Should().Be(ExitCodes.Failure, result.ToString());
        result.Stderr.Should().Contain($"cannot reach the daemon at http://127.0.0.1:{port}/");
    }

    [Fact]
    public async Task The_url_comes_from_pact_url_when_no_option_is_given()
    {
        await _cli.OkAsync("keys", "new");
        _cli.Variables["PACT_URL"] = fixture.Host.BaseAddress.AbsoluteUri;

        var result = await _cli.RunRawAsync(["agent", "register", "--principal-name", "P", "--principal-kind", "agent", "--json"]);

        result.ExitCode.Should().Be(0, result.ToString());
    }

    [Fact]
    public async Task Reads_without_a_key_file_use_the_admin_token()
    {
        var none = await _cli.RunAsync("session", "list");
        _cli.Variables["PACT_ADMIN_TOKEN"] = Pact.Daemon.Tests.Infrastructure.DaemonHost.AdminToken;
        var admin = await _cli.RunAsync("session", "list", "--json");

        none.ExitCode.Should().Be(ExitCodes.Failure);
        none.Stderr.Should().Contain("no admin token");
        admin.ExitCode.Should().Be(0, admin.ToString());
        admin.Json["sessions"].Should().NotBeNull();
    }

    [Fact]
    public async Task A_missing_key_named_by_with_is_blamed_on_with_not_on_key()
    {
        await _cli.RegisteredAgentAsync("alice");

        var result = await _cli.RunAsync("session", "create", "--key", "alice", "--with", "carol");

        result.ExitCode.Should().Be(ExitCodes.Failure, result.ToString());
        result.Stderr.Should().Contain("--with names carol").And.Contain("carol.json").And.Contain("pact keys new --name carol");
        result.Stderr.Should().NotContain("pass --key");
    }

    [Fact]
    public async Task An_unregistered_signer_is_told_the_cli_command_that_registers_it()
    {
        await _cli.OkAsync("keys", "new", "--name", "stranger");
        var bob = await _cli.RegisteredAgentAsync("bob");

        var result = await _cli.RunAsync("session", "create", "--key", "stranger", "--with", bob);

        result.ExitCode.Should().Be(ExitCodes.Refused, result.ToString());
        result.Stderr.Should().Contain("PACT-202").And.Contain("hint: register the agent first: pact agent register");
    }
}
