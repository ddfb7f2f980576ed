using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Core.Time;

namespace Pact.LoadDriver;

/// <param name="Acknowledged">Requests answered 2xx whose answer arrived inside the window (each appended exactly one event).</param>
/// <param name="Seconds">The measured window.</param>
/// <param name="StoreEvents">Events the store committed in the window.</param>
/// <param name="Commits">Writer transactions committed in the window.</param>
/// <param name="Latency">Per-request latency.</param>
/// <param name="Errors">Requests that failed (none expected).</param>
/// <param name="CpuSeconds">CPU time the whole process (daemon and clients) used in the window.</param>
/// <param name="AllocatedBytes">Bytes the whole process allocated on the managed heap in the window.</param>
/// <param name="GcPaused">How long the garbage collector held the process's threads still in the window.</param>
internal sealed record AppendResult(long Acknowledged, double Seconds, long StoreEvents, long Commits, Samples Latency, long Errors, double CpuSeconds, long AllocatedBytes, TimeSpan GcPaused)
{
    /// <summary>Process CPU per acknowledged append, in milliseconds: less sensitive to other tenants than a rate.</summary>
    public double CpuMsPerAppend => CpuSeconds * 1000 / Acknowledged;

    /// <summary>Managed allocation per acknowledged append, in KiB: what the garbage collector is given to do.</summary>
    public double KiBPerAppend => AllocatedBytes / 1024.0 / Acknowledged;

    /// <summary>The share of the window the garbage collector paused the process.</summary>
    public double GcPausedShare => GcPaused.TotalSeconds / Seconds;

    public double AppendsPerSecond => Acknowledged / Seconds;

    public double EventsPerCommit => Commits == 0 ? double.NaN : (double)StoreEvents / Commits;
}

internal sealed record NegotiationResult(int Clients, long Completed, double Seconds, Samples Latency, long Errors)
{
    public double PerSecond => Completed / Seconds;
}

/// <param name="Negotiations">Negotiations run one after another in the one session.</param>
/// <param name="First">Latency of the first <paramref name="Window"/> of them after a short warm-up.</param>
/// <param name="Last">Latency of the last <paramref name="Window"/>, when the session already holds that many more compacts.</param>
internal sealed record LongSessionResult(int Negotiations, int Window, Samples First, Samples Last, long Errors)
{
    /// <summary>Last ÷ first at p50: 1.0 when an event's cost does not depend on how much the session already holds.</summary>
    public double Growth => Last.Percentile(50) / First.Percentile(50);
}

/// <param name="Subscribers">SSE connections open during the measurement.</param>
/// <param name="Events">Events appended in the measurement.</param>
/// <param name="Expected">Subscribers × events.</param>
/// <param name="Delivered">Deliveries received.</param>
/// <param name="AfterAck">Receive time − the moment the appender had its 2xx.</param>
/// <param name="AfterEventTime">Receive time − the event's own <c>time</c> (the daemon's decision instant, ms precision).</param>
internal sealed record SseResult(int Subscribers, int Events, long Expected, long Delivered, Samples AfterAck, Samples AfterEventTime, Samples AppendLatency);

internal static class DaemonBenchmarks
{
    /// <summary>
    /// Each client owns a session and flips it suspended/active as fast as the daemon answers: every request is a
    /// signed envelope and appends exactly one event. Counts the 2xx answers that arrive inside the window.
    /// </summary>
    public static Task<AppendResult> AppendsAsync(InProcessDaemon daemon, int clients, TimeSpan warmup, TimeSpan duration) =>
        AppendsAsync([daemon], clients, warmup, duration);

