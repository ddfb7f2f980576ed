using Pact.Core.Negotiation;
using Pact.Store.Relational;
using Pact.Store.Sqlite;

namespace Pact.Store.ReadModels;

/// <summary>
/// The state snapshot's one row (<see cref="IStateSnapshotStore"/>). The store seals the row as it writes it and checks
/// the seal and the body's hash as it reads it, so a row written or altered without the seal key is refused rather
/// than trusted; what the body says is checked against the log by the daemon.
/// </summary>
internal sealed class StateSnapshotStore(IRelationalEngine store, byte[] sealKey) : IStateSnapshotStore
{
    private const string Table = "state_snapshots";

    public Task SaveAsync(StoredStateSnapshot snapshot, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var seal = Seal(sealKey, snapshot);
        return store.WriteAsync(context =>
        {
            using (var clear = context.CreateCommand($"DELETE FROM {Table}")) clear.ExecuteNonQuery();
            using var insert = context.CreateCommand(
                $"INSERT INTO {Table}(through_seq, event_hash, format, body, body_hash, written_at, seal) VALUES (@seq, @hash, @format, @body, @bodyHash, @at, @seal)");
            insert.Bind("@seq", snapshot.ThroughSeq)
                .Bind("@hash", snapshot.EventHash)
                .Bind("@format", snapshot.Format)
                .Bind("@body", snapshot.Body)
                .Bind("@bodyHash", snapshot.BodyHash)
                .Bind("@at", snapshot.WrittenAt)
                .Bind("@seal", seal);
            return insert.ExecuteNonQuery();
        }, ct);
    }

    /// <summary>The latest snapshot, checked; a row that cannot be read or does not carry its seal is an integrity failure (the audit names the damage).</summary>
    public async Task<StoredStateSnapshot?> LatestAsync(CancellationToken ct)
    {
        var (snapshot, seal) = await store.ReadModelAsync("state snapshot", null, connection =>
        {
            using var command = connection.Command($"SELECT through_seq, event_hash, format, body, body_hash, written_at, seal FROM {Table} ORDER BY through_seq DESC LIMIT 1");
            using var reader = command.ExecuteReader();
            if (!reader.Read()) return ((StoredStateSnapshot?)null, (string?)null);
            return (new StoredStateSnapshot(reader.GetInt64(0), reader.Text(1), Convert.ToInt32(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture),
                ReadBody(reader), reader.Text(4), reader.Text(5)), reader.Text(6));
        }, ct).ConfigureAwait(false);
        if (snapshot is null) return null;
        // The two passes over the body (tens of MB on a large log) side by side: both are on the path of a start.
        var hashing = Task.Run(() => StateSnapshot.HashOf(snapshot.Body), ct);
        var carriesSeal = seal == Seal(sealKey, snapshot);
        var bodyHash = await hashing.ConfigureAwait(false);
        if (!carriesSeal)
            throw new TranscriptIntegrityException($"The stored state snapshot through seq {snapshot.ThroughSeq} does not carry the seal of what it holds.");
        if (bodyHash != snapshot.BodyHash)
            throw new TranscriptIntegrityException($"The stored state snapshot through seq {snapshot.ThroughSeq} does not hash to its body hash.");
        return snapshot;
    }

    /// <summary>
    /// The body, straight into one array: on SQLite, whose reader streams a blob whose row id was selected (through_seq
    /// is the row id) by incremental blob I/O, this skips the copy the whole value would first be assembled into —
    /// about half the time to read tens of MiB.
    /// </summary>
    private static byte[] ReadBody(System.Data.Common.DbDataReader reader)
    {
        using var stream = reader.GetStream(3);
        if (!stream.CanSeek)
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
        var body = new byte[stream.Length];
        stream.ReadExactly(body);
        return body;
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
