extern alias daemon;

using System.Diagnostics;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.Extensions.Logging.Abstractions;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.Envelopes;
using Pact.Core.Events;
using Pact.Core.TransparencyLog;
using Pact.Core.Sessions;
using daemon::Pact.Daemon.Hosting;
using daemon::Pact.Daemon.TransparencyLog;

using Pact.Store;
using Pact.Store.Sqlite;

namespace Pact.Benchmarks;

/// <summary>
/// A real transcript for the log benchmarks: one session of <c>n</c> events, each carrying an agent's signed
/// envelope (session.created, then suspend and resume in turn), appended through the store so hashes and the
/// Merkle tree are the production ones, in a temp directory deleted on dispose.
/// </summary>
internal sealed class LogBenchData : IAsyncDisposable
{
    public const string SessionId = "ses_01JD0000000000000000BENCH1";
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Bump when the shape of the built data changes, so an older cached transcript is not reused.</summary>
    private const string CacheVersion = "v2"; // v2: the store projects its read models as the data is written

    private readonly bool _keep;

    private LogBenchData(string directory, IPactStore store, DaemonIdentity identity, LogCheckpointer checkpointer, bool keep = false)
    {
        Directory = directory;
        Store = store;
        Identity = identity;
        Checkpointer = checkpointer;
        _keep = keep;
    }

    public string Directory { get; }

    public IPactStore Store { get; }

    public DaemonIdentity Identity { get; }

    public LogCheckpointer Checkpointer { get; }

    /// <summary>Opens a store with the daemon's schema and appends one session of <paramref name="events"/> signed events (plus <paramref name="filler"/> unsigned events of another stream).</summary>
    public static Task<LogBenchData> CreateAsync(int events, int filler = 0, params string[] sessions) =>
        CreateInAsync(Path.Combine(Path.GetTempPath(), "pact-bench-" + Guid.NewGuid().ToString("N")), KeyPair.Generate(), keep: false, events, filler, sessions);

    /// <summary>
    /// One session of <paramref name="events"/> signed events, built once and kept under the temp directory
    /// (<c>pact-bench-cache/session-{events}-{version}</c>, with the daemon's seed beside it) so that every
    /// benchmark case and every rerun of that size opens the same file instead of rebuilding a million events.
    /// Delete the folder to rebuild; a half-built one (no <c>complete</c> marker) is rebuilt by itself.
    /// </summary>
    public static async Task<LogBenchData> OpenCachedAsync(int events)
    {
        var directory = Path.Combine(Path.GetTempPath(), "pact-bench-cache", $"session-{events}-{CacheVersion}");
        var seedPath = Path.Combine(directory, "daemon.seed");
        var marker = Path.Combine(directory, "complete");
        if (File.Exists(marker))
        {
            var key = KeyPair.FromSeed(Hex.Decode(await File.ReadAllTextAsync(seedPath)));
            var (store, identity, checkpointer) = await OpenAsync(directory, key);
            Log($"reusing the cached transcript of {events} events in {directory}");
            return new LogBenchData(directory, store, identity, checkpointer, keep: true);
        }
        if (System.IO.Directory.Exists(directory)) System.IO.Directory.Delete(directory, recursive: true);
        System.IO.Directory.CreateDirectory(directory);
        var daemonKey = KeyPair.Generate();
        await File.WriteAllTextAsync(seedPath, Hex.Encode(daemonKey.Seed));
        var data = await CreateInAsync(directory, daemonKey, keep: true, events, 0, []);
        await File.WriteAllTextAsync(marker, DateTimeOffset.UtcNow.ToString("O"));
        return data;
    }

    private static async Task<(IPactStore, DaemonIdentity, LogCheckpointer)> OpenAsync(string directory, KeyPair daemonKey)
    {
        var store = await SqlitePactStore.OpenAsync(new PactStoreOptions
        {
            DatabasePath = Path.Combine(directory, "pact.db"),
            Synchronous = "NORMAL", // setup speed only; reads are what is measured
        });
        var identity = new DaemonIdentity(daemonKey, "bench.example/pact");
        return (store, identity, new LogCheckpointer(store, identity, new DataDirectory(directory), TimeProvider.System, NullLogger<LogCheckpointer>.Instance));
    }