    /// <summary>
    /// As above with the clients split over several instances of one daemon (client i on instance i mod n; a standby
    /// forwards to the writer). The first instance must be the writer: its store's counters are read.
    /// </summary>
    public static async Task<AppendResult> AppendsAsync(IReadOnlyList<InProcessDaemon> instances, int clients, TimeSpan warmup, TimeSpan duration)
    {
        var daemon = instances[0];
        var https = instances.Select(i => i.CreateHttpClient()).ToArray();
        using var dispose = new Disposables(https);
        var pairs = await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Pair.CreateAsync(https[i % https.Length], "append-" + i, draft: false)));

        return await MeasureAppendsAsync(clients, warmup, duration, i =>
        {
            var pair = pairs[i];
            var suspended = false;
            return async () =>
            {
                if (suspended) await pair.A.Client.ResumeSessionAsync(pair.SessionId);
                else await pair.A.Client.SuspendSessionAsync(pair.SessionId);
                suspended = !suspended;
            };
        }, () => (daemon.Store.HeadSeq, daemon.Store.CommitCount));
    }

    /// <summary>
    /// Runs <paramref name="clients"/> loops of one request each, back to back, and measures a window of
    /// <paramref name="duration"/> that opens after <paramref name="warmup"/>: answers that arrive inside it, their
    /// latency, the process CPU and the store's event and commit counters (<paramref name="counters"/>) at its edges.
    /// A request that throws counts as an error and is not retried.
    /// </summary>
    public static async Task<AppendResult> MeasureAppendsAsync(
        int clients, TimeSpan warmup, TimeSpan duration, Func<int, Func<Task>> client, Func<(long Events, long Commits)> counters)
    {
        var windowStart = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var windowEnd = windowStart + (long)(duration.TotalSeconds * Stopwatch.Frequency);

        var workers = Enumerable.Range(0, clients).Select(client).Select(request => Task.Run(async () =>
        {
            var latency = new Samples();
            long acknowledged = 0, errors = 0;
            while (true)
            {
                var sent = Stopwatch.GetTimestamp();
                if (sent >= windowEnd) break;
                try
                {
                    await request();
                }
                catch (Exception e) when (e is PactApiException or HttpRequestException or TaskCanceledException)
                {
                    errors++;
                    continue;
                }
                var done = Stopwatch.GetTimestamp();
                if (done >= windowStart && done < windowEnd)
                {
                    acknowledged++;
                    latency.AddTicks(done - sent);
                }
            }
            return (latency, acknowledged, errors);
        })).ToArray();

        await WaitUntilAsync(windowStart);
        var (events0, commits0) = counters();
        var cpu0 = Machine.ProcessCpu();
        var allocated0 = GC.GetTotalAllocatedBytes();
        var paused0 = GC.GetTotalPauseDuration();
        await WaitUntilAsync(windowEnd);
        var (events1, commits1) = counters();
        var cpu = (Machine.ProcessCpu() - cpu0).TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes() - allocated0;
        var paused = GC.GetTotalPauseDuration() - paused0;
        var results = await Task.WhenAll(workers);

        var all = new Samples();
        foreach (var r in results) all.AddRange(r.latency);
        return new AppendResult(results.Sum(r => r.acknowledged), duration.TotalSeconds, events1 - events0, commits1 - commits0, all, results.Sum(r => r.errors), cpu, allocated, paused);
    }

    /// <summary>
    /// Each client negotiates compacts back to back in its own session: the contractor proposes drafted standard-tier
    /// terms, the homeowner countersigns. Latency is propose sent → signed record received (two signed requests,
    /// four events).
    /// </summary>
    public static async Task<NegotiationResult> NegotiationsAsync(InProcessDaemon daemon, int clients, TimeSpan warmup, TimeSpan duration)
    {
        using var http = daemon.CreateHttpClient();
        var pairs = await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Pair.CreateAsync(http, $"negotiate-{clients}-{i}", draft: true)));

        var windowStart = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var windowEnd = windowStart + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = pairs.Select((pair, index) => Task.Run(async () =>
        {
            var latency = new Samples();
            long completed = 0, errors = 0, n = 0;
            while (true)
            {
                var sent = Stopwatch.GetTimestamp();
                if (sent >= windowEnd) break;
                if (!await TryNegotiateAsync(pair, $"cmp_{index:x2}{n++:x6}", errors == 0))
                {
                    errors++;
                    continue;
                }
                var done = Stopwatch.GetTimestamp();
                if (done >= windowStart && done < windowEnd)
                {
                    completed++;
                    latency.AddTicks(done - sent);
                }
            }
            return (latency, completed, errors);
        })).ToArray();

        var results = await Task.WhenAll(workers);
        var all = new Samples();
        foreach (var r in results) all.AddRange(r.latency);
        return new NegotiationResult(clients, results.Sum(r => r.completed), duration.TotalSeconds, all, results.Sum(r => r.errors));
    }

    /// <summary>One propose → countersign of a fresh compact between the pair; false on a failure, which is printed when it is the first.</summary>
    private static async Task<bool> TryNegotiateAsync(Pair pair, string compactIdPrefix, bool printFailure)
    {
        var terms = (JsonObject)pair.Terms.DeepClone();
        terms["compactId"] = compactIdPrefix + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var proposal = await pair.A.Client.ProposeAsync(pair.SessionId, terms, pair.A.Authority);
            await pair.B.Client.SignProposalAsync(proposal.ProposalId, pair.B.Authority);
            return true;
        }
        catch (Exception e) when (e is PactApiException or HttpRequestException or TaskCanceledException)
        {
            if (printFailure) Console.Error.WriteLine($"  negotiation error: {e.Message}");
            return false;
        }
    }

    /// <summary>
    /// One client pair negotiates <paramref name="negotiations"/> compacts one after another in a single session (a
    /// long-lived session's life in fast-forward) and compares the latency of the last <paramref name="window"/> with
    /// that of the first: the session's growing state must not make each of its events dearer.
    /// </summary>
    public static async Task<LongSessionResult> LongSessionAsync(InProcessDaemon daemon, int negotiations, int window)
    {
        const int WarmUp = 50; // this pair's first requests (connections, caches) are not the session's size
        ArgumentOutOfRangeException.ThrowIfLessThan(negotiations, WarmUp + 2 * window);
        using var http = daemon.CreateHttpClient();
        var pair = await Pair.CreateAsync(http, "long-session", draft: true);
        Samples first = new(), last = new();
        long errors = 0;
        for (var n = 0; n < negotiations; n++)
        {
            var sent = Stopwatch.GetTimestamp();
            if (!await TryNegotiateAsync(pair, $"cmp_long{n:x6}", errors == 0))
            {
                errors++;
                continue;
            }
            var ticks = Stopwatch.GetTimestamp() - sent;
            if (n >= WarmUp && n < WarmUp + window) first.AddTicks(ticks);
            else if (n >= negotiations - window) last.AddTicks(ticks);
        }
        return new LongSessionResult(negotiations, window, first, last, errors);
    }

    /// <summary>
    /// <paramref name="subscribers"/> raw SSE connections tail one session's stream while one appender adds
    /// <paramref name="events"/> events at <paramref name="perSecond"/>; each delivery is timed against the append's
    /// acknowledgment and against the event's own time.
    /// </summary>
    public static Task<SseResult> SseAsync(InProcessDaemon daemon, int subscribers, int events, int perSecond) =>
        SseAsync([daemon], subscribers, events, perSecond);

    /// <summary>As above with the subscribers spread over several instances of one daemon (subscriber i on instance i mod n); the appender uses the first.</summary>
    public static async Task<SseResult> SseAsync(IReadOnlyList<InProcessDaemon> instances, int subscribers, int events, int perSecond)
    {
        var https = instances.Select(i => i.CreateHttpClient(Timeout.InfiniteTimeSpan)).ToArray();
        using var dispose = new Disposables(https);
        var http = https[0];
        var pair = await Pair.CreateAsync(http, "sse", draft: false);
        var wall0 = TimeProvider.System.GetUtcNow();
        var ticks0 = Stopwatch.GetTimestamp();

        using var stop = new CancellationTokenSource();
        var received = new List<(long Id, long Ticks)>[subscribers];
        var connected = 0;
        var tails = new Task[subscribers];
        for (var i = 0; i < subscribers; i++)
        {
            var log = received[i] = new List<(long, long)>(events + 8);
            var tail = https[i % https.Length];
            tails[i] = Task.Run(() => TailAsync(tail, pair.SessionId, log, () => Interlocked.Increment(ref connected), stop.Token));
            // Open connections in small waves so the accept queue never overflows.
            if (i % 50 == 49) await Task.Delay(20);
        }
        var deadline = Stopwatch.StartNew();
        while (Volatile.Read(ref connected) < subscribers)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(60) || tails.FirstOrDefault(t => t.IsFaulted) is { } failed)
                throw new InvalidOperationException($"Only {connected} of {subscribers} SSE subscriptions opened.", tails.FirstOrDefault(t => t.IsFaulted)?.Exception);
            await Task.Delay(20);
        }

        // One event every subscriber must see before timing starts: proves the subscriptions are live.
        var first = await AppendAsync(pair, suspended: false);
        await WaitForAllAsync(received, first.StreamSeq, TimeSpan.FromSeconds(30));

        var acks = new Dictionary<long, long>();
        var appendLatency = new Samples();
        var suspended = true;
        using (var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / perSecond)))
        {
            for (var k = 0; k < events; k++)
            {
                await timer.WaitForNextTickAsync();
                var sent = Stopwatch.GetTimestamp();
                var (streamSeq, ack) = await AppendAsync(pair, suspended);
                suspended = !suspended;
                acks[streamSeq] = ack;
                appendLatency.AddTicks(ack - sent);
            }
        }
        var last = acks.Keys.Max();
        await WaitForAllAsync(received, last, TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await Task.WhenAll(tails.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));

        // The events' own times, read back once.
        var admin = new PactClient(http, key: null, new PactClientOptions { AdminToken = InProcessDaemon.AdminToken });
        var times = new Dictionary<long, DateTimeOffset>();
        await foreach (var e in admin.GetAllEventsAsync(pair.SessionId, pageSize: 1000)) times[e.StreamSeq] = Timestamp.Parse(e.Time);

        var afterAck = new Samples();
        var afterTime = new Samples();
        long delivered = 0;
        foreach (var log in received)
        {
            foreach (var (id, ticks) in log)
            {
                if (!acks.TryGetValue(id, out var ack)) continue;
                delivered++;
                afterAck.AddTicks(ticks - ack);
                var wall = wall0 + TimeSpan.FromSeconds((ticks - ticks0) / (double)Stopwatch.Frequency);
                afterTime.AddMs((wall - times[id]).TotalMilliseconds);
            }
        }
        return new SseResult(subscribers, events, (long)subscribers * events, delivered, afterAck, afterTime, appendLatency);
    }

    private static async Task<(long StreamSeq, long AckTicks)> AppendAsync(Pair pair, bool suspended)
    {
        var info = suspended ? await pair.A.Client.ResumeSessionAsync(pair.SessionId) : await pair.A.Client.SuspendSessionAsync(pair.SessionId);
        var ack = Stopwatch.GetTimestamp();
        return (info.Head?.StreamSeq ?? throw new InvalidDataException("The session answer carries no head."), ack);
    }

    /// <summary>Reads one SSE connection line by line, stamping each event when its frame is complete (the blank line).</summary>
    private static async Task TailAsync(HttpClient http, string sessionId, List<(long Id, long Ticks)> log, Action opened, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/sessions/{Uri.EscapeDataString(sessionId)}/events/stream?after=head");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", InProcessDaemon.AdminToken);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        opened();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(body);
        long id = 0;
        try
        {
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (line.StartsWith("id:", StringComparison.Ordinal)) id = long.Parse(line.AsSpan(3).Trim(), System.Globalization.CultureInfo.InvariantCulture);
                else if (line.Length == 0 && id > 0)
                {
                    var now = Stopwatch.GetTimestamp();
                    lock (log) log.Add((id, now));
                    id = 0;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped by the driver.
        }
    }

    private static async Task WaitForAllAsync(List<(long Id, long Ticks)>[] received, long id, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (received.Any(log => { lock (log) return log.Count == 0 || log[^1].Id < id; }))
        {
            if (clock.Elapsed > timeout) return; // what is missing then shows as undelivered
            await Task.Delay(10);
        }
    }

    private static async Task WaitUntilAsync(long timestamp)
    {
        var remaining = (timestamp - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency;
        if (remaining > 0) await Task.Delay(TimeSpan.FromSeconds(remaining));
    }
}

/// <summary>Disposes every one of a set of clients at the end of a phase.</summary>
internal sealed class Disposables(IEnumerable<IDisposable> items) : IDisposable
{
    public void Dispose()
    {
        foreach (var item in items) item.Dispose();
    }
}
