using System.Diagnostics.Metrics;

namespace Pact.Store.GroupCommit;

/// <summary>The writer's instruments, the same names whichever database a store writes to.</summary>
internal static class WriterMetrics
{
    private static readonly Meter Meter = new("Pact");
    private static readonly Counter<long> CommitCounter = Meter.CreateCounter<long>("pact.transcript.commits", description: "Committed writer transactions.");
    private static readonly Counter<long> EventCounter = Meter.CreateCounter<long>("pact.transcript.events", description: "Events appended.");
    private static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("pact.transcript.batch.requests", description: "Requests per committed batch.");
    private static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>("pact.transcript.batch.duration", "ms", "Time from BEGIN to COMMIT of a batch.");

    /// <summary>Records one committed batch of <paramref name="requests"/> requests that appended <paramref name="events"/> events.</summary>
    public static void Committed(int requests, int events, TimeSpan elapsed)
    {
        CommitCounter.Add(1);
        EventCounter.Add(events);
        BatchSize.Record(requests);
        CommitDuration.Record(elapsed.TotalMilliseconds);
    }
}
