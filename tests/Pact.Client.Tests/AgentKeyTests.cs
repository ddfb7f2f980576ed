using FluentAssertions;
using Pact.Core.Encoding;
using Pact.Core.Json;

namespace Pact.Client.Tests;

public sealed class AgentKeyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pact-client-keys-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Saved_key_loads_back_as_the_same_identity()
    {
        var key = AgentKey.Generate();
        var path = Path.Combine(_dir, "agent.key");
        key.Save(path);

        var loaded = AgentKey.Load(path);

        loaded.Did.Should().Be(key.Did);
        loaded.PublicKeyB64u.Should().Be(key.PublicKeyB64u);
        loaded.KeyPair.Seed.Should().Equal(key.KeyPair.Seed);
        var doc = (System.Text.Json.Nodes.JsonObject)StrictJson.Parse(File.ReadAllBytes(path))!;
        doc["kind"]!.GetValue<string>().Should().Be("pact-agent-key");
        doc["did"]!.GetValue<string>().Should().Be(key.Did);
        doc["publicKey"]!.GetValue<string>().Should().Be(key.PublicKeyB64u);
        Base64Url.Decode(doc["seed"]!.GetValue<string>()).Should().Equal(key.KeyPair.Seed);
    }

    [Fact]
    public void Key_from_a_vector_seed_has_the_vector_did()
    {
        var vector = TestData.PactVectors["keys"]!["contractor"]!;
        var key = AgentKey.FromSeed(Hex.Decode(vector["seedHex"]!.GetValue<string>()));
        key.Did.Should().Be(vector["did"]!.GetValue<string>());
        key.PublicKeyB64u.Should().Be(vector["publicKeyB64u"]!.GetValue<string>());
    }

    [Fact]
    public void Key_file_is_created_owner_only()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = Path.Combine(_dir, "agent.key");
        AgentKey.Generate().Save(path);
        File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void Overwriting_a_wide_open_file_leaves_it_owner_only()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = Path.Combine(_dir, "agent.key");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("644", 8));

        var key = AgentKey.Generate();
        key.Save(path, overwrite: true);

        File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        AgentKey.Load(path).Did.Should().Be(key.Did);
        Directory.GetFiles(_dir).Should().ContainSingle("the temporary file is moved into place");
    }

    [Fact]
    public void Saving_over_an_existing_key_without_overwrite_is_refused()
    {
        var path = Path.Combine(_dir, "agent.key");
        var first = AgentKey.Generate();
        first.Save(path);

        var act = () => AgentKey.Generate().Save(path);

        act.Should().Throw<IOException>().WithMessage("*already exists*");
        AgentKey.Load(path).Did.Should().Be(first.Did);
    }

    [Fact]
    public void Key_file_readable_by_others_is_refused_with_the_fix()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = Path.Combine(_dir, "agent.key");
        AgentKey.Generate().Save(path);
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("644", 8));

        var act = () => AgentKey.Load(path);

        act.Should().Throw<KeyFileException>().WithMessage("*mode 0644*chmod 600*");
    }

    [Fact]
    public void Key_file_readable_by_group_is_refused()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = Path.Combine(_dir, "agent.key");
        AgentKey.Generate().Save(path);
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("640", 8));

        var act = () => AgentKey.Load(path);

        act.Should().Throw<KeyFileException>().WithMessage("*mode 0640*");
    }

    [Fact]
    public void Key_file_whose_did_is_not_its_seeds_is_refused()
    {
        var path = Path.Combine(_dir, "agent.key");
        var key = AgentKey.Generate();
        var doc = key.ToJson();
        doc["did"] = AgentKey.Generate().Did;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(path, options)) stream.Write(System.Text.Encoding.UTF8.GetBytes(doc.ToJsonString()));

        var act = () => AgentKey.Load(path);

        act.Should().Throw<KeyFileException>().WithMessage("*inconsistent*");
    }

    [Fact]
    public void File_of_another_kind_is_refused()
    {
        var path = Path.Combine(_dir, "other.json");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(path, options)) stream.Write("{\"kind\":\"something-else\"}"u8);

        var act = () => AgentKey.Load(path);

        act.Should().Throw<KeyFileException>().WithMessage("*not a Pact agent key*");
    }
}
