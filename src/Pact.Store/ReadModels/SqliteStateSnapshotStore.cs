using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Pact.Core.Encoding;

namespace Pact.Store.Sqlite.ReadModels;

/// <summary>
/// The state snapshot's one row (<see cref="IStateSnapshotStore"/>). The store seals the row as it writes it and checks
/// the seal and the body's hash as it reads it, so a row written or altered without the seal key is refused rather
/// than trusted; what the body says is checked against the log by the daemon.
/// </summary>
internal sealed class SqliteStateSnapshotStore(SqliteEventLog store) : IStateSnapshotStore
{
    private const string Table = "state_snapshots";

    public Task SaveAsync(StoredStateSnapshot snapshot, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var seal = Seal(store.SealKey, snapshot);
        return store.WriteAsync(context =>
        {
            using (var clear = context.CreateCommand($"DELETE FROM {Table}")) clear.ExecuteNonQuery();
            using var insert = context.CreateCommand(
                $"INSERT INTO {Table}(through_seq, event_hash, format, body, body_hash, written_at, seal) VALUES ($seq, $hash, $format, $body, $bodyHash, $at, $seal)");
            insert.Parameters.AddWithValue("$seq", snapshot.ThroughSeq);
            insert.Parameters.AddWithValue("$hash", snapshot.EventHash);
            insert.Parameters.AddWithValue("$format", snapshot.Format);
            insert.Parameters.AddWithValue("$body", snapshot.Body);
            insert.Parameters.AddWithValue("$bodyHash", snapshot.BodyHash);
            insert.Parameters.AddWithValue("$at", snapshot.WrittenAt);
            insert.Parameters.AddWithValue("$seal", seal);
            return insert.ExecuteNonQuery();
        }, ct);
    }

    public async Task<StoredStateSnapshot?> LatestAsync(CancellationToken ct)
    {
        try
        {
            return await ReadCheckedAsync(ct).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 11 or 26) // SQLITE_CORRUPT, SQLITE_NOTADB: the audit names the damage
        {
            throw new TranscriptIntegrityException($"The stored state snapshot cannot be read ({e.Message}).", e);
        }
    }

    private async Task<StoredStateSnapshot?> ReadCheckedAsync(CancellationToken ct)
    {
        var (snapshot, seal) = await store.ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT through_seq, event_hash, format, body, body_hash, written_at, seal FROM {Table} ORDER BY through_seq DESC LIMIT 1";
            using var reader = command.ExecuteReader();
            if (!reader.Read()) return ((StoredStateSnapshot?)null, (string?)null);
            try
            {
                return (new StoredStateSnapshot(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), (byte[])reader.GetValue(3),
                    reader.GetString(4), reader.GetString(5)), reader.GetString(6));
            }
            catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
            {
                throw new TranscriptIntegrityException($"The stored state snapshot does not read ({e.Message}).", e);
            }
        }, ct).ConfigureAwait(false);
        if (snapshot is null) return null;
        if (seal != Seal(store.SealKey, snapshot))
            throw new TranscriptIntegrityException($"The stored state snapshot through seq {snapshot.ThroughSeq} does not carry the seal of what it holds.");
        if (Hex.Encode(SHA256.HashData(snapshot.Body)) != snapshot.BodyHash)
            throw new TranscriptIntegrityException($"The stored state snapshot through seq {snapshot.ThroughSeq} does not hash to its body hash.");
        return snapshot;
    }

    public Task DeleteAllAsync(CancellationToken ct) =>
        store.WriteAsync(context =>
        {
            using var clear = context.CreateCommand($"DELETE FROM {Table}");
            return clear.ExecuteNonQuery();
        }, ct);

    private static string Seal(byte[] key, StoredStateSnapshot s) =>
        RowSeals.Seal(key, [Table, s.ThroughSeq, s.EventHash, (long)s.Format, s.Body, s.BodyHash, s.WrittenAt]);
}
