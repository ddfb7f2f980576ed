using Microsoft.Data.Sqlite;
using Pact.Core.TransparencyLog;

namespace Pact.Store.Sqlite;

/// <summary>
/// The perfect-subtree hashes of the log as stored in <c>merkle_nodes</c>, read through one connection
/// (and transaction, on the writer). Each hash is one primary-key look-up; a source used for many proofs
/// at once remembers what it read, since neighbouring proofs share most of their nodes.
/// </summary>
internal sealed class SqliteSubtreeSource : ISubtreeHashSource, IDisposable
{
    private readonly SqliteCommand _select;
    private readonly SqliteParameter _level;
    private readonly SqliteParameter _index;
    private readonly Dictionary<(int, long), byte[]>? _memo;

    public const string SelectSql = "SELECT hash FROM merkle_nodes WHERE level = $level AND idx = $idx;";

    public SqliteSubtreeSource(SqliteConnection connection, SqliteTransaction? transaction = null, bool memoize = false)
        : this(new SqliteCommand(SelectSql, connection, transaction), memoize)
    {
        _select.Prepare();
    }

    /// <summary>Reads through <paramref name="select"/> (a command for <see cref="SelectSql"/>, e.g. the writer's cached one); disposes it.</summary>
    public SqliteSubtreeSource(SqliteCommand select, bool memoize = false)
    {
        _select = select;
        _level = _select.Parameters.Add("$level", SqliteType.Integer);
        _index = _select.Parameters.Add("$idx", SqliteType.Integer);
        if (memoize) _memo = [];
    }

    /// <summary>Look-ups that went to SQLite (for tests that pin the O(log n) cost).</summary>
    public int Reads { get; private set; }

    public byte[] SubtreeHash(int level, long index)
    {
        if (_memo is not null && _memo.TryGetValue((level, index), out var known)) return known;
        _level.Value = level;
        _index.Value = index;
        Reads++;
        // A node the tree needs and does not have means merkle_nodes no longer matches the events.
        var hash = _select.ExecuteScalar() as byte[]
            ?? throw new TranscriptIntegrityException($"The Merkle tree has no node at level {level}, index {index}.");
        if (hash.Length != MerkleHash.Size) throw new TranscriptIntegrityException($"The Merkle node at level {level}, index {index} is not 32 bytes.");
        _memo?.Add((level, index), hash);
        return hash;
    }

    public void Dispose() => _select.Dispose();
}
