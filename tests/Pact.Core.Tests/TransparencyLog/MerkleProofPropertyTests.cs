using System.Security.Cryptography;
using FluentAssertions;
using Pact.Core.Encoding;
using Pact.Core.TransparencyLog;

namespace Pact.Core.Tests.TransparencyLog;

/// <summary>
/// The prover against the literal RFC definitions and against the independent verifier, over every tree
/// of 1–300 leaves; mutated proofs must all fail.
/// </summary>
public class MerkleProofPropertyTests
{
    private const int MaxSize = 300;
    private static readonly List<byte[]> Leaves = Enumerable.Range(0, MaxSize)
        .Select(i => MerkleHash.LeafHash(SHA256.HashData(BitConverter.GetBytes(i)))).ToList();

    private static MemoryMerkleTree FullTree()
    {
        var tree = new MemoryMerkleTree();
        foreach (var leaf in Leaves) tree.Append(leaf);
        return tree;
    }

    [Fact]
    public void Root_at_every_size_matches_the_recursive_definition()
    {
        var tree = new MemoryMerkleTree();
        var naive = new NaiveMerkle(Leaves);
        for (var n = 1; n <= MaxSize; n++)
        {
            tree.Append(Leaves[n - 1]);
            Hex.Encode(tree.Root()).Should().Be(Hex.Encode(naive.Mth(0, n)), $"size {n}");
        }
        // Older sizes stay answerable after the tree has grown.
        for (var n = 1; n <= MaxSize; n++) tree.Root(n).Should().Equal(naive.Mth(0, n));
    }

    [Fact]
    public void Every_inclusion_proof_up_to_300_leaves_matches_the_rfc_and_verifies()
    {
        var tree = FullTree();
        var naive = new NaiveMerkle(Leaves);
        var checkedProofs = 0;
        for (var n = 1; n <= MaxSize; n++)
        {
            var root = naive.Mth(0, n);
            for (var m = 0; m < n; m++)
            {
                var proof = tree.InclusionProof(m, n);
                // Plain checks in the hot loop: 45,150 proofs through FluentAssertions would take seconds.
                if (!Same(proof, naive.Path(m, 0, n))) Assert.Fail($"The inclusion proof of leaf {m} of {n} differs from RFC 9162's PATH.");
                if (!MerkleVerifier.VerifyInclusion(m, n, Leaves[m], proof, root)) Assert.Fail($"The inclusion proof of leaf {m} of {n} does not verify.");
                checkedProofs++;
            }
        }
        checkedProofs.Should().Be(MaxSize * (MaxSize + 1) / 2);
    }

    [Fact]
    public void Every_consistency_proof_up_to_300_leaves_matches_the_rfc_and_verifies()
    {
        var tree = FullTree();
        var naive = new NaiveMerkle(Leaves);
        var checkedProofs = 0;
        for (var n = 1; n <= MaxSize; n++)
        {
            var root2 = naive.Mth(0, n);
            for (var m = 1; m <= n; m++)
            {
                var proof = tree.ConsistencyProof(m, n);
                var expected = m == n ? [] : naive.Proof(m, n);
                if (!Same(proof, expected)) Assert.Fail($"The consistency proof {m} → {n} differs from RFC 9162's PROOF.");
                if (!MerkleVerifier.VerifyConsistency(m, n, naive.Mth(0, m), root2, proof)) Assert.Fail($"The consistency proof {m} → {n} does not verify.");
                checkedProofs++;
            }
        }
        checkedProofs.Should().Be(MaxSize * (MaxSize + 1) / 2);
    }

    [Fact]
    public void Inclusion_verifier_refuses_every_single_alteration()
    {
        var tree = FullTree();
        var random = new Random(9162);
        for (var trial = 0; trial < 400; trial++)
        {
            var n = random.Next(1, MaxSize + 1);
            var m = random.Next(0, n);
            var root = tree.Root(n);
            var proof = tree.InclusionProof(m, n).ToList();
            var leaf = Leaves[m];

            if (proof.Count > 0)
            {
                var i = random.Next(proof.Count);
                MerkleVerifier.VerifyInclusion(m, n, leaf, WithFlippedBit(proof, i, random), root).Should().BeFalse("a proof hash was altered");
                MerkleVerifier.VerifyInclusion(m, n, leaf, proof.Take(proof.Count - 1).ToList(), root).Should().BeFalse("a proof hash is missing");
            }
            MerkleVerifier.VerifyInclusion(m, n, leaf, [.. proof, Leaves[0]], root).Should().BeFalse("a hash was added");
            MerkleVerifier.VerifyInclusion(m, n, Flip(leaf, random), proof, root).Should().BeFalse("the leaf differs");
            MerkleVerifier.VerifyInclusion(m, n, leaf, proof, Flip(root, random)).Should().BeFalse("the root differs");
            if (n > 1)
            {
                var other = (m + 1 + random.Next(n - 1)) % n;
                MerkleVerifier.VerifyInclusion(other, n, leaf, proof, root).Should().BeFalse($"leaf {m} is not at {other}");
            }
            MerkleVerifier.VerifyInclusion(n, n, leaf, proof, root).Should().BeFalse("the index is outside the tree");
            MerkleVerifier.VerifyInclusion(-1, n, leaf, proof, root).Should().BeFalse();
        }
    }

