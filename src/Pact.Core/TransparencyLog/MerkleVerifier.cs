namespace Pact.Core.TransparencyLog;

/// <summary>
/// The verifier side of RFC 9162: §2.1.3.2 (inclusion) and §2.1.4.2 (consistency), written from the
/// RFC's bit-walking algorithms and sharing no code with <see cref="MerkleProofs"/>, so each checks the
/// other. Every malformed input answers false; nothing here throws on untrusted data.
/// </summary>
public static class MerkleVerifier
{
    /// <summary>True when <paramref name="proof"/> shows that <paramref name="leafHash"/> is leaf <paramref name="leafIndex"/> of the tree of <paramref name="treeSize"/> leaves with root <paramref name="root"/>.</summary>
    public static bool VerifyInclusion(long leafIndex, long treeSize, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        if (proof is null || leafIndex < 0 || leafIndex >= treeSize) return false;
        if (leafHash.Length != MerkleHash.Size || root.Length != MerkleHash.Size || !AllHashes(proof)) return false;
        var fn = leafIndex;
        var sn = treeSize - 1;
        var r = leafHash.ToArray();
        foreach (var p in proof)
        {
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                r = MerkleHash.NodeHash(p, r);
                // A right-edge node with no sibling at these levels: climb until it is a right child again.
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                r = MerkleHash.NodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r.AsSpan().SequenceEqual(root);
    }

    /// <summary>
    /// True when <paramref name="proof"/> shows that the tree of <paramref name="size1"/> leaves with root
    /// <paramref name="root1"/> is a prefix of the tree of <paramref name="size2"/> leaves with root <paramref name="root2"/>.
    /// Equal sizes need an empty proof and equal roots; size 0 is refused.
    /// </summary>
    public static bool VerifyConsistency(long size1, long size2, ReadOnlySpan<byte> root1, ReadOnlySpan<byte> root2, IReadOnlyList<byte[]> proof)
    {
        if (proof is null || size1 < 1 || size2 < size1) return false;
        if (root1.Length != MerkleHash.Size || root2.Length != MerkleHash.Size || !AllHashes(proof)) return false;
        if (size1 == size2) return proof.Count == 0 && root1.SequenceEqual(root2);
        if (proof.Count == 0) return false;

        var path = new List<byte[]>(proof.Count + 1);
        // When the old tree is a perfect subtree of the new one, the proof leaves out its root; put it back.
        if ((size1 & (size1 - 1)) == 0) path.Add(root1.ToArray());
        path.AddRange(proof);

        var fn = size1 - 1;
        var sn = size2 - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        var fr = path[0];
        var sr = path[0];
        for (var i = 1; i < path.Count; i++)
        {
            var c = path[i];
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = MerkleHash.NodeHash(c, fr);
                sr = MerkleHash.NodeHash(c, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                sr = MerkleHash.NodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && fr.AsSpan().SequenceEqual(root1) && sr.AsSpan().SequenceEqual(root2);
    }

    private static bool AllHashes(IReadOnlyList<byte[]> proof)
    {
        foreach (var h in proof)
        {
            if (h is null || h.Length != MerkleHash.Size) return false;
        }
        // No proof in a tree of at most 2^63 leaves is longer than 63 hashes (64 counting the re-added root).
        return proof.Count <= 64;
    }
}
