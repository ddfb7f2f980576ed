using Pact.Core.TransparencyLog;

namespace Pact.Store;

/// <summary>
/// What every store checks before it reads or adds to the log's Merkle tree (§9): sizes within the committed log,
/// leaves within their tree, a checkpoint of a size the log has.
/// </summary>
internal static class MerkleArguments
{
    /// <summary>A tree of <paramref name="treeSize"/> leaves exists once <paramref name="head"/> events are committed.</summary>
    public static void TreeSize(long treeSize, long head, string name)
    {
        if (treeSize < 0 || treeSize > head) throw new ArgumentOutOfRangeException(name, $"Tree size {treeSize} is outside 0..{head} (the committed head).");
    }

    /// <summary>Every leaf asked for is in the tree of <paramref name="treeSize"/> leaves, which exists.</summary>
    public static void Leaves(IReadOnlyList<long> leafIndexes, long treeSize, long head)
    {
        ArgumentNullException.ThrowIfNull(leafIndexes);
        TreeSize(treeSize, head, nameof(treeSize));
        foreach (var leaf in leafIndexes)
        {
            if (leaf < 0 || leaf >= treeSize) throw new ArgumentOutOfRangeException(nameof(leafIndexes), $"Leaf {leaf} is not in a tree of {treeSize} leaves.");
        }
    }

    /// <summary>A consistency proof from a non-empty tree of <paramref name="size1"/> leaves to one of <paramref name="size2"/>, which exists.</summary>
    public static void Consistency(long size1, long size2, long head)
    {
        if (size1 < 1) throw new ArgumentOutOfRangeException(nameof(size1), "A consistency proof starts from a tree of at least one leaf.");
        TreeSize(size2, head, nameof(size2));
        if (size1 > size2) throw new ArgumentOutOfRangeException(nameof(size1), "The first tree must not be larger than the second.");
    }

    /// <summary>A checkpoint to store names a non-empty committed tree and a root of the hash's size.</summary>
    public static void Checkpoint(SignedLogCheckpoint checkpoint, long head)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (checkpoint.TreeSize < 1 || checkpoint.TreeSize > head)
            throw new ArgumentOutOfRangeException(nameof(checkpoint), $"Tree size {checkpoint.TreeSize} is outside 1..{head}.");
        if (checkpoint.RootHash is not { Length: MerkleHash.Size }) throw new ArgumentException("A root hash is 32 bytes.", nameof(checkpoint));
    }
}
