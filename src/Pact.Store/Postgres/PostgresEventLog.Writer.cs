using System.Data;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Pact.Core.Encoding;
using Pact.Core.Events;
using Pact.Core.Time;
using Pact.Core.TransparencyLog;
using Pact.Store.GroupCommit;

namespace Pact.Store.Postgres;

// The single writer: batches of queued requests, each in its savepoint, committed in one transaction (ADR 0003).
// A request's events and Merkle nodes go to the server in one round trip, with its savepoint.
internal sealed partial class PostgresEventLog
{
    private const string InsertEventSql = "INSERT INTO events (seq, stream, stream_seq, type, time, actor, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    private const string InsertNodeSql = "INSERT INTO merkle_nodes (level, idx, hash) VALUES ($1, $2, $3)";

    /// <summary>Commits one batch the queue hands over: completes or fails every request in it.</summary>
    private async Task ProcessBatchAsync(List<PendingWrite<PostgresWrite>> batch)
    {
        var started = Stopwatch.GetTimestamp();
        var results = new AppendResult?[batch.Count];
        var errors = new Exception?[batch.Count];
        var batchHeads = new Dictionary<string, StreamHead>(StringComparer.Ordinal);
        var batchEvents = new List<TranscriptEvent>();
        var frontier = _frontier;
        NpgsqlTransaction? tx = null;
        long nextSeq = 0;
        try
        {
            await EnsureWriterAsync().ConfigureAwait(false);
            var connection = _writer!;
            nextSeq = _headSeq + 1;
            tx = await connection.BeginTransactionAsync().ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
            {
                var work = batch[i].Work;
                var seqBefore = nextSeq;
                var frontierBefore = frontier.Copy();
                var requestHeads = new Dictionary<string, StreamHead>(StringComparer.Ordinal);
                var savepoint = false;
                try
                {
                    var events = InsertEvents(connection, tx, work.Request, frontier, batchHeads, requestHeads, ref nextSeq, ref savepoint).AsReadOnly();
                    object? value = null;
                    if (work.Apply is not null || (events.Count > 0 && _options.Projections.Count > 0))
                    {
                        var context = new PostgresAppendContext(connection, tx, events);
                        if (events.Count > 0)
                            foreach (var projection in _options.Projections) projection.Apply(context);
                        value = work.Apply?.Invoke(context);
                    }
                    Execute(connection, tx, "RELEASE SAVEPOINT pact_request");
                    foreach (var (stream, head) in requestHeads) batchHeads[stream] = head;
                    batchEvents.AddRange(events);
                    results[i] = new AppendResult(events, value);
                }
                catch (Exception e) when (connection.State == ConnectionState.Open && (e is not NpgsqlException || e is PostgresException))
                {
                    // The server refused this request (or its own work threw): undo it alone; the next one reuses its seqs.
                    // A connection that broke (a FATAL error, a lost socket) took the transaction with it: the whole batch fails.
                    if (savepoint) Execute(connection, tx, "ROLLBACK TO SAVEPOINT pact_request; RELEASE SAVEPOINT pact_request");
                    nextSeq = seqBefore;
                    frontier = frontierBefore;
                    errors[i] = e;
                }
            }
            // Delivered to every listening instance when (and only if) the batch commits.
            if (batchEvents.Count > 0) Execute(connection, tx, PostgresLogFollower.NotifySql(nextSeq - 1));
            await tx.CommitAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Nothing of this batch is known to be committed: fail every caller, and reconnect and reload before the next.
            _logger.LogError(e, "Transcript batch of {Count} requests failed; none was acknowledged", batch.Count);
            await AbandonWriterAsync(tx).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++) batch[i].Fail(errors[i] ?? e);
            return;
        }
        await tx.DisposeAsync().ConfigureAwait(false);

