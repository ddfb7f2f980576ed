namespace Pact.Core.TransparencyLog;

/// <summary>
/// An append-only Merkle tree held in memory: every perfect subtree hash, level by level (2n hashes for n
/// leaves). Appends cost O(1) amortized hashes; roots and proofs for any size up to the current one
/// come from <see cref="MerkleProofs"/>. Not thread-safe: one writer, or external locking.
/// </summary>
public sealed class MemoryMerkleTree : ISubtreeHashSource
{
    // _levels[l][i] = hash of leaves [i·2^l, (i+1)·2^l).
    private readonly List<List<byte[]>> _levels = [[]];

    public long Size => _levels[0].Count;

    /// <summary>Appends one leaf hash (already prefixed, e.g. from <see cref="MerkleHash.LeafHash"/>) and returns its index.</summary>
    public long Append(ReadOnlySpan<byte> leafHash)
    {
        var index = Size;
        foreach (var subtree in MerkleProofs.SubtreesCompletedBy(this, index, leafHash))
        {
            if (_levels.Count == subtree.Level) _levels.Add([]);
            _levels[subtree.Level].Add(subtree.Hash);
        }
        return index;
    }

    public byte[] SubtreeHash(int level, long index)
    {
        if (level < 0 || level >= _levels.Count || index < 0 || index >= _levels[level].Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"No complete subtree at level {level}, index {index}.");
        return (byte[])_levels[level][(int)index].Clone();
    }

    public byte[] Root() => MerkleProofs.Root(this, Size);

    public byte[] Root(long treeSize)
    {
        CheckSize(treeSize);
        return MerkleProofs.Root(this, treeSize);
    }

    public IReadOnlyList<byte[]> InclusionProof(long leafIndex, long treeSize)
    {
        CheckSize(treeSize);
        return MerkleProofs.InclusionProof(this, leafIndex, treeSize);
    }

    public IReadOnlyList<byte[]> ConsistencyProof(long size1, long size2)
    {
        CheckSize(size2);
        return MerkleProofs.ConsistencyProof(this, size1, size2);
    }

    private void CheckSize(long treeSize)
    {
        if (treeSize < 0 || treeSize > Size)
            throw new ArgumentOutOfRangeException(nameof(treeSize), $"The tree holds {Size} leaves.");
    }
}