    private static async Task<LogBenchData> CreateInAsync(string directory, KeyPair daemonKey, bool keep, int events, int filler, string[] sessions)
    {
        var (store, identity, checkpointer) = await OpenAsync(directory, daemonKey);
        var data = new LogBenchData(directory, store, identity, checkpointer, keep);
        foreach (var session in sessions.Length == 0 ? [SessionId] : sessions) await data.AppendSessionAsync(session, events);
        for (var done = 0; done < filler; done += 10_000)
        {
            var batch = Enumerable.Range(done, Math.Min(10_000, filler - done))
                .Select(i => new EventDraft("bench.filler", TranscriptEvent.DaemonActor, new JsonObject { ["n"] = i })).ToList();
            await store.AppendAsync(new AppendRequest(T0, [new StreamAppend("ses_filler", batch)]));
        }
        await checkpointer.CheckpointAsync(CancellationToken.None);
        return data;
    }

    /// <summary>
    /// Signs a chunk of envelopes across cores while the previous chunk is being appended, then appends it in
    /// requests of 5,000 events: a million events without holding them all in memory at once.
    /// </summary>
    private Task AppendSessionAsync(string session, int events) => AppendSessionAsync(session, 0, events, KeyPair.Generate(), KeyPair.Generate());

    /// <summary>
    /// A bench session of <paramref name="events"/> events whose event <paramref name="checkpointAt"/> (a streamSeq) is a
    /// real session.checkpointed event: its stateHash that of the state before it, so the store projects the snapshot
    /// a daemon would have, and a reader can check it against its event.
    /// </summary>
    public async Task AppendCheckpointedSessionAsync(string session, int events, int checkpointAt)
    {
        var (a, b) = (KeyPair.Generate(), KeyPair.Generate());
        await AppendSessionAsync(session, 0, checkpointAt - 1, a, b);
        var state = await Store.Sessions.GetStateAsync(session, CancellationToken.None) ?? throw new InvalidOperationException("No bench session.");
        await Store.AppendAsync(new AppendRequest(T0, [new StreamAppend(session, [new EventDraft("session.checkpointed", a.Did, new JsonObject
        {
            ["checkpointId"] = "chk_bench", ["stateHash"] = state.StateHash(), ["label"] = null,
        })])]));
        // The events after it go on where the drafts stopped, so suspensions and resumptions still alternate.
        await AppendSessionAsync(session, checkpointAt - 1, events - 1, a, b);
    }

    private async Task AppendSessionAsync(string session, int from, int to, KeyPair a, KeyPair b)
    {
        const int Chunk = 20_000;
        var pending = Task.CompletedTask;
        for (var start = from; start < to; start += Chunk)
        {
            var drafts = new EventDraft[Math.Min(Chunk, to - start)];
            var first = start;
            Parallel.For(0, drafts.Length, j => drafts[j] = Draft(session, first + j, a, b, Identity.DaemonId));
            await pending;
            pending = Task.WhenAll(drafts.Chunk(5000).Select(part => Store.AppendAsync(new AppendRequest(T0, [new StreamAppend(session, part)]))));
        }
        await pending;
    }

    /// <summary>Event <paramref name="i"/> of a bench session: session.created, then suspended and resumed in turn, each carrying its agent's envelope.</summary>
    public static EventDraft Draft(string session, int i, KeyPair a, KeyPair b, string daemonId)
    {
        if (i == 0)
        {
            var created = Envelope.Sign(a, "session.create", daemonId, T0, new JsonObject { ["participants"] = new JsonArray(a.Did, b.Did), ["topic"] = "bench" });
            return new EventDraft("session.created", a.Did, new JsonObject
            {
                ["envelope"] = created.ToJson(), ["participants"] = new JsonArray(a.Did, b.Did), ["topic"] = "bench", ["metadata"] = null,
            });
        }
        var signer = i % 2 == 1 ? a : b;
        var type = i % 2 == 1 ? "session.suspend" : "session.resume";
        var envelope = Envelope.Sign(signer, type, daemonId, T0.AddMilliseconds(i), new JsonObject { ["sessionId"] = session });
        return new EventDraft(i % 2 == 1 ? "session.suspended" : "session.resumed", signer.Did, new JsonObject { ["envelope"] = envelope.ToJson() });
    }

