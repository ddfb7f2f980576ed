using Npgsql;
using NpgsqlTypes;
using Pact.Core.TransparencyLog;

namespace Pact.Store.Postgres;

// The verifiable log (§9): roots and proofs over the stored Merkle tree, and the signed checkpoints.
internal sealed partial class PostgresEventLog
{
    private const string CheckpointColumns = "tree_size, root, note, signed_at";

    public Task<byte[]> RootAsync(long treeSize, CancellationToken ct = default)
    {
        MerkleArguments.TreeSize(treeSize, HeadSeq, nameof(treeSize));
        return WithSourceAsync(source => MerkleProofs.Root(source, treeSize), memoize: false, ct);
    }

    public async Task<IReadOnlyList<byte[]>> InclusionProofAsync(long leafIndex, long treeSize, CancellationToken ct = default) =>
        (await InclusionProofsAsync([leafIndex], treeSize, ct).ConfigureAwait(false))[0];

    public Task<IReadOnlyList<IReadOnlyList<byte[]>>> InclusionProofsAsync(IReadOnlyList<long> leafIndexes, long treeSize, CancellationToken ct = default)
    {
        MerkleArguments.Leaves(leafIndexes, treeSize, HeadSeq);
        return WithSourceAsync<IReadOnlyList<IReadOnlyList<byte[]>>>(source =>
        {
            var proofs = new List<IReadOnlyList<byte[]>>(leafIndexes.Count);
            foreach (var leaf in leafIndexes)
            {
                ct.ThrowIfCancellationRequested();
                proofs.Add(MerkleProofs.InclusionProof(source, leaf, treeSize));
            }
            return proofs;
        }, memoize: leafIndexes.Count > 1, ct);
    }

    public Task<IReadOnlyList<byte[]>> ConsistencyProofAsync(long size1, long size2, CancellationToken ct = default)
    {
        MerkleArguments.Consistency(size1, size2, HeadSeq);
        return WithSourceAsync(source => MerkleProofs.ConsistencyProof(source, size1, size2), memoize: false, ct);
    }

    /// <summary>Stores a signed checkpoint through the writer. A size already checkpointed is refused (the table is append-only).</summary>
    public Task SaveLogCheckpointAsync(SignedLogCheckpoint checkpoint, CancellationToken ct = default)
    {
        MerkleArguments.Checkpoint(checkpoint, HeadSeq);
        return WriteAsync(context =>
        {
            using var command = context.CreateCommand($"INSERT INTO log_checkpoints ({CheckpointColumns}) VALUES ($1, $2, $3, $4)");
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = checkpoint.TreeSize });
            command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = checkpoint.RootHash, NpgsqlDbType = NpgsqlDbType.Bytea });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = checkpoint.Note });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = checkpoint.SignedAt });
            return command.ExecuteNonQuery();
        }, ct);
    }

    public async Task<SignedLogCheckpoint?> LatestLogCheckpointAsync(CancellationToken ct = default) =>
        await ReadCheckpointsAsync($"SELECT {CheckpointColumns} FROM log_checkpoints ORDER BY tree_size DESC LIMIT 1", [], ct).ConfigureAwait(false) is [var latest] ? latest : null;

    public async Task<SignedLogCheckpoint?> GetLogCheckpointAsync(long treeSize, CancellationToken ct = default) =>
        await ReadCheckpointsAsync($"SELECT {CheckpointColumns} FROM log_checkpoints WHERE tree_size = $1", [treeSize], ct).ConfigureAwait(false) is [var found] ? found : null;

    public Task<IReadOnlyList<SignedLogCheckpoint>> ListLogCheckpointsAsync(long afterTreeSize, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return ReadCheckpointsAsync($"SELECT {CheckpointColumns} FROM log_checkpoints WHERE tree_size > $1 ORDER BY tree_size LIMIT $2", [afterTreeSize, (long)limit], ct);
    }

    private async Task<IReadOnlyList<SignedLogCheckpoint>> ReadCheckpointsAsync(string sql, long[] parameters, CancellationToken ct)
    {
        await using var connection = await OpenReadConnectionAsync(ct).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = value });
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var list = new List<SignedLogCheckpoint>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            list.Add(new SignedLogCheckpoint(reader.GetInt64(0), (byte[])reader.GetValue(1), reader.GetString(2), reader.GetString(3)));
        return list;
    }

    // The proof algorithms read node by node; they run on a pooled connection off the caller's thread.
    private async Task<T> WithSourceAsync<T>(Func<PostgresSubtreeSource, T> read, bool memoize, CancellationToken ct)
    {
        await using var connection = await OpenReadConnectionAsync(ct).ConfigureAwait(false);
        using var source = new PostgresSubtreeSource(connection, memoize: memoize);
        return read(source);
    }
}
