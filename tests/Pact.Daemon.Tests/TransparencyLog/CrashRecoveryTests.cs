using Microsoft.Extensions.DependencyInjection;
using Pact.Client;
using Pact.Core.Contracts;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.TransparencyLog;
using Pact.Daemon.Tests.Durability;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;

namespace Pact.Daemon.Tests.TransparencyLog;

/// <summary>
/// The daemon runs as its own process and is killed with SIGKILL in the middle of its work; a daemon started
/// again on the same data directory must hold every acknowledged event, the same tree, every checkpoint signed
/// before the kill, and extend the log consistently from them.
/// </summary>
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "pact-test-" + Guid.NewGuid().ToString("N"));
    private DaemonProcess? _daemon;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_daemon is not null) await _daemon.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
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
        _daemon = await DaemonProcess.StartAsync(_dataDirectory, TimeSpan.FromSeconds(60));
        var address = _daemon.BaseAddress;
        var a = await AgentAsync(address, "A");
        var b = await AgentAsync(address, "B");
        var session = (await a.CreateSessionAsync([a.AgentId!, b.AgentId!], "before the kill")).SessionId;
        for (var i = 0; i < 10; i++) await (i % 2 == 0 ? a.SuspendSessionAsync(session) : b.ResumeSessionAsync(session));
        var daemon = await a.GetDaemonAsync();
        var key = Base64Url.Decode(daemon.PublicKey);
        var before = await a.GetCheckpointAsync();
        Pact.Core.TransparencyLog.LogCheckpoint.TryOpen(before.Note, daemon.Origin, key, out var signedBefore, out _).Should().BeTrue();

        // More acknowledged events that no checkpoint may cover yet, then the kill.
        var acknowledged = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            var other = (await b.CreateSessionAsync([a.AgentId!, b.AgentId!], $"late {i}")).SessionId;
            acknowledged.Add((await b.GetSessionAsync(other)).Head!.StreamSeq);
        }
        var lastSession = (await a.ListSessionsAsync(limit: 1000)).Sessions.Count;
        (await _daemon.KillHardAsync()).Should().Be(137, "a SIGKILL, not a shutdown");

        await using var restarted = await DaemonHost.StartAsync(dataDirectory: _dataDirectory, store: DaemonStore.Sqlite);
        var store = restarted.Services.GetRequiredService<IPactStore>();
        var client = new PactClient(restarted.CreateHttpClient(), options: new PactClientOptions { AdminToken = DaemonHost.AdminToken });
        (await client.ListSessionsAsync(limit: 1000)).Sessions.Should().HaveCount(lastSession, "every acknowledged session.created survived");
        store.HeadSeq.Should().Be(11 + 6, "eleven events in the first session and one per later session");

        // The checkpoint signed before the kill is still there, and a new one extends it.
        (await store.GetLogCheckpointAsync(signedBefore!.TreeSize))!.Note.Should().Be(before.Note);
        var latest = await restarted.Services.GetRequiredService<Pact.Daemon.TransparencyLog.LogCheckpointer>().EnsureAsync(store.HeadSeq, CancellationToken.None);
        latest!.TreeSize.Should().Be(store.HeadSeq);
        Pact.Core.TransparencyLog.LogCheckpoint.TryOpen(latest.Note, daemon.Origin, key, out var signedAfter, out _).Should().BeTrue();
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
