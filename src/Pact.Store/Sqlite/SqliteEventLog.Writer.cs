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
using Pact.Store.GroupCommit;

namespace Pact.Store.Sqlite;

// The single writer: batches of queued requests, each in its savepoint, committed in one transaction (ADR 0003).
internal sealed partial class SqliteEventLog
{
    /// <summary>
    /// Runs one of the writer's fixed statements (the request savepoint's) through the statement cache:
    /// <see cref="SqliteTransaction.Save"/> and its siblings parse a new command on every call, twice per request.
    /// </summary>
    private void ExecuteCached(SqliteTransaction tx, string sql)
    {
        using var command = _statements.Rent(sql, tx);
        command.ExecuteNonQuery();
    }

    /// <summary>Commits one batch the queue hands over: completes or fails every request in it.</summary>
    private void ProcessBatch(List<PendingWrite<AppendRequest>> batch)
    {
        var started = Stopwatch.GetTimestamp();
        var results = new AppendResult?[batch.Count];
        var errors = new Exception?[batch.Count];
        var batchHeads = new Dictionary<string, StreamHead>(StringComparer.Ordinal);
        var batchEvents = new List<TranscriptEvent>();
        SqliteTransaction? tx = null;
        long nextSeq = 0;
        try
        {
            if (_reloadHeads) ReloadHeads();
            nextSeq = _headSeq + 1;
            tx = _writer.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: take the write lock now, not mid-batch
            using var insert = _statements.Rent(InsertEventSql, tx);
            var p = InsertParameters.Select(name => insert.Parameters.Add(name, SqliteType.Text)).ToArray();
            p[0].SqliteType = SqliteType.Integer;
            p[2].SqliteType = SqliteType.Integer;

            for (var i = 0; i < batch.Count; i++)
            {
                var request = batch[i].Work;
                var seqBefore = nextSeq;
                var requestHeads = new Dictionary<string, StreamHead>(StringComparer.Ordinal);
                ExecuteCached(tx, SaveSql);
                try
                {
                    var events = InsertEvents(request, tx, insert, p, batchHeads, requestHeads, ref nextSeq).AsReadOnly();
                    // Merkle log (§9): the leaves and completed subtrees of these events, undone with the savepoint.
                    MerkleTreeWriter.Append(_statements, tx, events);
                    object? value = null;
                    if (request.Apply is not null || (events.Count > 0 && _projections.Count > 0))
                    {
                        var context = new AppendContext(_writer, tx, events, _statements);
                        // Inline projections: the read models change in the same transaction (and savepoint) as the events.
                        if (events.Count > 0)
                            foreach (var projection in _projections) projection.Apply(context);
                        value = request.Apply?.Invoke(context);
                    }
                    ExecuteCached(tx, ReleaseSql);
                    foreach (var (stream, head) in requestHeads) batchHeads[stream] = head;
                    batchEvents.AddRange(events);
                    results[i] = new AppendResult(events, value);
                }
                catch (Exception e) when (!TransactionLost())
                {
                    // This request alone is undone; the next one reuses its seq numbers so the log stays gapless.
                    ExecuteCached(tx, RollbackToSql);
                    ExecuteCached(tx, ReleaseSql);
                    nextSeq = seqBefore;
                    errors[i] = e;
                }
            }
            tx.Commit();
        }
        catch (Exception e)
        {
            // Nothing of this batch is committed (or, after a failed COMMIT, we cannot be sure what is):
            // fail every caller and rebuild seq and stream heads from the database before the next batch.
            _logger.LogError(e, "Transcript batch of {Count} requests failed; none was acknowledged", batch.Count);
            try
            {
                if (tx is not null && !TransactionLost()) tx.Rollback();
            }
            catch (Exception rollback)
            {
                _logger.LogError(rollback, "Rolling back the failed transcript batch failed too");
            }
            try
            {
                tx?.Dispose();
            }
            catch (Exception dispose)
            {
                _logger.LogError(dispose, "Disposing the failed transcript transaction failed");
            }
            _heads.Clear();
            _reloadHeads = true;
            for (var i = 0; i < batch.Count; i++) batch[i].Fail(errors[i] ?? e);
            return;
        }
        tx.Dispose();

        foreach (var (stream, head) in batchHeads) _heads[stream] = head;
        if (_heads.Count > _options.StreamHeadCacheLimit) _heads.Clear();
        Volatile.Write(ref _headSeq, nextSeq - 1);
        Interlocked.Increment(ref _commitCount);
        WriterMetrics.Committed(batch.Count, batchEvents.Count, Stopwatch.GetElapsedTime(started));
        batch.Settle(results, errors);
        if (batchEvents.Count > 0) CommittedHandlers.Raise(Committed, batchEvents.AsReadOnly(), _logger);
    }

    private List<TranscriptEvent> InsertEvents(
        AppendRequest request, SqliteTransaction tx, SqliteCommand insert, SqliteParameter[] p,
        Dictionary<string, StreamHead> batchHeads, Dictionary<string, StreamHead> requestHeads, ref long nextSeq)
    {
        var events = new List<TranscriptEvent>();
        var requestTime = Timestamp.ToText(request.Time);
        foreach (var append in request.Streams)
        {
            if (!requestHeads.TryGetValue(append.Stream, out var head)
                && !batchHeads.TryGetValue(append.Stream, out head)
                && !_heads.TryGetValue(append.Stream, out head))
            {
                // Not touched by this batch, so the transaction's view of it is the committed one.
                head = LoadHead(tx, append.Stream);
                _heads[append.Stream] = head;
            }
            foreach (var pending in append.Events)
            {
                var (e, text) = EventLinker.Next(request, append.Stream, pending, head, nextSeq, requestTime);
                p[0].Value = e.Seq;
                p[1].Value = e.Stream;
                p[2].Value = e.StreamSeq;
                p[3].Value = e.Type;
                p[4].Value = e.Time;
                p[5].Value = e.Actor;
                p[6].Value = text;
                p[7].Value = e.PrevHash;
                p[8].Value = e.Hash;
                insert.ExecuteNonQuery();
                events.Add(e);
                nextSeq++;
                head = EventLinker.After(e);
            }
            requestHeads[append.Stream] = head;
        }
        return events;
    }

    private StreamHead LoadHead(SqliteTransaction tx, string stream)
    {
        using var command = _statements.Rent("SELECT stream_seq, hash, time FROM events WHERE stream = $stream ORDER BY stream_seq DESC LIMIT 1;", tx);
        command.Parameters.AddWithValue("$stream", stream);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new StreamHead(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)) : StreamHead.Empty;
    }

    private void ReloadHeads()
    {
        _heads.Clear();
        Volatile.Write(ref _headSeq, SqliteSchema.ScalarLong(_writer, null, "SELECT COALESCE(MAX(seq), 0) FROM events;"));
        _reloadHeads = false;
    }

    // SQLite rolls back the whole transaction by itself on some errors (disk full, I/O); then no savepoint is left to undo.
    private bool TransactionLost() => SQLitePCL.raw.sqlite3_get_autocommit(_writer.Handle) != 0;
}
