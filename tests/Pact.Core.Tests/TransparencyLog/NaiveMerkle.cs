using System.Security.Cryptography;
using Pact.Core.TransparencyLog;

namespace Pact.Core.Tests.TransparencyLog;

/// <summary>
/// RFC 9162 §2.1 transcribed literally — MTH, PATH, PROOF/SUBPROOF as recursive definitions over the leaf
/// list — to judge the production prover against. Memoizes MTH of ranges so exhaustive tests stay fast.
/// </summary>
internal sealed class NaiveMerkle(IReadOnlyList<byte[]> leafHashes)
{
    private readonly Dictionary<(int, int), byte[]> _memo = [];

    public byte[] Mth(int start, int end)
    {
        if (end == start) return SHA256.HashData(ReadOnlySpan<byte>.Empty);
        if (end - start == 1) return leafHashes[start];
        if (_memo.TryGetValue((start, end), out var cached)) return cached;
        var k = LargestPowerOfTwoBelow(end - start);
        var hash = MerkleHash.NodeHash(Mth(start, start + k), Mth(start + k, end));
        _memo[(start, end)] = hash;
        return hash;
    }

    public List<byte[]> Path(int m, int start, int end)
    {
        var n = end - start;
        if (n == 1) return [];
        var k = LargestPowerOfTwoBelow(n);
        if (m < k)
        {
            var p = Path(m, start, start + k);
            p.Add(Mth(start + k, end));
            return p;
        }
        var q = Path(m - k, start + k, end);
        q.Add(Mth(start, start + k));
        return q;
    }

    public List<byte[]> Proof(int m, int n) => SubProof(m, 0, n, true);

    private List<byte[]> SubProof(int m, int start, int end, bool b)
    {
        var n = end - start;
        if (m == n) return b ? [] : [Mth(start, end)];
        var k = LargestPowerOfTwoBelow(n);
        if (m <= k)
        {
            var p = SubProof(m, start, start + k, b);
            p.Add(Mth(start + k, end));
            return p;
        }
        var q = SubProof(m - k, start + k, end, false);
        q.Add(Mth(start, start + k));
        return q;
    }

    private static int LargestPowerOfTwoBelow(int n)
    {
        var k = 1;
        while (k * 2 < n) k *= 2;
        return k;
    }
}
