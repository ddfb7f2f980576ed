using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Pact.Client;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.Log;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Transcript;

namespace Pact.Daemon.Tests.Log;

/// <summary>
/// The daemon runs as its own process and is killed with SIGKILL in the middle of its work; a daemon started
/// again on the same data directory must hold every acknowledged event, the same tree, every checkpoint signed
/// before the kill, and extend the log consistently from them.
/// </summary>
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "pact-test-" + Guid.NewGuid().ToString("N"));
    private Process? _daemon;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        if (_daemon is { HasExited: false }) _daemon.Kill(entireProcessTree: true);
        _daemon?.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        return Task.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts Pact.Daemon.dll (built beside the tests) in a child process and waits until it answers.</summary>
    private async Task<Uri> StartProcessAsync()
    {
        var port = FreePort();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "Pact.Daemon.dll"),
            "--urls", $"http://127.0.0.1:{port}", "--data-dir", _dataDirectory, "--admin-token", DaemonHost.AdminToken,
            "--Serilog:MinimumLevel:Default=Warning",
        })
            start.ArgumentList.Add(arg);
        _daemon = Process.Start(start)!;
        _daemon.OutputDataReceived += (_, _) => { };
        _daemon.ErrorDataReceived += (_, _) => { };
        _daemon.BeginOutputReadLine();
        _daemon.BeginErrorReadLine();

        var address = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(2) };
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            _daemon.HasExited.Should().BeFalse("the daemon process must start");
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return address;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("The daemon process did not answer /healthz within a minute.");
    }

    private static async Task<PactClient> AgentAsync(Uri daemon, string name)
    {
        var principal = KeyPair.Generate();
        var client = new PactClient(new HttpClient { BaseAddress = daemon }, AgentKey.Generate());
        await client.RegisterAsync(new Principal(principal.Did, "organization", name), name);
        return client;
    }

    [Fact]
    public async Task After_a_kill_9_the_tree_and_every_checkpoint_survive_and_the_log_extends_consistently()
    {
        var address = await StartProcessAsync();
        var a = await AgentAsync(address, "A");
        var b = await AgentAsync(address, "B");
        var session = (await a.CreateSessionAsync([a.AgentId!, b.AgentId!], "before the kill")).SessionId;
        for (var i = 0; i < 10; i++) await (i % 2 == 0 ? a.SuspendSessionAsync(session) : b.ResumeSessionAsync(session));
        var daemon = await a.GetDaemonAsync();
        var key = Base64Url.Decode(daemon.PublicKey);
        var before = await a.GetCheckpointAsync();
        Checkpoint.TryOpen(before.Note, daemon.Origin, key, out var signedBefore, out _).Should().BeTrue();

        // More acknowledged events that no checkpoint may cover yet, then the kill.
        var acknowledged = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            var other = (await b.CreateSessionAsync([a.AgentId!, b.AgentId!], $"late {i}")).SessionId;
            acknowledged.Add((await b.GetSessionAsync(other)).Head!.StreamSeq);
        }
        var lastSession = (await a.ListSessionsAsync(limit: 1000)).Items.Count;
        _daemon!.Kill(entireProcessTree: true);
        await _daemon.WaitForExitAsync();

        await using var restarted = await DaemonHost.StartAsync(dataDirectory: _dataDirectory);
        var store = restarted.Services.GetRequiredService<TranscriptStore>();
        var client = new PactClient(restarted.CreateHttpClient(), options: new PactClientOptions { AdminToken = DaemonHost.AdminToken });
        (await client.ListSessionsAsync(limit: 1000)).Items.Should().HaveCount(lastSession, "every acknowledged session.created survived");
        store.HeadSeq.Should().Be(11 + 6, "eleven events in the first session and one per later session");

        // The checkpoint signed before the kill is still there, and a new one extends it.
        (await store.GetLogCheckpointAsync(signedBefore!.TreeSize))!.Note.Should().Be(before.Note);
        var latest = await restarted.Services.GetRequiredService<Pact.Daemon.Log.LogCheckpointer>().EnsureAsync(store.HeadSeq, CancellationToken.None);
        latest!.TreeSize.Should().Be(store.HeadSeq);
        Checkpoint.TryOpen(latest.Note, daemon.Origin, key, out var signedAfter, out _).Should().BeTrue();
        if (signedAfter!.TreeSize > signedBefore.TreeSize)
        {
            var proof = await client.GetConsistencyProofAsync(signedBefore.TreeSize, signedAfter.TreeSize);
            MerkleVerifier.VerifyConsistency(signedBefore.TreeSize, signedAfter.TreeSize, signedBefore.RootHash, signedAfter.RootHash,
                proof.Hashes.Select(Hex.Decode).ToList()).Should().BeTrue();
        }

        // Every checkpoint in the history extends the one before it.
        var history = await store.ListLogCheckpointsAsync(0, 1000);
        for (var i = 1; i < history.Count; i++)
        {
            var proof = await store.ConsistencyProofAsync(history[i - 1].TreeSize, history[i].TreeSize);
            MerkleVerifier.VerifyConsistency(history[i - 1].TreeSize, history[i].TreeSize, history[i - 1].RootHash, history[i].RootHash, proof)
                .Should().BeTrue($"{history[i - 1].TreeSize} → {history[i].TreeSize}");
        }

        // The tree on disk is the tree of the events on disk.
        var tree = new MemoryMerkleTree();
        foreach (var e in await store.ReadAllAsync(0, 1000)) tree.Append(MerkleHash.LeafHash(Hex.Decode(e.Hash)));
        (await store.RootAsync(store.HeadSeq)).Should().Equal(tree.Root());
        var report = await client.VerifyAsync(session);
        report.Ok.Should().BeTrue(report.FirstError?.ToJsonString());
        report.EventsChecked.Should().Be(11);
        acknowledged.Should().OnlyContain(h => h == 1);
    }
}
