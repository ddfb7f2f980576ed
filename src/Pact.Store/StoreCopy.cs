using System.Data.Common;
using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Store.Postgres;
using Pact.Store.Relational;
using Pact.Store.Sqlite;

namespace Pact.Store;

/// <summary>What a copy did: the events, log checkpoints and rows of the tables no event gives that it carried over.</summary>
public sealed record StoreCopyReport(long Events, int LogCheckpoints, IReadOnlyDictionary<string, int> Rows);

/// <summary>
/// Moves a SQLite deployment to PostgreSQL: every event appended again, in order, through the target's own writer
/// (so its projections build the read models and its Merkle tree), each checked to come out with the seq and hash it
/// had; the signed log checkpoints; and the rows no event gives (agents, invites, nonces, policies, webhook
/// subscriptions and deliveries), resealed by the target. Then the target is verified: the whole log, the root at
/// every checkpoint, and its audit. The target must be empty; the source is only read.
/// </summary>
public static class StoreCopy
{
    private const int Page = 1000;
    private const int Window = 256; // requests in flight: the target's writer commits them in groups, in order

    /// <summary>
    /// The tables copied row by row: every sealed table (the target computes the seal column) and the published
    /// policies, each in the order of its first column.
    /// </summary>
    private static readonly IReadOnlyList<(string Table, string Columns)> Tables =
        [.. RowSeals.Tables, ("policies", "policy_hash, name, document, effective_rules, published_by, published_at")];

    public static async Task<StoreCopyReport> CopyAsync(SqlitePactStore source, PostgresPactStore target, IProgress<long>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (target.HeadSeq != 0) throw new InvalidOperationException($"The target already holds {target.HeadSeq} events; copy into an empty database.");

        var events = await CopyEventsAsync(source, target, progress, ct).ConfigureAwait(false);
        var checkpoints = 0;
        for (long after = 0; ;)
        {
            var page = await source.ListLogCheckpointsAsync(after, Page, ct).ConfigureAwait(false);
            foreach (var checkpoint in page) await target.SaveLogCheckpointAsync(checkpoint, ct).ConfigureAwait(false);
            checkpoints += page.Count;
            if (page.Count < Page) break;
            after = page[^1].TreeSize;
        }
        var rows = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (table, columns) in Tables) rows[table] = await CopyTableAsync(source.Engine, target.Engine, table, columns, ct).ConfigureAwait(false);
        // Subscriptions copied as rows are active on the target from its next start (its cache loads at open).