    /// <summary>Every event of a session through the checked reader.</summary>
    public async Task<List<TranscriptEvent>> ReadSessionAsync(string session = SessionId)
    {
        var events = new List<TranscriptEvent>();
        while (true)
        {
            var page = await Store.ReadStreamAsync(session, events.Count, 5000);
            events.AddRange(page);
            if (page.Count < 5000) return events;
        }
    }

    /// <summary>The export bundle of the session, as the daemon's exporter would write it (no compacts or checkpoints in this session).</summary>
    public async Task<string> BundleTextAsync()
    {
        var events = await ReadSessionAsync();
        var log = (await Checkpointer.LatestAsync(CancellationToken.None))!;
        var proofs = await Store.InclusionProofsAsync(events.Select(e => e.Seq - 1).ToList(), log.TreeSize);
        return new JsonObject
        {
            ["format"] = "pact-export/1",
            ["daemon"] = new JsonObject { ["daemonId"] = Identity.DaemonId, ["publicKey"] = Identity.PublicKey, ["origin"] = Identity.Origin },
            ["session"] = SessionState.Replay(events).ToJson(),
            ["events"] = new JsonArray(events.Select(e => (JsonNode)e.ToJson()).ToArray()),
            ["compacts"] = new JsonArray(),
            ["checkpoints"] = new JsonArray(),
            ["log"] = new JsonObject { ["note"] = log.Note, ["treeSize"] = log.TreeSize, ["rootHash"] = Hex.Encode(log.RootHash) },
            ["proofs"] = new JsonArray(events.Select((e, i) => (JsonNode)new JsonObject
            {
                ["seq"] = e.Seq,
                ["hashes"] = new JsonArray(proofs[i].Select(h => (JsonNode)Hex.Encode(h)).ToArray()),
            }).ToArray()),
        }.ToJsonString();
    }

    public async ValueTask DisposeAsync()
    {
        Checkpointer.Dispose();
        await Store.DisposeAsync();
        if (_keep) return;
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Runs an async setup step from BenchmarkDotNet's synchronous hooks.</summary>
    public static T Run<T>(Func<Task<T>> step) => Task.Run(step).GetAwaiter().GetResult();

    public static void Log(string message) => Console.WriteLine($"// {message}");

    public static Stopwatch Time() => Stopwatch.StartNew();
}

/// <summary>
/// The log benchmarks run in-process with a long timeout: their setup builds real transcripts, and on a loaded
/// machine building BenchmarkDotNet's boilerplate project can outlast its two-minute build timeout.
/// </summary>
internal static class LogJobs
{
    public static Job InProcess(Job job) =>
        job.WithToolchain(new BenchmarkDotNet.Toolchains.InProcess.Emit.InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: false));

    /// <summary>One call per iteration: for operations that take milliseconds or more.</summary>
    public static Job Monitoring(int iterations, int warmups = 1) =>
        InProcess(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(warmups).WithIterationCount(iterations));
}

/// <summary>The 99th percentile of the measured iterations (with InvocationCount 1: of single calls), which BenchmarkDotNet does not print by itself.</summary>
internal sealed class P99Column : IColumn
{
    public string Id => nameof(P99Column);

    public string ColumnName => "P99";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Statistics;

    public int PriorityInCategory => 100;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Time;

    public string Legend => "99th percentile of single-call latency";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        return statistics is null ? "NA" : $"{statistics.Percentiles.Percentile(99) / 1000:N1} μs";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}

/// <summary>Events per second of one measured call: the events it handles (the Events parameter, or a fixed count) over its mean time.</summary>
internal sealed class EventsPerSecondColumn(int fixedEvents = 0) : IColumn
{
    public string Id => nameof(EventsPerSecondColumn);

    public string ColumnName => "Events/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "events handled per second of the mean call";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        var events = benchmarkCase.Parameters["Events"] is int n ? n : fixedEvents;
        return statistics is null || events == 0 ? "NA" : $"{events / (statistics.Mean / 1e9):N0}";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