        _frontier = frontier;
        foreach (var (stream, head) in batchHeads) _heads[stream] = head;
        if (_heads.Count > _options.StreamHeadCacheLimit) _heads.Clear();
        Volatile.Write(ref _headSeq, nextSeq - 1);
        Interlocked.Increment(ref _commitCount);
        WriterMetrics.Committed(batch.Count, batchEvents.Count, Stopwatch.GetElapsedTime(started));
        batch.Settle(results, errors);
        if (batchEvents.Count > 0) CommittedHandlers.Raise(Committed, batchEvents.AsReadOnly(), _logger);
    }

    /// <summary>Opens the request's savepoint and inserts its events and the Merkle nodes they complete, in one round trip.</summary>
    private List<TranscriptEvent> InsertEvents(
        NpgsqlConnection connection, NpgsqlTransaction tx, AppendRequest request, MerkleFrontier frontier,
        Dictionary<string, StreamHead> batchHeads, Dictionary<string, StreamHead> requestHeads, ref long nextSeq, ref bool savepoint)
    {
        using var batch = new NpgsqlBatch(connection, tx);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SAVEPOINT pact_request"));
        var events = new List<TranscriptEvent>();
        var requestTime = Timestamp.ToText(request.Time);
        foreach (var append in request.Streams)
        {
            if (!requestHeads.TryGetValue(append.Stream, out var head)
                && !batchHeads.TryGetValue(append.Stream, out head)
                && !_heads.TryGetValue(append.Stream, out head))
            {
                head = LoadStreamHead(connection, tx, append.Stream);
                _heads[append.Stream] = head;
            }
            foreach (var pending in append.Events)
            {
                var (e, text) = EventLinker.Next(request, append.Stream, pending, head, nextSeq, requestTime);
                var insert = new NpgsqlBatchCommand(InsertEventSql);
                insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = e.Seq });
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = e.Stream });
                insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = e.StreamSeq });
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = e.Type });
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = e.Time });
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = e.Actor });
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = text });
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = e.PrevHash });
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = e.Hash });
                batch.BatchCommands.Add(insert);
                // Merkle log (§9): the leaf and the perfect subtrees it completes, undone with the savepoint.
                foreach (var node in MerkleProofs.SubtreesCompletedBy(frontier, e.Seq - 1, MerkleHash.LeafHash(Hex.Decode(e.Hash))))
                {
                    var write = new NpgsqlBatchCommand(InsertNodeSql);
                    write.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)node.Level });
                    write.Parameters.Add(new NpgsqlParameter<long> { TypedValue = node.Index });
                    write.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = node.Hash, NpgsqlDbType = NpgsqlDbType.Bytea });
                    batch.BatchCommands.Add(write);
                    frontier.Add(node);
                }
                events.Add(e);
                nextSeq++;
                head = EventLinker.After(e);
            }
            requestHeads[append.Stream] = head;
        }
        // From here the savepoint exists (it is the batch's first statement), whatever the later statements do.
        savepoint = true;
        batch.ExecuteNonQuery();
        return events;
    }

    private static StreamHead LoadStreamHead(NpgsqlConnection connection, NpgsqlTransaction tx, string stream)
    {
        using var command = new NpgsqlCommand("SELECT stream_seq, hash, time FROM events WHERE stream = $1 ORDER BY stream_seq DESC LIMIT 1", connection, tx);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stream });
        using var reader = command.ExecuteReader();
        return reader.Read() ? new StreamHead(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)) : StreamHead.Empty;
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, tx);
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Before a batch: a writer whose connection broke reconnects and takes the writer role again (another instance may
    /// have written meanwhile, so the head, stream heads and Merkle edge are read afresh).
    /// </summary>
    private async Task EnsureWriterAsync()
    {
        if (_superseded is { } superseded) throw new NotTheWriterException(superseded);
        if (_writer is { State: ConnectionState.Open }) return;
        if (_writer is not null) await _writer.DisposeAsync().ConfigureAwait(false);
        _writer = null;
        var before = HeadSeq;
        _writer = await ConnectWriterAsync(CancellationToken.None).ConfigureAwait(false);
        LoadHead();
        if (HeadSeq != before)
        {
            // Another instance wrote while this one had lost the role: whoever decides on this instance's state is behind.
            _superseded = $"Another instance appended seq {before + 1}..{HeadSeq} while this one had lost the writer role; restart it (it comes back as a standby).";
            await _writer.DisposeAsync().ConfigureAwait(false);
            _writer = null;
            throw new NotTheWriterException(_superseded);
        }
        _logger.LogWarning("The PostgreSQL transcript writer reconnected at head seq {HeadSeq}", HeadSeq);
    }

    /// <summary>After a failed batch: roll back if the connection still can, else drop it (and with it the writer role).</summary>
    private async Task AbandonWriterAsync(NpgsqlTransaction? tx)
    {
        try
        {
            if (tx is not null && _writer is { State: ConnectionState.Open }) await tx.RollbackAsync().ConfigureAwait(false);
        }
        catch (Exception rollback)
        {
            _logger.LogError(rollback, "Rolling back the failed transcript batch failed too");
        }
        try
        {
            if (tx is not null) await tx.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception dispose)
        {
            _logger.LogError(dispose, "Disposing the failed transcript transaction failed");
        }
        if (_writer is { State: ConnectionState.Open })
        {
            // Still the writer: only the caches may be stale.
            LoadHead();
            return;
        }
        if (_writer is not null) await _writer.DisposeAsync().ConfigureAwait(false);
        _writer = null;
    }
}
