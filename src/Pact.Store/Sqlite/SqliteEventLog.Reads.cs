using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.Time;

namespace Pact.Store.Sqlite;

// Reads on pooled read-only connections: pages of a stream or of the whole log, checked as they are read, and the full scan.
internal sealed partial class SqliteEventLog
{
    /// <summary>Events of one stream with streamSeq &gt; <paramref name="afterStreamSeq"/>, in streamSeq order, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<TranscriptEvent>> ReadStreamAsync(string stream, long afterStreamSeq, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(afterStreamSeq);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return ReadAsync<IReadOnlyList<TranscriptEvent>>(connection =>
        {
            using var command = StreamPage(connection, stream, afterStreamSeq, limit);
            var events = ReadEvents(command);
            StoredEvents.CheckStreamPage(stream, afterStreamSeq, events);
            return events;
        }, ct);
    }

    /// <summary>Events of every stream with seq &gt; <paramref name="afterSeq"/>, in seq order, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<TranscriptEvent>> ReadAllAsync(long afterSeq, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSeq);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return ReadAsync<IReadOnlyList<TranscriptEvent>>(connection =>
        {
            using var command = GlobalPage(connection, afterSeq, limit);
            var events = ReadEvents(command);
            StoredEvents.CheckGlobalPage(afterSeq, events);
            return events;
        }, ct);
    }

    public Task<TranscriptEvent?> GetBySeqAsync(long seq, CancellationToken ct = default) =>
        ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {EventColumns} FROM events WHERE seq = $seq;";
            command.Parameters.AddWithValue("$seq", seq);
            var events = ReadEvents(command);
            return events.Count == 0 ? null : events[0];
        }, ct);

    /// <summary>The stream's last committed streamSeq and hash, or null for a stream without events.</summary>
    public Task<(long StreamSeq, string Hash)?> GetStreamHeadAsync(string stream, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ReadAsync<(long, string)?>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT stream_seq, hash FROM events WHERE stream = $stream ORDER BY stream_seq DESC LIMIT 1;";
            command.Parameters.AddWithValue("$stream", stream);
            using var reader = command.ExecuteReader();
            return reader.Read() ? (reader.GetInt64(0), reader.GetString(1)) : null;
        }, ct);
    }

    /// <summary>An open, pooled, read-only connection for read-model queries; dispose it to return it to the pool.</summary>
    public async Task<SqliteConnection> OpenReadConnectionAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ThrowIfNotOpen();
        var connection = new SqliteConnection(_readConnectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs <paramref name="query"/> on a pooled read-only connection.</summary>
    public async Task<T> ReadAsync<T>(Func<SqliteConnection, T> query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var connection = await OpenReadConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            ct.ThrowIfCancellationRequested();
            return query(connection);
        }
    }

    /// <summary>
    /// Runs a read-model <paramref name="query"/> like <see cref="ReadAsync{T}"/>, and turns a row it cannot read (text
    /// that is not the JSON, number or word it must be, a damaged page) into a <see cref="TranscriptIntegrityException"/>
    /// naming <paramref name="what"/> and the session, never into an error that blames the request.
    /// </summary>
    public async Task<T> ReadModelAsync<T>(string what, string? sessionId, Func<SqliteConnection, T> query, CancellationToken ct = default)
    {
        try
        {
            return await ReadAsync(query, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (OperationCanceledException or ObjectDisposedException or TranscriptIntegrityException)
            && (e is not SqliteException sqlite || sqlite.SqliteErrorCode is 11 or 26))
        {
            throw new TranscriptIntegrityException($"The stored {what} cannot be read: {e.Message}", e) { SessionId = sessionId };
        }
    }

    /// <summary>
    /// Scans the whole transcript: seq from 1 without gaps, every stream's streamSeq from 1 without gaps,
    /// every prevHash linking to the previous hash, every hash recomputing, time never going back in a stream.
    /// Throws <see cref="TranscriptIntegrityException"/> at the first break.
    /// </summary>
    public Task<TranscriptVerification> VerifyAsync(CancellationToken ct = default) =>
        ReadAsync(connection =>
        {
            using var tx = connection.BeginTransaction(deferred: true); // one snapshot for the whole scan
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = $"SELECT {EventColumns} FROM events ORDER BY seq;";
            var scan = new LogScan();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                ct.ThrowIfCancellationRequested();
                scan.Add(ReadEvent(reader));
            }
            return scan.Result;
        }, ct);

    private static List<TranscriptEvent> ReadEvents(SqliteCommand command)
    {
        var events = new List<TranscriptEvent>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) events.Add(ReadEvent(reader));
        return events;
    }

    private static TranscriptEvent ReadEvent(SqliteDataReader reader) => StoredEvents.ToEvent(ReadRow(reader));

    /// <summary>
    /// Rows of one stream with stream_seq &gt; <paramref name="afterStreamSeq"/>, in stream_seq order, exactly as stored:
    /// no hash, link or JSON check, so a verifier can name a damaged row instead of failing on it.
    /// </summary>
    public Task<IReadOnlyList<StoredEventRow>> ReadStreamRowsAsync(string stream, long afterStreamSeq, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return ReadAsync<IReadOnlyList<StoredEventRow>>(connection =>
        {
            using var command = StreamPage(connection, stream, afterStreamSeq, limit);
            return ReadRows(command);
        }, ct);
    }

    /// <summary>
    /// Rows of every stream with seq &gt; <paramref name="afterSeq"/>, in seq order, exactly as stored (no hash, link,
    /// gap or JSON check): what a start-up replay reads so that one damaged stream does not stop the others.
    /// </summary>
    public Task<IReadOnlyList<StoredEventRow>> ReadRowsAsync(long afterSeq, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSeq);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return ReadAsync<IReadOnlyList<StoredEventRow>>(connection =>
        {
            using var command = GlobalPage(connection, afterSeq, limit);
            return ReadRows(command);
        }, ct);
    }

    private static List<StoredEventRow> ReadRows(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var rows = new List<StoredEventRow>();
        while (reader.Read()) rows.Add(ReadRow(reader));
        return rows;
    }

    private static StoredEventRow ReadRow(SqliteDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
            reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8));

    /// <summary>One page of a stream, in stream_seq order: what the checked and the raw stream readers both run.</summary>
    private static SqliteCommand StreamPage(SqliteConnection connection, string stream, long afterStreamSeq, int limit)
    {
        var command = connection.CreateCommand();
        command.CommandText = StreamPageSql;
        command.Parameters.AddWithValue("$stream", stream);
        command.Parameters.AddWithValue("$after", afterStreamSeq);
        command.Parameters.AddWithValue("$limit", limit);
        return command;
    }

    /// <summary>One page of the whole log, in seq order: what the checked and the raw readers both run.</summary>
    private static SqliteCommand GlobalPage(SqliteConnection connection, long afterSeq, int limit)
    {
        var command = connection.CreateCommand();
        command.CommandText = GlobalPageSql;
        command.Parameters.AddWithValue("$after", afterSeq);
        command.Parameters.AddWithValue("$limit", limit);
        return command;
    }
}
