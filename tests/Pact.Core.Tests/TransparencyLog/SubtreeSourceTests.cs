using System.Buffers.Binary;
using System.Security.Cryptography;
using FluentAssertions;
using Pact.Core.TransparencyLog;

namespace Pact.Core.Tests.TransparencyLog;

/// <summary>The prover reads only perfect subtrees, O(log n) of them, and works for trees far beyond memory.</summary>
public class SubtreeSourceTests
{
    /// <summary>
    /// A consistent virtual tree of any size, as a store would have persisted it. Every leaf hashes the
    /// same except a few marked ones, so an unmarked perfect subtree's hash depends only on its level and
    /// only subtrees holding a marked leaf need real work. Proofs about marked leaves still catch any
    /// index or order mistake. Counts the reads.
    /// </summary>
    private sealed class VirtualTree(params long[] marked) : ISubtreeHashSource
    {
        private readonly Dictionary<(int, long), byte[]> _cache = [];
        private readonly List<byte[]> _plain = [MerkleHash.LeafHash(new byte[32])];

        public int Reads { get; set; }

        public byte[] SubtreeHash(int level, long index)
        {
            Reads++;
            return Compute(level, index);
        }

        private byte[] Compute(int level, long index)
        {
            var first = index << level;
            var last = first + (1L << level);
            if (!marked.Any(m => m >= first && m < last)) return Plain(level);
            if (_cache.TryGetValue((level, index), out var hit)) return hit;
            byte[] hash;
            if (level == 0)
            {
                var entry = new byte[8];
                BinaryPrimitives.WriteInt64BigEndian(entry, index);
                hash = MerkleHash.LeafHash(SHA256.HashData(entry));
            }
            else hash = MerkleHash.NodeHash(Compute(level - 1, 2 * index), Compute(level - 1, 2 * index + 1));
            _cache[(level, index)] = hash;
            return hash;
        }

        private byte[] Plain(int level)
        {
            while (_plain.Count <= level) _plain.Add(MerkleHash.NodeHash(_plain[^1], _plain[^1]));
            return _plain[level];
        }
    }

    [Theory]
    [InlineData(1L << 40, 0L)]
    [InlineData((1L << 40) + 1, 1L << 40)]
    [InlineData(1_000_000_000_003L, 777_777_777_777L)]
    [InlineData(1_000_000_000_003L, 1_000_000_000_002L)]
    public void Inclusion_proof_in_a_huge_tree_verifies_with_few_reads(long size, long leaf)
    {
        var source = new VirtualTree(leaf, size - 1, size / 3);
        var root = MerkleProofs.Root(source, size);
        source.Reads = 0;
        var proof = MerkleProofs.InclusionProof(source, leaf, size);
        source.Reads.Should().BeLessThanOrEqualTo(2 * 41);
        MerkleVerifier.VerifyInclusion(leaf, size, source.SubtreeHash(0, leaf), proof, root).Should().BeTrue();
        MerkleVerifier.VerifyInclusion(leaf, size, source.SubtreeHash(0, size / 3), proof, root).Should().BeFalse();
    }

    [Theory]
    [InlineData(1L << 39, 1L << 40)]
    [InlineData(999_999_999_999L, 1_000_000_000_003L)]
    [InlineData(1L, 1_000_000_000_003L)]
    [InlineData((1L << 39) + 1, (1L << 40) - 1)]
    public void Consistency_proof_in_a_huge_tree_verifies_with_few_reads(long size1, long size2)
    {
        var source = new VirtualTree(0, size1 - 1, size1, size2 - 1);
        var root1 = MerkleProofs.Root(source, size1);
        var root2 = MerkleProofs.Root(source, size2);
        source.Reads = 0;
        var proof = MerkleProofs.ConsistencyProof(source, size1, size2);
        source.Reads.Should().BeLessThanOrEqualTo(3 * 41);
        MerkleVerifier.VerifyConsistency(size1, size2, root1, root2, proof).Should().BeTrue();
        MerkleVerifier.VerifyConsistency(size1, size2, root2, root1, proof).Should().BeFalse();
    }

    [Fact]
    public void Root_reads_one_subtree_per_set_bit_of_the_size()
    {
        var source = new VirtualTree();
        const long size = 0b1011_0000_0000_0101;
        MerkleProofs.Root(source, size);
        source.Reads.Should().Be((int)long.PopCount(size));
    }

    [Fact]
    public void Appending_completes_the_subtrees_whose_size_divides_the_new_count()
    {
        var tree = new MemoryMerkleTree();
        for (var i = 0; i < 11; i++) tree.Append(MerkleHash.LeafHash(new byte[32]));
        // Leaf 11 makes 12 leaves: completes [11] (level 0), [10,11] (level 1) and [8..11] (level 2).
        var completed = MerkleProofs.SubtreesCompletedBy(tree, 11, MerkleHash.LeafHash(new byte[32]));
        completed.Select(s => (s.Level, s.Index)).Should().Equal((0, 11L), (1, 5L), (2, 2L));
        tree.Append(MerkleHash.LeafHash(new byte[32]));
        completed[2].Hash.Should().Equal(tree.SubtreeHash(2, 2));
        MerkleProofs.RangeHash(tree, 8, 12).Should().Equal(completed[2].Hash);
    }

    [Fact]
    public void Range_hash_refuses_ranges_that_are_not_subtrees_of_the_split()
    {
        var tree = new MemoryMerkleTree();
        for (var i = 0; i < 16; i++) tree.Append(MerkleHash.LeafHash(new byte[32]));
        var act = () => MerkleProofs.RangeHash(tree, 3, 7);
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Subtree_hashes_handed_out_cannot_change_the_tree()
    {
        var tree = new MemoryMerkleTree();
        tree.Append(MerkleHash.LeafHash(new byte[32]));
        var root = tree.Root();
        tree.SubtreeHash(0, 0)[0] ^= 0xFF;
        tree.Root().Should().Equal(root);
    }
}
