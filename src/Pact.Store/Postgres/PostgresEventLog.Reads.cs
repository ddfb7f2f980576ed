using System.Data;
using Npgsql;
using Pact.Core.Events;

namespace Pact.Store.Postgres;

// Reads on pooled connections: pages of a stream or of the whole log, checked as they are read, and the full scan.
internal sealed partial class PostgresEventLog
{
    private const string EventColumns = "seq, stream, stream_seq, type, time, actor, data, prev_hash, hash";
    private const string StreamPageSql = $"SELECT {EventColumns} FROM events WHERE stream = $1 AND stream_seq > $2 ORDER BY stream_seq LIMIT $3";
    private const string GlobalPageSql = $"SELECT {EventColumns} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2";

    public async Task<IReadOnlyList<TranscriptEvent>> ReadStreamAsync(string stream, long afterStreamSeq, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(afterStreamSeq);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var rows = await ReadRowsAsync(StreamPageSql, [stream, afterStreamSeq, limit], ct).ConfigureAwait(false);
        var events = rows.Select(StoredEvents.ToEvent).ToList();
        StoredEvents.CheckStreamPage(stream, afterStreamSeq, events);
        return events;
    }

    public async Task<IReadOnlyList<TranscriptEvent>> ReadAllAsync(long afterSeq, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSeq);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var rows = await ReadRowsAsync(GlobalPageSql, [afterSeq, limit], ct).ConfigureAwait(false);
        var events = rows.Select(StoredEvents.ToEvent).ToList();
        StoredEvents.CheckGlobalPage(afterSeq, events);
        return events;
    }

    public async Task<TranscriptEvent?> GetBySeqAsync(long seq, CancellationToken ct = default)
    {
        var rows = await ReadRowsAsync($"SELECT {EventColumns} FROM events WHERE seq = $1", [seq], ct).ConfigureAwait(false);
        return rows.Count == 0 ? null : StoredEvents.ToEvent(rows[0]);
    }

    public async Task<(long StreamSeq, string Hash)?> GetStreamHeadAsync(string stream, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        await using var connection = await OpenReadConnectionAsync(ct).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT stream_seq, hash FROM events WHERE stream = $1 ORDER BY stream_seq DESC LIMIT 1", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stream });
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? (reader.GetInt64(0), reader.GetString(1)) : null;
    }

    public Task<IReadOnlyList<StoredEventRow>> ReadStreamRowsAsync(string stream, long afterStreamSeq, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return ReadRowsAsync(StreamPageSql, [stream, afterStreamSeq, limit], ct);
    }

    public Task<IReadOnlyList<StoredEventRow>> ReadRowsAsync(long afterSeq, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSeq);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return ReadRowsAsync(GlobalPageSql, [afterSeq, limit], ct);
    }

    /// <summary>An open pooled connection for read-model queries; dispose it to return it to the pool.</summary>
    public async Task<NpgsqlConnection> OpenReadConnectionAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Volatile.Read(ref _open) == 0) throw new InvalidOperationException("The PostgreSQL transcript is not open yet: open the store before using it.");
        try
        {
            return await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        }
        catch (NpgsqlException e) when (!ct.IsCancellationRequested)
        {
            // A refused or unobtainable connection is the server's state, not the request's fault: retryable (503), not a 500.
            throw new StoreUnavailableException("The PostgreSQL server did not give the store a connection: " + e.Message, e);
        }
    }

    /// <summary>
    /// Scans the whole transcript in one snapshot (a repeatable-read transaction; appends go on): seq from 1 without
    /// gaps, every stream's chain, every hash, time never going back in a stream.
    /// </summary>
    public async Task<TranscriptVerification> VerifyAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenReadConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"SELECT {EventColumns} FROM events ORDER BY seq", connection, tx);
        var scan = new LogScan();
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) scan.Add(StoredEvents.ToEvent(ReadRow(reader)));
        return scan.Result;
    }

    private async Task<IReadOnlyList<StoredEventRow>> ReadRowsAsync(string sql, object[] parameters, CancellationToken ct)
    {
        await using var connection = await OpenReadConnectionAsync(ct).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var rows = new List<StoredEventRow>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) rows.Add(ReadRow(reader));
        return rows;
    }

    private static StoredEventRow ReadRow(NpgsqlDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
            reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8));
}
