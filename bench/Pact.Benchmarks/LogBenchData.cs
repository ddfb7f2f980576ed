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
using Pact.Core.Log;
using Pact.Core.Sessions;
using daemon::Pact.Daemon.Hosting;
using daemon::Pact.Daemon.Log;
using daemon::Pact.Daemon.Persistence;
using Pact.Transcript;

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

    private LogBenchData(string directory, TranscriptStore store, DaemonIdentity identity, LogCheckpointer checkpointer)
    {
        Directory = directory;
        Store = store;
        Identity = identity;
        Checkpointer = checkpointer;
    }

    public string Directory { get; }

    public TranscriptStore Store { get; }

    public DaemonIdentity Identity { get; }

    public LogCheckpointer Checkpointer { get; }

    /// <summary>Opens a store with the daemon's schema and appends one session of <paramref name="events"/> signed events (plus <paramref name="filler"/> unsigned events of another stream).</summary>
    public static async Task<LogBenchData> CreateAsync(int events, int filler = 0, params string[] sessions)
    {
        var directory = Path.Combine(Path.GetTempPath(), "pact-bench-" + Guid.NewGuid().ToString("N"));
        var store = await TranscriptStore.OpenAsync(new TranscriptStoreOptions
        {
            DatabasePath = Path.Combine(directory, "pact.db"),
            Synchronous = "NORMAL", // setup speed only; reads are what is measured
            Migrations = ReadModelSchema.Migrations,
        });
        var identity = new DaemonIdentity(KeyPair.Generate(), "bench.example/pact");
        var checkpointer = new LogCheckpointer(store, identity, TimeProvider.System, NullLogger<LogCheckpointer>.Instance);
        var data = new LogBenchData(directory, store, identity, checkpointer);
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

    private async Task AppendSessionAsync(string session, int events)
    {
        var a = KeyPair.Generate();
        var b = KeyPair.Generate();
        var drafts = new List<EventDraft>(events);
        var created = Envelope.Sign(a, "session.create", Identity.DaemonId, T0, new JsonObject { ["participants"] = new JsonArray(a.Did, b.Did), ["topic"] = "bench" });
        drafts.Add(new EventDraft("session.created", a.Did, new JsonObject
        {
            ["envelope"] = created.ToJson(), ["participants"] = new JsonArray(a.Did, b.Did), ["topic"] = "bench", ["metadata"] = null,
        }));
        for (var i = 1; i < events; i++)
        {
            var signer = i % 2 == 1 ? a : b;
            var type = i % 2 == 1 ? "session.suspend" : "session.resume";
            var envelope = Envelope.Sign(signer, type, Identity.DaemonId, T0.AddMilliseconds(i), new JsonObject { ["sessionId"] = session });
            drafts.Add(new EventDraft(i % 2 == 1 ? "session.suspended" : "session.resumed", signer.Did, new JsonObject { ["envelope"] = envelope.ToJson() }));
        }
        foreach (var chunk in drafts.Chunk(5000))
            await Store.AppendAsync(new AppendRequest(T0, [new StreamAppend(session, chunk)]));
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
