namespace Pact.Core.TransparencyLog;

/// <summary>
/// Where the prover reads the tree from: the hashes of its perfect subtrees. Once complete such a subtree
/// never changes, so a store can persist each one as it completes and answer any proof, for any tree size
/// up to its own, in O(log n) reads.
/// </summary>
public interface ISubtreeHashSource
{
    /// <summary>
    /// The hash of the perfect subtree of 2^<paramref name="level"/> leaves that starts at leaf
    /// <paramref name="index"/> × 2^<paramref name="level"/>; level 0 is a leaf hash. Only asked for subtrees
    /// that are complete in the tree the caller names.
    /// </summary>
    byte[] SubtreeHash(int level, long index);
}

/// <summary>One perfect subtree: 2^Level leaves starting at leaf Index × 2^Level.</summary>
public sealed record PerfectSubtree(int Level, long Index, byte[] Hash);
