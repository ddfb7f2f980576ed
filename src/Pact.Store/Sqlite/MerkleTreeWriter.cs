using Microsoft.Data.Sqlite;
using Pact.Core.Encoding;
using Pact.Core.Events;
using Pact.Core.TransparencyLog;

namespace Pact.Store.Sqlite;

/// <summary>
/// Keeps <c>merkle_nodes</c> in step with <c>events</c>, inside the writer's transaction: leaf i is the
/// event with seq i+1, and each append writes the leaf plus the perfect subtrees it completes (O(log n),
/// one node on average). A request rolled back to its savepoint takes its nodes with it.
/// </summary>
internal static class MerkleTreeWriter
{
    /// <summary>Adds the leaves of <paramref name="events"/> (consecutive seqs, in order) to the tree.</summary>
    public static void Append(StatementCache statements, SqliteTransaction transaction, IReadOnlyList<TranscriptEvent> events)
    {
        if (events.Count == 0) return;
        using var source = new SqliteSubtreeSource(statements.Rent(SqliteSubtreeSource.SelectSql, transaction));
        using var insert = statements.Rent("INSERT INTO merkle_nodes (level, idx, hash) VALUES ($level, $idx, $hash);", transaction);
        var level = insert.Parameters.Add("$level", SqliteType.Integer);
        var index = insert.Parameters.Add("$idx", SqliteType.Integer);
        var hash = insert.Parameters.Add("$hash", SqliteType.Blob);
        foreach (var e in events)
        {
            var leaf = MerkleHash.LeafHash(Hex.Decode(e.Hash));
            foreach (var node in MerkleProofs.SubtreesCompletedBy(source, e.Seq - 1, leaf))
            {
                level.Value = node.Level;
                index.Value = node.Index;
                hash.Value = node.Hash;
                insert.ExecuteNonQuery();
            }
        }
    }

    /// <summary>How many leaves the stored tree holds: one past the highest leaf index.</summary>
    public static long LeafCount(SqliteConnection connection, SqliteTransaction? transaction) =>
        SqliteSchema.ScalarLong(connection, transaction, "SELECT COALESCE(MAX(idx) + 1, 0) FROM merkle_nodes WHERE level = 0;");
}
