using Pact.Store.Relational;

namespace Pact.Store.Projections;

/// <summary>
/// The log clock: for any instant T, the last event whose time is at or before T (§16's <c>?asOf=</c>). Event times
/// are ordered within a stream but not across streams (each request carries the time it was decided at), so the seq
/// cannot be found by bisecting the log. The table keeps the steps of T ↦ max{seq : time(seq) ≤ T}: rows
/// (time, seq) increasing in both, the answer being the row with the largest time ≤ T. A new event (t, s) has the
/// largest seq so far, so it is the answer from t on: it replaces every row with time ≥ t (each row is removed at
/// most once) and is written as (t, s) — in the usual case one delete that finds nothing and one insert per request.
/// </summary>
internal sealed class LogClockProjection : IRelationalProjection
{
    public void Apply(IWriteContext context)
    {
        // This request's steps first, in memory: a later event with an earlier or equal time replaces the ones after it.
        var steps = new List<(string Time, long Seq)>();
        foreach (var e in context.Events)
        {
            while (steps.Count > 0 && string.CompareOrdinal(steps[^1].Time, e.Time) >= 0) steps.RemoveAt(steps.Count - 1);
            steps.Add((e.Time, e.Seq));
        }
        using (var delete = context.CreateCommand("DELETE FROM log_clock WHERE time >= @time"))
        {
            delete.Bind("@time", steps[0].Time);
            delete.ExecuteNonQuery();
        }
        foreach (var (time, seq) in steps)
        {
            using var insert = context.CreateCommand("INSERT INTO log_clock(time, seq) VALUES (@time, @seq)");
            insert.Bind("@time", time);
            insert.Bind("@seq", seq);
            insert.ExecuteNonQuery();
        }
    }
}
