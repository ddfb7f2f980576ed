using System.Net.Http.Headers;
using System.Runtime.Loader;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pact.Core.Json;
using Pact.Core.Passport;
using Pact.Daemon.Application.Reputation;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;

namespace Pact.Daemon.Tests;

/// <summary>Pluggable reputation (§16): extra providers served under providers, outside passportHash, never breaking the answer.</summary>
public sealed class ReputationProviderTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Start);
    private readonly string _plugins = Path.Combine(Path.GetTempPath(), "pact-plugins-" + Guid.NewGuid().ToString("N"));
    private DaemonHost? _host;

    public Task InitializeAsync()
    {
        // The sample as the build left it beside the tests, and a file that is no assembly: it is skipped, not fatal.
        var sample = Path.Combine(AppContext.BaseDirectory, "plugins", "Pact.Samples.ReputationProvider");
        var target = Directory.CreateDirectory(Path.Combine(_plugins, "Pact.Samples.ReputationProvider")).FullName;
        foreach (var file in Directory.GetFiles(sample)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(_plugins, "broken.dll"), "not an assembly");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        Directory.Delete(_plugins, recursive: true);
    }

    [Fact]
    public async Task The_sample_plugin_is_loaded_from_the_plugins_directory_and_served_outside_the_hash()
    {
        var host = _host = await DaemonHost.StartAsync(_clock, new Dictionary<string, string> { ["Pact:Passport:PluginsDirectory"] = _plugins });
        var (a, b) = await TwoCompactsAsync(host, shortSecond: true);
        var store = host.Services.GetRequiredService<IPactStore>();
        var log = await store.ReadAllAsync(0, 10_000);

        var passport = await GetJsonAsync(host, $"v1/agents/{b.Did}/passport");

        passport.Select(m => m.Key).Should().Equal("agent", "asOfSeq", "asOf", "score", "confidence", "counts", "recentFailures", "passportHash", "providers");
        passport["providers"]!.ToJsonString().Should().Be(
            """[{"name":"short-compacts-discounted","figures":{"minimumTerm":"P7D","compacts":2,"shortCompacts":1,"confidence":0.05},"error":null}]""");
        passport["confidence"]!.ToJsonString().Should().Be("0.1", "the built-in passport counts both compacts");
        var hash = passport["passportHash"]!.GetValue<string>();
        hash.Should().Be(AgentPassport.HashOf(passport)).And.Be(new PassportLedger().ApplyAll(log).PassportOf(b.Did).Hash, "providers stay outside the hash");

        var provider = host.Services.GetRequiredService<ReputationProviders>().Providers.Should().ContainSingle().Subject;
        AssemblyLoadContext.GetLoadContext(provider.GetType().Assembly).Should().NotBe(AssemblyLoadContext.Default, "each plugin has a load context of its own");
        // Deterministic as of a seq: the same figures from the log alone, away from the daemon.
        var recomputed = await provider.EvaluateAsync(new LogReputationContext(b.Did, log, passport["asOfSeq"]!.GetValue<long>()), CancellationToken.None);
        Jcs.CanonicalString(recomputed).Should().Be(Jcs.CanonicalString(passport["providers"]![0]!["figures"]));

        var firstCompact = log.First(e => e.Type == "compact.in-force").Seq;
        var earlier = await b.Client.GetPassportAsync(b.Did, asOfSeq: firstCompact);
        earlier.Providers.Should().ContainSingle().Which.Figures!.ToJsonString().Should().Be("""{"minimumTerm":"P7D","compacts":1,"shortCompacts":0,"confidence":0.05}""");
        var check = await b.Client.CheckPassportAsync(a.Did, 0, 0);
        check.PassportHash.Should().Be((await a.Client.GetPassportAsync(a.Did)).PassportHash, "the check judges the built-in passport alone");
    }

    [Fact]
    public async Task A_provider_that_throws_stalls_or_answers_nothing_is_an_error_entry_and_the_passport_is_served()
    {
        var host = _host = await DaemonHost.StartAsync(_clock, new Dictionary<string, string> { ["Pact:Passport:ProviderTimeoutMilliseconds"] = "2000" }, configure: builder =>
        {
            builder.Services.AddSingleton<IReputationProvider>(new Answering("first"));
            builder.Services.AddSingleton<IReputationProvider>(new Throwing());
            builder.Services.AddSingleton<IReputationProvider>(new Stalling());
            builder.Services.AddSingleton<IReputationProvider>(new Answering("first"));
            builder.Services.AddSingleton<IReputationProvider>(new Answering("last"));
        });
        var (_, b) = await TwoCompactsAsync(host, shortSecond: false);

        var passport = await GetJsonAsync(host, $"v1/agents/{b.Did}/passport");

        passport["providers"]!.ToJsonString().Should().Be(
            """[{"name":"first","figures":{"agent":"B","compacts":2},"error":null},""" +
            """{"name":"throwing","figures":null,"error":"failed: InvalidOperationException: no figures today"},""" +
            """{"name":"stalling","figures":null,"error":"did not answer within 2000 ms."},""" +
            """{"name":"last","figures":{"agent":"B","compacts":2},"error":null}]""",
            "a second provider named 'first' is left out");
        passport["passportHash"]!.GetValue<string>().Should().Be(AgentPassport.HashOf(passport));
    }

    private async Task<(Negotiator A, Negotiator B)> TwoCompactsAsync(DaemonHost host, bool shortSecond)
    {
        var a = await Negotiator.RegisterAsync(host, "A", clock: _clock);
        var b = await Negotiator.RegisterAsync(host, "B", "human", _clock);
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        await a.NegotiateAsync(b, session, await a.DraftAsync(b, from: Start.AddDays(-1)));
        await a.NegotiateAsync(b, session, await a.DraftAsync(b, from: Start.AddDays(-1), until: shortSecond ? Start.AddDays(2) : null));
        return (a, b);
    }

    private static async Task<JsonObject> GetJsonAsync(DaemonHost host, string path)
    {
        using var http = host.CreateHttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DaemonHost.AdminToken);
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue(text);
        return (JsonObject)JsonNode.Parse(text)!;
    }

    private sealed class Answering(string name) : IReputationProvider
    {
        public string Name => name;

        public async Task<JsonObject> EvaluateAsync(IReputationContext context, CancellationToken cancellationToken) => new()
        {
            ["agent"] = context.Passport.Counts.Compacts > 0 ? "B" : "?",
            ["compacts"] = (await context.CompactsEnteredAsync(cancellationToken)).Count,
        };
    }

    private sealed class Throwing : IReputationProvider
    {
        public string Name => "throwing";

        public Task<JsonObject> EvaluateAsync(IReputationContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("no figures today");
    }

    /// <summary>Blocks its thread, ignoring the token: only the daemon's own time limit ends the wait.</summary>
    private sealed class Stalling : IReputationProvider
    {
        public string Name => "stalling";

        public Task<JsonObject> EvaluateAsync(IReputationContext context, CancellationToken cancellationToken)
        {
            Thread.Sleep(TimeSpan.FromSeconds(20));
            return Task.FromResult(new JsonObject());
        }
    }
}
