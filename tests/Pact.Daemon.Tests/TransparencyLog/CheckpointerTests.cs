using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Pact.Core.Encoding;
using Pact.Core.TransparencyLog;
using Pact.Core.Time;
using Pact.Daemon.TransparencyLog;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;

namespace Pact.Daemon.Tests.TransparencyLog;

public sealed class CheckpointerTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private DaemonHost _host = null!;

    public async Task InitializeAsync() => _host = await DaemonHost.StartAsync(_clock, store: DaemonStore.Sqlite); // a test alters pact.db: SQLite only

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private IPactStore Store => _host.Services.GetRequiredService<IPactStore>();

    /// <summary>The timer's work runs on the thread pool after the clock moves; wait (bounded) until it shows.</summary>
    private async Task<SignedLogCheckpoint> WaitForCheckpointCoveringAsync(long size)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (await Store.LatestLogCheckpointAsync() is { } latest && latest.TreeSize >= size) return latest;
            await Task.Delay(20);
        }
        throw new TimeoutException($"No checkpoint covered {size} events.");
    }

    [Fact]
    public async Task The_timer_signs_once_a_second_while_events_arrive_and_nothing_while_none_do()
    {
        var a = await Negotiator.RegisterAsync(_host, "A", clock: _clock);
        var b = await Negotiator.RegisterAsync(_host, "B", "human", _clock);
        await a.Client.CreateSessionAsync([a.Did, b.Did], "first");
        (await Store.LatestLogCheckpointAsync()).Should().BeNull("the clock has not moved since the events arrived");

        _clock.Advance(LogCheckpointer.Interval);
        var first = await WaitForCheckpointCoveringAsync(Store.HeadSeq);
        first.SignedAt.Should().Be(Timestamp.ToText(_clock.GetUtcNow()), "signed at the injected clock's time");
        var count = (await Store.ListLogCheckpointsAsync(0, 100)).Count;

        for (var i = 0; i < 3; i++) _clock.Advance(LogCheckpointer.Interval);
        await a.Client.CreateSessionAsync([a.Did, b.Did], "second");
        _clock.Advance(LogCheckpointer.Interval);
        var second = await WaitForCheckpointCoveringAsync(Store.HeadSeq);

        var history = await Store.ListLogCheckpointsAsync(0, 100);
        history.Should().HaveCount(count + 1, "idle seconds sign nothing; the second session's second signs once");
        second.TreeSize.Should().Be(first.TreeSize + 1);
        var proof = await Store.ConsistencyProofAsync(first.TreeSize, second.TreeSize);
        MerkleVerifier.VerifyConsistency(first.TreeSize, second.TreeSize, first.RootHash, second.RootHash, proof).Should().BeTrue();
    }

    [Fact]
    public async Task A_tree_that_no_longer_extends_the_signed_one_is_refused_and_verify_says_no_checkpoint_covers_the_head()
    {
        var a = await Negotiator.RegisterAsync(_host, "A", clock: _clock);
        var b = await Negotiator.RegisterAsync(_host, "B", "human", _clock);
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var checkpointer = _host.Services.GetRequiredService<LogCheckpointer>();
        var signed = await checkpointer.CheckpointAsync(CancellationToken.None);
        signed!.TreeSize.Should().Be(Store.HeadSeq);

        // Someone rewrites a leaf of the stored tree, then the log grows.
        using (var db = new DatabaseTamperer(_host.DataDirectory))
            db.Execute("DROP TRIGGER merkle_nodes_append_only_update; UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 0 AND idx = 0;");
        await b.Client.SuspendSessionAsync(session);

        var after = await checkpointer.CheckpointAsync(CancellationToken.None);
        after.Should().BeEquivalentTo(signed, "nothing inconsistent with the signed tree is signed");
        (await Store.ListLogCheckpointsAsync(0, 100)).Should().ContainSingle();
        (await a.Client.GetCheckpointAsync()).TreeSize.Should().Be(signed.TreeSize);

        var report = await a.Client.VerifyAsync(session);
        report.Ok.Should().BeFalse();
        report.FirstError!.Check.Should().Be("inclusion");
        report.FirstError.StreamSeq.Should().Be(2);
        report.FirstError.Message.Should().Contain("No signed checkpoint covers");
        Hex.Encode(signed.RootHash).Should().NotBe(Hex.Encode(await Store.RootAsync(signed.TreeSize)), "the stored tree was changed under the signed root");
    }
}
