using FluentAssertions;

namespace Pact.Store.Tests.Conformance;

// The state snapshot (what a start folds only the tail after): one at a time, read back exactly, across a reopen.
public abstract partial class PactStoreConformanceTests
{
    [SkippableFact]
    public async Task A_state_snapshot_is_read_back_exactly_replaced_by_the_next_and_removed_on_demand()
    {
        (await Store.StateSnapshots.LatestAsync(CancellationToken.None)).Should().BeNull();
        var first = Snapshot(3, [1, 2, 3, 0, 255]);
        await Store.StateSnapshots.SaveAsync(first, CancellationToken.None);
        await ReopenAsync();
        var read = await Store.StateSnapshots.LatestAsync(CancellationToken.None);
        read.Should().BeEquivalentTo(first);

        var second = Snapshot(9, [.. Enumerable.Range(0, 70_000).Select(i => (byte)(i * 7))]);
        await Store.StateSnapshots.SaveAsync(second, CancellationToken.None);
        (await Store.StateSnapshots.LatestAsync(CancellationToken.None)).Should().BeEquivalentTo(second, "a save replaces the snapshot before it");

        await Store.StateSnapshots.DeleteAllAsync(CancellationToken.None);
        (await Store.StateSnapshots.LatestAsync(CancellationToken.None)).Should().BeNull();
    }

    private static StoredStateSnapshot Snapshot(long throughSeq, byte[] body) => new(
        throughSeq, new string('e', 64), 3, body, Pact.Core.Encoding.Hex.Encode(System.Security.Cryptography.SHA256.HashData(body)), "2026-12-06T00:00:00.000Z");
}
