using Npgsql;
using NpgsqlTypes;
using Pact.Core.TransparencyLog;

namespace Pact.Store.Postgres;

/// <summary>
/// The perfect-subtree hashes stored in <c>merkle_nodes</c>, one primary-key look-up each through one connection; a
/// source used for many proofs at once remembers what it read, since neighbouring proofs share most of their nodes.
/// </summary>
internal sealed class PostgresSubtreeSource : ISubtreeHashSource, IDisposable
{
    private readonly NpgsqlCommand _select;
    private readonly NpgsqlParameter<short> _level = new() { NpgsqlDbType = NpgsqlDbType.Smallint };
    private readonly NpgsqlParameter<long> _index = new() { NpgsqlDbType = NpgsqlDbType.Bigint };
    private readonly Dictionary<(int, long), byte[]>? _memo;

    public PostgresSubtreeSource(NpgsqlConnection connection, NpgsqlTransaction? transaction = null, bool memoize = false)
    {
        _select = new NpgsqlCommand("SELECT hash FROM merkle_nodes WHERE level = $1 AND idx = $2", connection, transaction);
        _select.Parameters.Add(_level);
        _select.Parameters.Add(_index);
        if (memoize) _memo = [];
    }

    public byte[] SubtreeHash(int level, long index)
    {
        if (_memo is not null && _memo.TryGetValue((level, index), out var known)) return known;
        _level.TypedValue = (short)level;
        _index.TypedValue = index;
        // A node the tree needs and does not have means merkle_nodes no longer matches the events.
        var hash = _select.ExecuteScalar() as byte[]
            ?? throw new TranscriptIntegrityException($"The Merkle tree has no node at level {level}, index {index}.");
        if (hash.Length != MerkleHash.Size) throw new TranscriptIntegrityException($"The Merkle node at level {level}, index {index} is not 32 bytes.");
        _memo?.Add((level, index), hash);
        return hash;
    }

    public void Dispose() => _select.Dispose();
}
