extern alias daemon;

using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Pact.Core.Crypto;
using Pact.Core.Events;
using Pact.Store;
using Pact.Store.Sqlite;
using daemon::Pact.Daemon.Hosting;
using daemon::Pact.Daemon.TransparencyLog;


namespace Pact.Benchmarks;

/// <summary>
/// What signing log checkpoints costs the append path (§9). Each call appends the same 40,000 signed
/// session events through a fresh IPactStore — 16 writers, each in its own session, one event per
/// request and the next request only after the previous one is acknowledged (the shape of 16 agents
/// flipping their sessions) — three ways: no checkpointer (baseline); the daemon's LogCheckpointer on its
/// normal schedule (a checkpoint per second of growth, on the real clock); and a checkpoint started after
/// every commit (worst case: as soon as a commit lands and the previous checkpoint is done). Events/s =
/// 40,000 / Mean; the checkpoints signed in each call are printed after it.
/// </summary>
[Config(typeof(Config))]
public class LogCheckpointOverheadBenchmarks
{
    private const int Writers = 16;
    private const int EventsPerWriter = 2_500;
    public const int TotalEvents = Writers * EventsPerWriter;
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private sealed class Config : BenchmarkDotNet.Configs.ManualConfig
    {
        public Config()
        {
            AddJob(LogJobs.Monitoring(iterations: 5));
            AddColumn(new EventsPerSecondColumn(TotalEvents));
        }
    }

    private EventDraft[][] _drafts = [];
    private string[] _sessions = [];
    private DaemonIdentity _identity = null!;
    private string _directory = "";
    private SqlitePactStore _store = null!;
    private LogCheckpointer? _checkpointer;
    private Task _everyCommit = Task.CompletedTask;
    private Channel<bool>? _committed;
    private long _commitsBefore;

    /// <summary>FULL is the daemon's default (each commit fsync'd); NORMAL takes the disk out and leaves the CPU cost.</summary>
    [Params("FULL", "NORMAL")]
    public string Synchronous { get; set; } = "FULL";

    [GlobalSetup]
    public void Setup()
    {
        _identity = new DaemonIdentity(KeyPair.Generate(), "bench.example/pact");
        _drafts = new EventDraft[Writers][];
        _sessions = Enumerable.Range(0, Writers).Select(w => $"ses_01JD00000000000000000WRT{w:D2}").ToArray();
        Parallel.For(0, Writers, w =>
        {
            var (a, b) = (KeyPair.Generate(), KeyPair.Generate());
            _drafts[w] = Enumerable.Range(0, EventsPerWriter).Select(i => LogBenchData.Draft(_sessions[w], i, a, b, _identity.DaemonId)).ToArray();
        });
    }

    [IterationSetup(Target = nameof(NoCheckpoints))]
    public void OpenWithout() => Open();

    [IterationSetup(Target = nameof(CheckpointEverySecond))]
    public void OpenScheduled()
    {
        Open();
        _checkpointer = NewCheckpointer();
        _checkpointer.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    [IterationSetup(Target = nameof(CheckpointEveryCommit))]
    public void OpenEveryCommit()
    {
        Open();
        var checkpointer = _checkpointer = NewCheckpointer();
        // Commits that land while a checkpoint is being signed fold into the next one: one signal waits at most.
        var committed = _committed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        _store.Committed += Signal;
        _everyCommit = Task.Run(async () =>
        {
            await foreach (var _ in committed.Reader.ReadAllAsync()) await checkpointer.CheckpointAsync(CancellationToken.None);
        });
    }

    [IterationCleanup]
    public void Close() => LogBenchData.Run(async () =>
    {
        var commits = _store.CommitCount - _commitsBefore;
        var checkpoints = (await _store.ListLogCheckpointsAsync(0, 1_000_000)).Count;
        if (_committed is not null)
        {
            _store.Committed -= Signal;
            _committed.Writer.TryComplete();
            await _everyCommit; // the checkpoint in progress, if any, finishes first
            _committed = null;
        }
        else if (_checkpointer is not null)
        {
            await _checkpointer.StopAsync(CancellationToken.None);
        }
        LogBenchData.Log($"{_store.HeadSeq} events in {commits} commits; {checkpoints} checkpoints signed during the call");
        _checkpointer?.Dispose();
        _checkpointer = null;
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
        return 0;
    });

    [Benchmark(Baseline = true)]
    public long NoCheckpoints() => Append();

    [Benchmark]
    public long CheckpointEverySecond() => Append();

    [Benchmark]
    public long CheckpointEveryCommit() => Append();

    /// <summary>Every writer appends its events one request at a time; returns when all are acknowledged.</summary>
    private long Append()
    {
        Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            foreach (var draft in _drafts[w])
                await _store.AppendAsync(new AppendRequest(T0, [new StreamAppend(_sessions[w], [draft])]));
        }))).GetAwaiter().GetResult();
        return _store.HeadSeq;
    }

    private void Open()
    {
        _directory = Path.Combine(Path.GetTempPath(), "pact-bench-" + Guid.NewGuid().ToString("N"));
        _store = LogBenchData.Run(() => SqlitePactStore.OpenAsync(new PactStoreOptions
        {
            DatabasePath = Path.Combine(_directory, "pact.db"),
            Synchronous = Synchronous,
        }));
        _commitsBefore = _store.CommitCount;
    }

    private LogCheckpointer NewCheckpointer() => new(_store, _identity, new DataDirectory(_directory), TimeProvider.System, NullLogger<LogCheckpointer>.Instance);

    private void Signal(IReadOnlyList<TranscriptEvent> events) => _committed?.Writer.TryWrite(true);
}