        await VerifyAsync(source, target, ct).ConfigureAwait(false);
        return new StoreCopyReport(events, checkpoints, rows);
    }

    /// <summary>
    /// Appends the source's events to the target in seq order. A request is a run of consecutive events with one time
    /// (the writer gives each event max(its stream's last time, the request's time), which is then that time again),
    /// with one stream append per run of one stream; requests are queued in order, so the target assigns the same seqs.
    /// </summary>
    private static async Task<long> CopyEventsAsync(SqlitePactStore source, PostgresPactStore target, IProgress<long>? progress, CancellationToken ct)
    {
        var pending = new List<(Task<AppendResult> Append, IReadOnlyList<StoredEventRow> Rows)>();
        long copied = 0;
        for (long after = 0; ;)
        {
            var page = await source.ReadRowsAsync(after, Page, ct).ConfigureAwait(false);
            foreach (var run in RunsOfOneTime(page))
            {
                var streams = new List<StreamAppend>();
                foreach (var row in run)
                {
                    var draft = new EventDraft(row.Type, row.Actor, StrictJson.Parse(row.Data) as JsonObject
                        ?? throw new TranscriptIntegrityException($"The data of event seq {row.Seq} is not a JSON object; repair the source first."));
                    if (streams.Count > 0 && streams[^1].Stream == row.Stream) ((List<EventDraft>)streams[^1].Events).Add(draft);
                    else streams.Add(new StreamAppend(row.Stream, new List<EventDraft> { draft }));
                }
                pending.Add((target.AppendAsync(new AppendRequest(Pact.Core.Time.Timestamp.Parse(run[0].Time), streams), ct), run));
                if (pending.Count >= Window) copied += await DrainAsync(pending, progress, copied).ConfigureAwait(false);
            }
            if (page.Count < Page) break;
            after = page[^1].Seq;
        }
        copied += await DrainAsync(pending, progress, copied).ConfigureAwait(false);
        return copied;
    }

    private static async Task<long> DrainAsync(List<(Task<AppendResult> Append, IReadOnlyList<StoredEventRow> Rows)> pending, IProgress<long>? progress, long before)
    {
        long count = 0;
        foreach (var (append, rows) in pending)
        {
            var result = await append.ConfigureAwait(false);
            for (var i = 0; i < rows.Count; i++)
            {
                var (copy, original) = (result.Events[i], rows[i]);
                if (copy.Seq != original.Seq || copy.Hash != original.Hash || copy.Time != original.Time)
                    throw new InvalidOperationException(
                        $"Event seq {original.Seq} came out as seq {copy.Seq} with hash {copy.Hash} at {copy.Time}, not as stored; the copy stops here (drop the target database and retry).");
            }
            count += rows.Count;
        }
        pending.Clear();
        progress?.Report(before + count);
        return count;
    }

    private static IEnumerable<IReadOnlyList<StoredEventRow>> RunsOfOneTime(IReadOnlyList<StoredEventRow> page)
    {
        var run = new List<StoredEventRow>();
        foreach (var row in page)
        {
            if (run.Count > 0 && run[0].Time != row.Time)
            {
                yield return run;
                run = [];
            }
            run.Add(row);
        }
        if (run.Count > 0) yield return run;
    }

    private static async Task<int> CopyTableAsync(IRelationalEngine source, IRelationalEngine target, string table, string columns, CancellationToken ct)
    {
        var names = columns.Split(", ");
        var rows = await source.ReadAsync(connection =>
        {
            using var command = connection.Command($"SELECT {columns} FROM {table} ORDER BY {names[0]}");
            using var reader = command.ExecuteReader();
            var list = new List<object?[]>();
            while (reader.Read())
            {
                var row = new object?[names.Length];
                for (var i = 0; i < names.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                list.Add(row);
            }
            return list;
        }, ct).ConfigureAwait(false);
        var insert = $"INSERT INTO {table} ({columns}) VALUES ({string.Join(", ", names.Select(n => "@" + n))})";
        return await target.WriteAsync(context =>
        {
            foreach (var row in rows)
            {
                using var command = context.CreateCommand(insert);
                for (var i = 0; i < names.Length; i++) command.Bind("@" + names[i], Narrow(table, names[i], row[i]));
                command.ExecuteNonQuery();
            }
            return rows.Count;
        }, ct).ConfigureAwait(false);
    }

    // SQLite hands every integer back as long; PostgreSQL's integer columns take an int.
    private static object? Narrow(string table, string column, object? value) =>
        value is long n && (column is "status" && table == "nonces" || column is "consecutive_failures" or "attempt" or "http_status")
            ? checked((int)n) : value;

    private static async Task VerifyAsync(SqlitePactStore source, PostgresPactStore target, CancellationToken ct)
    {
        var copied = await target.VerifyAsync(ct).ConfigureAwait(false);
        if (copied.EventCount != source.HeadSeq)
            throw new InvalidOperationException($"The target verifies {copied.EventCount} events, the source holds {source.HeadSeq}.");
        if (source.HeadSeq > 0)
        {
            var (copiedRoot, sourceRoot) = (await target.RootAsync(source.HeadSeq, ct).ConfigureAwait(false), await source.RootAsync(source.HeadSeq, ct).ConfigureAwait(false));
            if (!copiedRoot.AsSpan().SequenceEqual(sourceRoot)) throw new InvalidOperationException("The target's Merkle root differs from the source's.");
        }
        var audit = await target.AuditAsync(ct).ConfigureAwait(false);
        if (!audit.IsClean)
            throw new InvalidOperationException("The target's audit is not clean: " +
                string.Join("; ", audit.FileDamage.Concat(audit.Global).Concat(audit.Sessions.Select(s => $"{s.Key}: {string.Join(", ", s.Value)}"))));
    }
}
