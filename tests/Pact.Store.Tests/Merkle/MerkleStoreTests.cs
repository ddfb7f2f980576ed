using System.Numerics;
using FluentAssertions;
using Microsoft.Data.Sqlite;
using Pact.Core.Encoding;
using Pact.Core.Events;
using Pact.Core.TransparencyLog;
using static Pact.Store.Tests.Requests;

namespace Pact.Store.Tests.Merkle;

public sealed class MerkleStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Appends batches of random sizes over a few streams, mirroring every acknowledged event into an in-memory tree.</summary>
    private static async Task AppendRandomAsync(SqliteEventLog store, MemoryMerkleTree mirror, Random random, int events)
    {
        var appended = 0;
        while (appended < events)
        {
            var count = Math.Min(events - appended, random.Next(1, 9));
            var result = await store.AppendAsync(Append($"ses_{random.Next(4)}", count));
            foreach (var e in result.Events)
            {
                mirror.Size.Should().Be(e.Seq - 1, "events are acknowledged in seq order");
                mirror.Append(MerkleHash.LeafHash(Hex.Decode(e.Hash)));
            }
            appended += count;
        }
    }

    private static Task<long> NodeCountAsync(SqliteEventLog store) => CountAsync(store, "SELECT count(*) FROM merkle_nodes");

    /// <summary>Every perfect subtree of n leaves: n at level 0, n/2 at level 1, … = 2n − popcount(n).</summary>
    /// <summary>Removes one leaf of the stored tree behind the store's back (the store must be closed).</summary>
    private void DeleteLeaf(long index)
    {
        using var connection = new SqliteConnection($"Data Source={_dir.File("pact.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DROP TRIGGER merkle_nodes_append_only_delete; DELETE FROM merkle_nodes WHERE level = 0 AND idx = $idx;";
        command.Parameters.AddWithValue("$idx", index);
        command.ExecuteNonQuery();
    }

    private static long PerfectSubtrees(long n) => 2 * n - BitOperations.PopCount((ulong)n);

    [Fact]
    public async Task Roots_at_every_size_match_the_in_memory_tree_before_and_after_reopening()
    {
        var random = new Random(20261121);
        var mirror = new MemoryMerkleTree();
        await using (var store = await SqliteEventLog.OpenAsync(Options(_dir)))
        {
            (await store.RootAsync(0)).Should().Equal(MerkleHash.EmptyRoot());
            await AppendRandomAsync(store, mirror, random, 137);
            for (long size = 0; size <= 137; size++)
                (await store.RootAsync(size)).Should().Equal(mirror.Root(size), $"size {size}");
            (await NodeCountAsync(store)).Should().Be(PerfectSubtrees(137));
        }

        await using (var store = await SqliteEventLog.OpenAsync(Options(_dir)))
        {
            store.HeadSeq.Should().Be(137);
            foreach (var size in new long[] { 1, 2, 64, 100, 128, 137 })
                (await store.RootAsync(size)).Should().Equal(mirror.Root(size), $"size {size} after reopening");
            // Appending after a reopen continues the same tree.
            await AppendRandomAsync(store, mirror, random, 400);
            for (var i = 0; i < 60; i++)
            {
                var size = random.NextInt64(1, 538);
                (await store.RootAsync(size)).Should().Equal(mirror.Root(size), $"size {size}");
            }
            (await store.RootAsync(537)).Should().Equal(mirror.Root());
            (await NodeCountAsync(store)).Should().Be(PerfectSubtrees(537));
        }
    }

    [Fact]
    public async Task Inclusion_and_consistency_proofs_from_the_store_verify_and_equal_the_in_memory_ones()
    {
        var random = new Random(7);
        var mirror = new MemoryMerkleTree();
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir));
        await AppendRandomAsync(store, mirror, random, 300);

        for (var i = 0; i < 200; i++)
        {
            var size = random.NextInt64(1, 301);
            var leaf = random.NextInt64(0, size);
            var proof = await store.InclusionProofAsync(leaf, size);
            var root = await store.RootAsync(size);
            proof.Should().BeEquivalentTo(mirror.InclusionProof(leaf, size), o => o.WithStrictOrdering());
            MerkleVerifier.VerifyInclusion(leaf, size, mirror.SubtreeHash(0, leaf), proof, root).Should().BeTrue($"leaf {leaf} of {size}");
            // The same proof must not pass for a neighbouring leaf.
            if (size > 1) MerkleVerifier.VerifyInclusion(leaf, size, mirror.SubtreeHash(0, (leaf + 1) % size), proof, root).Should().BeFalse();

            var size1 = random.NextInt64(1, size + 1);
            var consistency = await store.ConsistencyProofAsync(size1, size);
            var root1 = await store.RootAsync(size1);
            consistency.Should().BeEquivalentTo(mirror.ConsistencyProof(size1, size), o => o.WithStrictOrdering());
            MerkleVerifier.VerifyConsistency(size1, size, root1, root, consistency).Should().BeTrue($"{size1} → {size}");
        }

        var leaves = Enumerable.Range(0, 300).Select(i => (long)i).ToList();
        var batch = await store.InclusionProofsAsync(leaves, 300);
        var fullRoot = await store.RootAsync(300);
        for (var i = 0; i < leaves.Count; i++)
            MerkleVerifier.VerifyInclusion(i, 300, mirror.SubtreeHash(0, i), batch[i], fullRoot).Should().BeTrue();
    }

    [Fact]
    public async Task A_proof_reads_O_log_n_nodes()
    {
        var mirror = new MemoryMerkleTree();
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir));
        await store.AppendAsync(Append("ses_big", 3000));
        var random = new Random(3);
        var bound = 2 * (int)Math.Ceiling(Math.Log2(3000));
        for (var i = 0; i < 50; i++)
        {
            var size = random.NextInt64(2, 3001);
            var leaf = random.NextInt64(0, size);
            var reads = await store.ReadAsync(connection =>
            {
                using var source = new SqliteSubtreeSource(connection);
                MerkleProofs.InclusionProof(source, leaf, size);
                MerkleProofs.Root(source, size);
                return source.Reads;
            });
            reads.Should().BeLessThanOrEqualTo(bound + 12, $"leaf {leaf} of {size}: a proof plus a root is two walks of at most log2 n nodes each");
        }
    }

    [Fact]
    public async Task Sizes_beyond_the_committed_head_are_refused()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir));
        await store.AppendAsync(Append("ses_a", 5));
        await store.Invoking(s => s.RootAsync(6)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await store.Invoking(s => s.InclusionProofAsync(5, 5)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await store.Invoking(s => s.ConsistencyProofAsync(0, 5)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await store.Invoking(s => s.ConsistencyProofAsync(4, 6)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        (await store.ConsistencyProofAsync(5, 5)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_rolled_back_request_leaves_no_nodes_and_its_seqs_are_reused_by_the_next_leaf()
    {
        var mirror = new MemoryMerkleTree();
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir));
        foreach (var e in (await store.AppendAsync(Append("ses_a", 3))).Events) mirror.Append(MerkleHash.LeafHash(Hex.Decode(e.Hash)));

        var (blocker, gate) = await HoldWriterAsync(store);
        var good1 = store.AppendAsync(Append("ses_a", 2));
        // Four events would complete the subtrees of levels 1 and 2 (and 3 with size 8): all of it must vanish.
        var bad = store.AppendAsync(Append("ses_b", 4, apply: _ => throw new InvalidOperationException("refused")));
        var good2 = store.AppendAsync(Append("ses_c", 1));
        gate.Release();
        await blocker;
        await bad.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>();
        foreach (var e in (await good1).Events.Concat((await good2).Events)) mirror.Append(MerkleHash.LeafHash(Hex.Decode(e.Hash)));

        store.HeadSeq.Should().Be(6);
        (await NodeCountAsync(store)).Should().Be(PerfectSubtrees(6));
        (await CountAsync(store, "SELECT count(*) FROM merkle_nodes WHERE level = 0")).Should().Be(6);
        (await CountAsync(store, "SELECT COALESCE(MAX(level), -1) FROM merkle_nodes")).Should().Be(2, "six leaves complete subtrees up to four leaves");
        for (long size = 1; size <= 6; size++) (await store.RootAsync(size)).Should().Equal(mirror.Root(size));

        // The log goes on from there as if the failed request had never been.
        foreach (var e in (await store.AppendAsync(Append("ses_a", 10))).Events) mirror.Append(MerkleHash.LeafHash(Hex.Decode(e.Hash)));
        (await store.RootAsync(16)).Should().Equal(mirror.Root());
        (await NodeCountAsync(store)).Should().Be(PerfectSubtrees(16));
    }

    [Fact]
    public async Task A_tree_that_lost_a_leaf_is_refused_at_open()
    {
        await using (var store = await SqliteEventLog.OpenAsync(Options(_dir)))
            await store.AppendAsync(Append("ses_a", 4));

        DeleteLeaf(3);

        var open = () => SqliteEventLog.OpenAsync(Options(_dir));
        (await open.Should().ThrowAsync<TranscriptIntegrityException>()).WithMessage("*3 leaves*4 events*");
    }

    [Fact]
    public async Task A_tree_that_lost_a_leaf_opens_without_appends_when_asked_and_still_serves_reads()
    {
        await using (var store = await SqliteEventLog.OpenAsync(Options(_dir)))
            await store.AppendAsync(Append("ses_a", 4));
        DeleteLeaf(3);

        await using var reopened = await SqliteEventLog.OpenAsync(Options(_dir) with { OpenWithBrokenLog = true });
        reopened.LogIntegrityFailure.Should().Contain("3 leaves").And.Contain("4 events");
        (await reopened.ReadStreamAsync("ses_a", 0, 10)).Should().HaveCount(4);
        (await reopened.ReadRowsAsync(1, 10)).Select(r => r.Seq).Should().Equal(2, 3, 4);
        var append = () => reopened.AppendAsync(Append("ses_b", 1));
        (await append.Should().ThrowAsync<TranscriptIntegrityException>()).WithMessage("*3 leaves*No event can be appended*");
        (await reopened.WriteAsync(_ => 7)).Should().Be(7, "writes without events do not touch the tree");
        reopened.HeadSeq.Should().Be(4);
    }

    [Fact]
    public async Task A_sound_store_opened_with_OpenWithBrokenLog_appends_as_usual()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir) with { OpenWithBrokenLog = true });
        store.LogIntegrityFailure.Should().BeNull();
        (await store.AppendAsync(Append("ses_a", 2))).Events.Select(e => e.Seq).Should().Equal(1, 2);
    }

    [Fact]
    public async Task Merkle_nodes_refuse_updates_and_deletes()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir));
        await store.AppendAsync(Append("ses_a", 2));
        var update = () => store.WriteAsync(ctx =>
        {
            using var command = ctx.CreateCommand("UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 0 AND idx = 0;");
            return command.ExecuteNonQuery();
        });
        (await update.Should().ThrowAsync<SqliteException>()).WithMessage("*append-only*");
        var delete = () => store.WriteAsync(ctx =>
        {
            using var command = ctx.CreateCommand("DELETE FROM merkle_nodes;");
            return command.ExecuteNonQuery();
        });
        (await delete.Should().ThrowAsync<SqliteException>()).WithMessage("*append-only*");
    }

    [Fact]
    public async Task Signed_checkpoints_are_kept_with_their_history_and_each_size_once()
    {
        await using var store = await SqliteEventLog.OpenAsync(Options(_dir));
        (await store.LatestLogCheckpointAsync()).Should().BeNull();
        await store.AppendAsync(Append("ses_a", 5));
        await store.SaveLogCheckpointAsync(new SignedLogCheckpoint(3, await store.RootAsync(3), "note 3\n", "2026-11-21T22:33:31.123Z"));
        await store.SaveLogCheckpointAsync(new SignedLogCheckpoint(5, await store.RootAsync(5), "note 5\n", "2026-11-21T22:33:32.123Z"));

        var latest = await store.LatestLogCheckpointAsync();
        latest!.TreeSize.Should().Be(5);
        latest.RootHash.Should().Equal(await store.RootAsync(5));
        latest.Note.Should().Be("note 5\n");
        (await store.GetLogCheckpointAsync(3))!.SignedAt.Should().Be("2026-11-21T22:33:31.123Z");
        (await store.GetLogCheckpointAsync(4)).Should().BeNull();
        (await store.ListLogCheckpointsAsync(0, 10)).Select(c => c.TreeSize).Should().Equal(3, 5);
        (await store.ListLogCheckpointsAsync(3, 10)).Select(c => c.TreeSize).Should().Equal(5);

        var again = () => store.SaveLogCheckpointAsync(new SignedLogCheckpoint(5, new byte[32], "other\n", "2026-11-21T22:33:33.123Z"));
        await again.Should().ThrowAsync<SqliteException>();
        var beyond = () => store.SaveLogCheckpointAsync(new SignedLogCheckpoint(6, new byte[32], "x\n", "2026-11-21T22:33:33.123Z"));
        await beyond.Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task Raw_rows_come_back_even_when_the_checked_reader_refuses_them()
    {
        await using (var store = await SqliteEventLog.OpenAsync(Options(_dir)))
            await store.AppendAsync(Append("ses_a", 3));
        using (var connection = new SqliteConnection($"Data Source={_dir.File("pact.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DROP TRIGGER events_append_only_update; UPDATE events SET data = replace(data, '\"n\":2', '\"n\":9') WHERE seq = 2;";
            command.ExecuteNonQuery();
        }

        await using var reopened = await SqliteEventLog.OpenAsync(Options(_dir));
        await reopened.Invoking(s => s.ReadStreamAsync("ses_a", 0, 10)).Should().ThrowAsync<TranscriptIntegrityException>();
        var rows = await reopened.ReadStreamRowsAsync("ses_a", 0, 10);
        rows.Select(r => r.StreamSeq).Should().Equal(1, 2, 3);
        rows[1].Data.Should().Contain("\"n\":9");
        rows[1].Seq.Should().Be(2);
        (await reopened.ReadStreamRowsAsync("ses_a", 2, 10)).Select(r => r.Seq).Should().Equal(3);
    }
}
