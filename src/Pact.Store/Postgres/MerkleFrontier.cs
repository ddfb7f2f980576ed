using Npgsql;
using Pact.Core.TransparencyLog;

namespace Pact.Store.Postgres;

/// <summary>
/// The right edge of the log's Merkle tree: the newest perfect subtree of each level, which is every node an append
/// reads (the left siblings it completes). Kept in the writer's memory so an append costs no read round trip; loaded
/// from <c>merkle_nodes</c> when the writer takes over, copied before each request so a rolled-back one leaves no trace.
/// </summary>
internal sealed class MerkleFrontier : ISubtreeHashSource
{
    private readonly Dictionary<int, PerfectSubtree> _newest;

    private MerkleFrontier(Dictionary<int, PerfectSubtree> newest) => _newest = newest;

    public byte[] SubtreeHash(int level, long index) =>
        _newest.TryGetValue(level, out var node) && node.Index == index
            ? node.Hash
            : throw new TranscriptIntegrityException($"The Merkle tree has no node at level {level}, index {index}.");

    public void Add(PerfectSubtree node) => _newest[node.Level] = node;

    public MerkleFrontier Copy() => new(new Dictionary<int, PerfectSubtree>(_newest));

    /// <summary>Reads the newest node of every level of a tree of <paramref name="leafCount"/> leaves.</summary>
    public static MerkleFrontier Load(NpgsqlConnection connection, NpgsqlTransaction? tx, long leafCount)
    {
        var newest = new Dictionary<int, PerfectSubtree>();
        if (leafCount == 0) return new MerkleFrontier(newest);
        var levels = new List<short>();
        var indexes = new List<long>();
        for (var level = 0; level < 63 && (leafCount >> level) > 0; level++)
        {
            levels.Add((short)level);
            indexes.Add((leafCount >> level) - 1);
        }
        using var command = new NpgsqlCommand(
            "SELECT n.level, n.idx, n.hash FROM merkle_nodes n JOIN unnest(@levels, @indexes) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx;",
            connection, tx);
        command.Parameters.AddWithValue("levels", levels.ToArray());
        command.Parameters.AddWithValue("indexes", indexes.ToArray());
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var hash = (byte[])reader.GetValue(2);
            if (hash.Length != MerkleHash.Size) throw new TranscriptIntegrityException($"The Merkle node at level {reader.GetInt16(0)}, index {reader.GetInt64(1)} is not 32 bytes.");
            newest[reader.GetInt16(0)] = new PerfectSubtree(reader.GetInt16(0), reader.GetInt64(1), hash);
        }
        if (newest.Count != levels.Count)
            throw new TranscriptIntegrityException($"The Merkle tree of {leafCount} leaves lacks {levels.Count - newest.Count} of the nodes on its right edge.");
        return new MerkleFrontier(newest);
    }
}
