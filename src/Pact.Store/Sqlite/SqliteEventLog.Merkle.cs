using Microsoft.Data.Sqlite;
using Pact.Core.TransparencyLog;


namespace Pact.Store.Sqlite;

// The verifiable log (§9): roots and proofs over the stored Merkle tree, signed checkpoints, and the
// unchecked row reads verification needs.
internal sealed partial class SqliteEventLog
{
    /// <summary>MTH of the first <paramref name="treeSize"/> events (0 ≤ size ≤ <see cref="HeadSeq"/>): at most log2(n) node reads.</summary>
    public Task<byte[]> RootAsync(long treeSize, CancellationToken ct = default)
    {
        MerkleArguments.TreeSize(treeSize, HeadSeq, nameof(treeSize));
        return ReadAsync(connection =>
        {
            using var source = new SqliteSubtreeSource(connection);
            return MerkleProofs.Root(source, treeSize);
        }, ct);
    }

    /// <summary>The RFC 9162 inclusion proof of leaf <paramref name="leafIndex"/> (the event with seq leafIndex + 1) in the tree of <paramref name="treeSize"/> events.</summary>
    public async Task<IReadOnlyList<byte[]>> InclusionProofAsync(long leafIndex, long treeSize, CancellationToken ct = default) =>
        (await InclusionProofsAsync([leafIndex], treeSize, ct).ConfigureAwait(false))[0];

    /// <summary>Inclusion proofs of many leaves in one tree, read on one connection that remembers shared nodes.</summary>
    public Task<IReadOnlyList<IReadOnlyList<byte[]>>> InclusionProofsAsync(IReadOnlyList<long> leafIndexes, long treeSize, CancellationToken ct = default)
    {
        MerkleArguments.Leaves(leafIndexes, treeSize, HeadSeq);
        return ReadAsync<IReadOnlyList<IReadOnlyList<byte[]>>>(connection =>
        {
            using var source = new SqliteSubtreeSource(connection, memoize: leafIndexes.Count > 1);
            var proofs = new List<IReadOnlyList<byte[]>>(leafIndexes.Count);
            foreach (var leaf in leafIndexes)
            {
                ct.ThrowIfCancellationRequested();
                proofs.Add(MerkleProofs.InclusionProof(source, leaf, treeSize));
            }
            return proofs;
        }, ct);
    }

    /// <summary>The RFC 9162 consistency proof from the tree of <paramref name="size1"/> events to that of <paramref name="size2"/> (1 ≤ size1 ≤ size2 ≤ head).</summary>
    public Task<IReadOnlyList<byte[]>> ConsistencyProofAsync(long size1, long size2, CancellationToken ct = default)
    {
        MerkleArguments.Consistency(size1, size2, HeadSeq);
        return ReadAsync(connection =>
        {
            using var source = new SqliteSubtreeSource(connection);
            return MerkleProofs.ConsistencyProof(source, size1, size2);
        }, ct);
    }

    /// <summary>Stores a signed checkpoint through the writer. A size already checkpointed is refused (the table is append-only).</summary>
    public Task SaveLogCheckpointAsync(SignedLogCheckpoint checkpoint, CancellationToken ct = default)
    {
        MerkleArguments.Checkpoint(checkpoint, HeadSeq);
        return WriteAsync(context =>
        {
            using var command = context.CreateCommand("INSERT INTO log_checkpoints (tree_size, root, note, signed_at) VALUES ($size, $root, $note, $at);");
            command.Parameters.AddWithValue("$size", checkpoint.TreeSize);
            command.Parameters.Add("$root", SqliteType.Blob).Value = checkpoint.RootHash;
            command.Parameters.AddWithValue("$note", checkpoint.Note);
            command.Parameters.AddWithValue("$at", checkpoint.SignedAt);
            return command.ExecuteNonQuery();
        }, ct);
    }

    /// <summary>The signed checkpoint with the largest tree size, or null before the first.</summary>
    public Task<SignedLogCheckpoint?> LatestLogCheckpointAsync(CancellationToken ct = default) =>
        ReadAsync(connection => ReadCheckpoint(connection, "SELECT tree_size, root, note, signed_at FROM log_checkpoints ORDER BY tree_size DESC LIMIT 1;", null), ct);

    /// <summary>The signed checkpoint of exactly this tree size, or null when that size was never checkpointed.</summary>
    public Task<SignedLogCheckpoint?> GetLogCheckpointAsync(long treeSize, CancellationToken ct = default) =>
        ReadAsync(connection => ReadCheckpoint(connection, "SELECT tree_size, root, note, signed_at FROM log_checkpoints WHERE tree_size = $size;", treeSize), ct);

    /// <summary>Signed checkpoints with tree size above <paramref name="afterTreeSize"/>, oldest first, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<SignedLogCheckpoint>> ListLogCheckpointsAsync(long afterTreeSize, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return ReadAsync<IReadOnlyList<SignedLogCheckpoint>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT tree_size, root, note, signed_at FROM log_checkpoints WHERE tree_size > $after ORDER BY tree_size LIMIT $limit;";
            command.Parameters.AddWithValue("$after", afterTreeSize);
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var list = new List<SignedLogCheckpoint>();
            while (reader.Read()) list.Add(ReadCheckpoint(reader));
            return list;
        }, ct);
    }

    private static SignedLogCheckpoint? ReadCheckpoint(SqliteConnection connection, string sql, long? treeSize)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (treeSize is { } size) command.Parameters.AddWithValue("$size", size);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadCheckpoint(reader) : null;
    }

    private static SignedLogCheckpoint ReadCheckpoint(SqliteDataReader reader) =>
        new(reader.GetInt64(0), (byte[])reader.GetValue(1), reader.GetString(2), reader.GetString(3));
}