    [Fact]
    public void Consistency_verifier_refuses_every_single_alteration()
    {
        var tree = FullTree();
        var random = new Random(6962);
        for (var trial = 0; trial < 400; trial++)
        {
            var n = random.Next(2, MaxSize + 1);
            var m = random.Next(1, n);
            var root1 = tree.Root(m);
            var root2 = tree.Root(n);
            var proof = tree.ConsistencyProof(m, n).ToList();
            proof.Should().NotBeEmpty();

            var i = random.Next(proof.Count);
            MerkleVerifier.VerifyConsistency(m, n, root1, root2, WithFlippedBit(proof, i, random)).Should().BeFalse("a proof hash was altered");
            MerkleVerifier.VerifyConsistency(m, n, root1, root2, proof.Take(proof.Count - 1).ToList()).Should().BeFalse("a hash is missing");
            MerkleVerifier.VerifyConsistency(m, n, root1, root2, [.. proof, root1]).Should().BeFalse("a hash was added");
            MerkleVerifier.VerifyConsistency(m, n, Flip(root1, random), root2, proof).Should().BeFalse("the old root differs");
            MerkleVerifier.VerifyConsistency(m, n, root1, Flip(root2, random), proof).Should().BeFalse("the new root differs");
            MerkleVerifier.VerifyConsistency(m, n, root1, root2, []).Should().BeFalse("an empty proof proves nothing");
            MerkleVerifier.VerifyConsistency(n, m, root2, root1, proof).Should().BeFalse("the sizes are swapped");
            if (m + 1 < n) MerkleVerifier.VerifyConsistency(m + 1, n, tree.Root(m + 1), root2, proof).Should().BeFalse("the old size differs");
        }
    }

    [Fact]
    public void A_root_does_not_commit_to_its_size_so_the_note_must_carry_both()
    {
        // Leaf 0's path in 5 leaves has the same shape as in 6, so it also "proves" leaf 0 in a 6-leaf tree
        // whose root would be root(5). Only the signed size in the same note rules this out (§9).
        var tree = FullTree();
        var proof = tree.InclusionProof(0, 5);
        MerkleVerifier.VerifyInclusion(0, 5, Leaves[0], proof, tree.Root(5)).Should().BeTrue();
        MerkleVerifier.VerifyInclusion(0, 6, Leaves[0], proof, tree.Root(5)).Should().BeTrue();
        MerkleVerifier.VerifyInclusion(0, 6, Leaves[0], proof, tree.Root(6)).Should().BeFalse();
    }

    [Fact]
    public void Equal_sizes_are_consistent_only_with_an_empty_proof_and_the_same_root()
    {
        var tree = FullTree();
        var root = tree.Root(10);
        MerkleVerifier.VerifyConsistency(10, 10, root, root, []).Should().BeTrue();
        MerkleVerifier.VerifyConsistency(10, 10, root, tree.Root(11), []).Should().BeFalse();
        MerkleVerifier.VerifyConsistency(10, 10, root, root, [root]).Should().BeFalse();
    }

    [Fact]
    public void Size_zero_has_no_consistency_proof()
    {
        var tree = FullTree();
        var act = () => tree.ConsistencyProof(0, 5);
        act.Should().Throw<ArgumentOutOfRangeException>();
        MerkleVerifier.VerifyConsistency(0, 5, MerkleHash.EmptyRoot(), tree.Root(5), []).Should().BeFalse();
    }

    [Fact]
    public void Verifiers_refuse_hashes_of_the_wrong_length_without_throwing()
    {
        var tree = FullTree();
        var proof = tree.InclusionProof(3, 8).ToList();
        proof[1] = proof[1][..31];
        MerkleVerifier.VerifyInclusion(3, 8, Leaves[3], proof, tree.Root(8)).Should().BeFalse();
        MerkleVerifier.VerifyInclusion(3, 8, Leaves[3].AsSpan(0, 31), tree.InclusionProof(3, 8), tree.Root(8)).Should().BeFalse();
        MerkleVerifier.VerifyConsistency(3, 8, tree.Root(3), tree.Root(8).AsSpan(0, 16), tree.ConsistencyProof(3, 8)).Should().BeFalse();
    }

    [Fact]
    public void Proofs_beyond_the_current_size_are_refused()
    {
        var tree = FullTree();
        ((Action)(() => tree.InclusionProof(5, MaxSize + 1))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => tree.InclusionProof(MaxSize, MaxSize))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => tree.ConsistencyProof(5, MaxSize + 1))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => tree.ConsistencyProof(6, 5))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => tree.Root(MaxSize + 1))).Should().Throw<ArgumentOutOfRangeException>();
    }

    private static bool Same(IReadOnlyList<byte[]> a, List<byte[]> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.AsSpan().SequenceEqual(p.Second));

    private static List<byte[]> WithFlippedBit(List<byte[]> proof, int index, Random random)
    {
        var copy = proof.Select(h => (byte[])h.Clone()).ToList();
        copy[index] = Flip(copy[index], random);
        return copy;
    }

    private static byte[] Flip(byte[] hash, Random random)
    {
        var copy = (byte[])hash.Clone();
        copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        return copy;
    }
}
