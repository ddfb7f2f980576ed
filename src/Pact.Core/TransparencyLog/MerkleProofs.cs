using System.Numerics;

namespace Pact.Core.TransparencyLog;

/// <summary>
/// The prover side of RFC 9162 §2.1: roots, inclusion proofs and consistency proofs, computed from the
/// perfect subtrees an <see cref="ISubtreeHashSource"/> holds. Proof hashes are listed nearest the leaf
/// first, as §2.1.3 and §2.1.4 print them.
/// </summary>
public static class MerkleProofs
{
    /// <summary>MTH of the first <paramref name="treeSize"/> leaves.</summary>
    public static byte[] Root(ISubtreeHashSource source, long treeSize)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        return treeSize == 0 ? MerkleHash.EmptyRoot() : RangeHash(source, 0, treeSize);
    }

    /// <summary>
    /// MTH of leaves [start, end). The range must be one the RFC's split produces: start a multiple of the
    /// largest power of two ≤ end − start. It is then a run of perfect subtrees of falling size, folded
    /// from the right — at most log2(n) reads.
    /// </summary>
    public static byte[] RangeHash(ISubtreeHashSource source, long start, long end)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        if (end <= start) throw new ArgumentOutOfRangeException(nameof(end), "A range holds at least one leaf.");
        var n = end - start;
        if (start % HighestPowerOfTwoAtMost(n) != 0)
            throw new ArgumentException($"Leaves [{start}, {end}) are not a subtree of the RFC 9162 split.", nameof(start));
        var parts = new List<byte[]>(64);
        var at = start;
        while (at < end)
        {
            var size = HighestPowerOfTwoAtMost(end - at);
            var level = BitOperations.Log2((ulong)size);
            parts.Add(source.SubtreeHash(level, at >> level));
            at += size;
        }
        var hash = parts[^1];
        for (var i = parts.Count - 2; i >= 0; i--) hash = MerkleHash.NodeHash(parts[i], hash);
        return hash;
    }

    /// <summary>The audit path of leaf <paramref name="leafIndex"/> in the tree of the first <paramref name="treeSize"/> leaves (RFC 9162 §2.1.3.1).</summary>
    public static IReadOnlyList<byte[]> InclusionProof(ISubtreeHashSource source, long leafIndex, long treeSize)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(leafIndex);
        if (leafIndex >= treeSize) throw new ArgumentOutOfRangeException(nameof(leafIndex), "The leaf must be inside the tree.");
        // Walk down from the root, noting each sibling; the RFC lists them from the leaf up.
        var path = new List<byte[]>(64);
        long start = 0, end = treeSize;
        while (end - start > 1)
        {
            var k = LargestPowerOfTwoBelow(end - start);
            if (leafIndex < start + k)
            {
                path.Add(RangeHash(source, start + k, end));
                end = start + k;
            }
            else
            {
                path.Add(RangeHash(source, start, start + k));
                start += k;
            }
        }
        path.Reverse();
        return path;
    }

    /// <summary>
    /// The consistency proof between the trees of the first <paramref name="size1"/> and <paramref name="size2"/>
    /// leaves (RFC 9162 §2.1.4.1); empty when the sizes are equal. Size 0 has no proof.
    /// </summary>
    public static IReadOnlyList<byte[]> ConsistencyProof(ISubtreeHashSource source, long size1, long size2)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(size1, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(size2, size1);
        var proof = new List<byte[]>(64);
        if (size1 == size2) return proof;
        // SUBPROOF(m, D[start:end], b) unrolled: each step records the sibling of the part that holds the boundary.
        long start = 0, end = size2;
        var wholeOldTreeKnown = true;
        while (true)
        {
            var m = size1 - start;
            var n = end - start;
            if (m == n)
            {
                // This subtree is entirely old: the verifier knows it already only when it is the old root itself.
                if (!wholeOldTreeKnown) proof.Add(RangeHash(source, start, end));
                break;
            }
            var k = LargestPowerOfTwoBelow(n);
            if (m <= k)
            {
                proof.Add(RangeHash(source, start + k, end));
                end = start + k;
            }
            else
            {
                proof.Add(RangeHash(source, start, start + k));
                start += k;
                wholeOldTreeKnown = false;
            }
        }
        proof.Reverse();
        return proof;
    }

    /// <summary>
    /// The perfect subtrees that appending leaf <paramref name="leafIndex"/> completes, the leaf itself first
    /// (level 0). Reads only subtrees completed earlier, so a store can persist the result in the same
    /// transaction as the leaf.
    /// </summary>
    public static IReadOnlyList<PerfectSubtree> SubtreesCompletedBy(ISubtreeHashSource source, long leafIndex, ReadOnlySpan<byte> leafHash)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(leafIndex);
        if (leafHash.Length != MerkleHash.Size) throw new ArgumentException("A leaf hash is 32 bytes.", nameof(leafHash));
        var hash = leafHash.ToArray();
        var completed = new List<PerfectSubtree> { new(0, leafIndex, hash) };
        // A subtree of 2^level leaves completes when the leaf count becomes a multiple of 2^level.
        for (var level = 1; level < 63 && ((leafIndex + 1) & ((1L << level) - 1)) == 0; level++)
        {
            var left = source.SubtreeHash(level - 1, (leafIndex >> (level - 1)) - 1);
            hash = MerkleHash.NodeHash(left, hash);
            completed.Add(new PerfectSubtree(level, leafIndex >> level, hash));
        }
        return completed;
    }

    /// <summary>The k of RFC 9162: the largest power of two strictly below n (n ≥ 2).</summary>
    internal static long LargestPowerOfTwoBelow(long n) => 1L << BitOperations.Log2((ulong)(n - 1));

    private static long HighestPowerOfTwoAtMost(long n) => 1L << BitOperations.Log2((ulong)n);
}
