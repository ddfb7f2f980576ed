using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Pact.Core.Events;
using Pact.Core.Json;

namespace Pact.Store.Sqlite;

/// <summary>
/// Catches a projection added by a migration up on the events committed before it: the migration records the range
/// to fold in <c>projection_backfill</c>, and the store folds it at open, before anything is appended, through the
/// writer, a page per transaction with its progress, so an interrupted start resumes where it stopped. Events are
/// read as stored: checking the log is the verifier's work, and a damaged row must not keep the daemon from starting.
/// </summary>
internal static class ProjectionBackfill
{
    public const int DefaultPageSize = 2000;

    public static async Task RunAsync(SqliteEventLog log, string name, IInlineProjection projection, ILogger logger, CancellationToken ct,
        int pageSize = DefaultPageSize)
    {
        var folded = 0L;
        while (true)
        {
            var (done, count, through) = await log.WriteAsync(context => Step(context, name, projection, pageSize), ct).ConfigureAwait(false);
            folded += count;
            if (done)
            {
                if (folded > 0) logger.LogInformation("Projection {Projection} caught up on {Count} events of the log (through seq {Through})", name, folded, through);
                return;
            }
        }
    }

    private static (bool Done, int Count, long Through) Step(AppendContext context, string name, IInlineProjection projection, int pageSize)
    {
        long after, through;
        using (var command = context.CreateCommand("SELECT after_seq, through_seq FROM projection_backfill WHERE projection = $name"))
        {
            command.Parameters.AddWithValue("$name", name);
            using var reader = command.ExecuteReader();
            if (!reader.Read()) return (true, 0, 0);
            (after, through) = (reader.GetInt64(0), reader.GetInt64(1));
        }
        var page = new List<TranscriptEvent>();
        var last = through;
        using (var command = context.CreateCommand(
            "SELECT seq, stream, stream_seq, type, time, actor, data, prev_hash, hash FROM events WHERE seq > $after AND seq <= $through ORDER BY seq LIMIT $limit"))
        {
            command.Parameters.AddWithValue("$after", after);
            command.Parameters.AddWithValue("$through", through);
            command.Parameters.AddWithValue("$limit", pageSize);
            using var reader = command.ExecuteReader();
            var rows = 0;
            while (reader.Read())
            {
                rows++;
                last = reader.GetInt64(0);
                if (Parse(reader.GetString(6)) is not { } data) continue;
                page.Add(new TranscriptEvent(last, reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
                    reader.GetString(5), data, reader.GetString(7), reader.GetString(8)));
            }
            if (rows == 0) last = through;
        }
        if (page.Count > 0) projection.Apply(context.WithEvents(page));
        var done = last >= through;
        using (var command = context.CreateCommand(done
            ? "DELETE FROM projection_backfill WHERE projection = $name"
            : "UPDATE projection_backfill SET after_seq = $after WHERE projection = $name"))
        {
            command.Parameters.AddWithValue("$name", name);
            if (!done) command.Parameters.AddWithValue("$after", last);
            command.ExecuteNonQuery();
        }
        return (done, page.Count, through);
    }

    private static JsonObject? Parse(string data)
    {
        try
        {
            return StrictJson.Parse(data) as JsonObject;
        }
        catch (Pact.Core.Errors.InvalidJsonException)
        {
            return null;
        }
    }
}
