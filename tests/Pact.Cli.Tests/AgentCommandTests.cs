using Pact.Cli.Tests.Infrastructure;
using Pact.Client;

namespace Pact.Cli.Tests;

[Collection(DaemonCollection.Name)]
public sealed class AgentCommandTests(CliFixture fixture) : IDisposable
{
    private readonly CliRunner _cli = new(fixture.Host.BaseAddress);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Register_records_the_agent_with_its_principal_and_show_finds_it()
    {
        var did = (string)(await _cli.OkAsync("keys", "new", "--name", "acme", "--json")).Json["did"]!;

        var registered = await _cli.OkAsync("agent", "register", "--key", "acme", "--principal-name", "Acme Builders",
            "--principal-kind", "organization", "--principal-id", "org:acme", "--display-name", "Acme bot", "--json");
        var shown = await _cli.OkAsync("agent", "show", did, "--json");

        foreach (var record in new[] { registered.Json, shown.Json })
        {
            ((string)record["agentId"]!).Should().Be(did);
            ((string)record["displayName"]!).Should().Be("Acme bot");
            ((string)record["principal"]!["id"]!).Should().Be("org:acme");
            ((string)record["principal"]!["kind"]!).Should().Be("organization");
            ((string)record["principal"]!["name"]!).Should().Be("Acme Builders");
            ((string)record["registeredAt"]!).Should().MatchRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$");
        }
    }

    [Fact]
    public async Task Register_takes_the_principal_id_from_a_principal_key_and_says_when_already_registered()
    {
        await _cli.OkAsync("keys", "new", "--name", "bob");
        var principal = (string)(await _cli.OkAsync("keys", "new", "--name", "bob-principal", "--json")).Json["did"]!;
        string[] register = ["agent", "register", "--key", "bob", "--principal-key", "bob-principal", "--principal-name", "Bob", "--principal-kind", "human"];

        var first = await _cli.OkAsync(register);
        var second = await _cli.OkAsync(register);

        first.Stdout.Should().StartWith("Registered agent");
        second.Stdout.Should().StartWith("Agent already registered");
        var shown = await _cli.OkAsync("agent", "show", "--key", "bob", "--json");
        ((string)shown.Json["principal"]!["id"]!).Should().Be(principal);
    }

    [Fact]
    public async Task Show_of_an_unknown_agent_is_a_refusal_with_exit_3()
    {
        var stranger = AgentKey.Generate().Did;

        var result = await _cli.RunAsync("agent", "show", stranger);

        result.ExitCode.Should().Be(ExitCodes.Refused);
        result.Stderr.Should().StartWith("PACT-404 ");
    }

    [Fact]
    public async Task Invite_needs_the_admin_token_and_returns_a_code_with_it()
    {
        var without = await _cli.RunAsync("agent", "invite");
        without.ExitCode.Should().Be(ExitCodes.Usage);

        _cli.Variables["PACT_ADMIN_TOKEN"] = Pact.Daemon.Tests.Infrastructure.DaemonHost.AdminToken;
        var invite = await _cli.OkAsync("agent", "invite", "--expires-in", "P1D", "--json");
        ((string)invite.Json["code"]!).Should().NotBeNullOrEmpty();
    }
}
