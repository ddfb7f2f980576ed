using Pact.Cli.Tests.Infrastructure;
using Pact.Client;

namespace Pact.Cli.Tests;

[Collection(DaemonCollection.Name)]
public sealed class KeysCommandTests(CliFixture fixture) : IDisposable
{
    private readonly CliRunner _cli = new(fixture.Host.BaseAddress);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Keys_new_writes_an_owner_only_key_file_under_the_home_keys_directory()
    {
        var result = await _cli.OkAsync("keys", "new", "--name", "alice", "--json");

        var path = Path.Combine(_cli.KeysDirectory, "alice.json");
        ((string)result.Json["path"]!).Should().Be(path);
        File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        ((string)result.Json["mode"]!).Should().Be("0600");
        var key = AgentKey.Load(path);
        ((string)result.Json["did"]!).Should().Be(key.Did);
        result.Stdout.Should().NotContain("seed", "the seed never leaves the file");
    }

    [Fact]
    public async Task Keys_new_without_a_name_writes_the_default_key_and_show_reads_it()
    {
        var created = await _cli.OkAsync("keys", "new");
        var shown = await _cli.OkAsync("keys", "show", "--json");

        var path = Path.Combine(_cli.KeysDirectory, "default.json");
        created.Stdout.Should().Contain(path);
        ((string)shown.Json["path"]!).Should().Be(path);
        ((string)shown.Json["did"]!).Should().Be(AgentKey.Load(path).Did);
    }

    [Fact]
    public async Task Keys_new_refuses_to_replace_an_existing_key_unless_forced()
    {
        var first = (string)(await _cli.OkAsync("keys", "new", "--name", "bob", "--json")).Json["did"]!;

        var again = await _cli.RunAsync("keys", "new", "--name", "bob");
        again.ExitCode.Should().Be(ExitCodes.Failure);
        again.Stderr.Should().Contain("already exists");
        AgentKey.Load(Path.Combine(_cli.KeysDirectory, "bob.json")).Did.Should().Be(first);

        var forced = (string)(await _cli.OkAsync("keys", "new", "--name", "bob", "--force", "--json")).Json["did"]!;
        forced.Should().NotBe(first);
    }

    [Fact]
    public async Task Keys_list_shows_every_key_and_marks_the_one_in_use()
    {
        var a = (string)(await _cli.OkAsync("keys", "new", "--name", "a", "--json")).Json["did"]!;
        var b = (string)(await _cli.OkAsync("keys", "new", "--name", "b", "--json")).Json["did"]!;
        _cli.Variables["PACT_KEY"] = "b";

        var list = (await _cli.OkAsync("keys", "list", "--json")).Json["keys"]!.AsArray();

        list.Select(k => ((string)k!["name"]!, (string)k["did"]!, (bool)k["current"]!))
            .Should().Equal(("a", a, false), ("b", b, true));
        var plain = await _cli.OkAsync("keys", "list");
        plain.Stdout.Should().MatchRegex(@"\*\s+b\s+" + b[..20]);
    }

    [Fact]
    public async Task A_key_file_that_others_may_read_is_refused_with_advice_and_exit_4()
    {
        await _cli.OkAsync("keys", "new", "--name", "leaky");
        var path = Path.Combine(_cli.KeysDirectory, "leaky.json");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var result = await _cli.RunAsync("keys", "show", "--key", path);

        result.ExitCode.Should().Be(ExitCodes.Failure);
        result.Stderr.Should().Contain("0604").And.Contain("chmod 600");
    }

    [Fact]
    public async Task A_missing_key_file_points_to_keys_new()
    {
        var result = await _cli.RunAsync("session", "create", "--key", "nobody", "--with", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK");

        result.ExitCode.Should().Be(ExitCodes.Failure);
        result.Stderr.Should().Contain(Path.Combine(_cli.KeysDirectory, "nobody.json")).And.Contain("pact keys new");
    }
}
