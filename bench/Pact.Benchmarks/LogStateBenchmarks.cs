extern alias daemon;

using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Pact.Core.Contracts.Responses;
using Pact.Core.Json;
using Pact.Core.Sessions;
using daemon::Pact.Daemon.Application;


namespace Pact.Benchmarks;

/// <summary>
/// GET /v1/sessions/{id}/state?at=k without HTTP (SessionService.StateAtAsync) for k = the head of a session
/// of N events: rebuilt from a checkpoint 100 events before k, against the same session without checkpoints,
/// rebuilt from its first event. Both read through the checked reader, which re-hashes every event it returns.
/// </summary>
[Config(typeof(Config))]
public class LogStateBenchmarks
{
    private sealed class Config : BenchmarkDotNet.Configs.ManualConfig
    {
        public Config()
        {
            AddJob(LogJobs.Monitoring(iterations: 10, warmups: 2));
            AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default);
        }
    }

    private const string WithCheckpoint = "ses_01JD00000000000000000STATE1";
    private const string WithoutCheckpoint = "ses_01JD00000000000000000STATE2";
    private const int Tail = 100;

    private LogBenchData _data = null!;
    private SessionService _service = null!;

    [Params(10_000, 100_000)]
    public int Events { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = LogBenchData.Run(() => LogBenchData.CreateAsync(Events, 0, WithoutCheckpoint));
        // The same session with a real session checkpoint 100 events before its head (the store projects its snapshot).
        LogBenchData.Run(async () =>
        {
            await _data.AppendCheckpointedSessionAsync(WithCheckpoint, Events, Events - Tail);
            return 0;
        });
        var store = _data.Store;
        var passports = new PassportService(store, store.Passports, store.Agents, new TranscriptQuarantine(NullLogger<TranscriptQuarantine>.Instance), TimeProvider.System);
        var bundles = new BundleCommits(new daemon::Pact.Daemon.Hosting.DaemonIdentity(Pact.Core.Crypto.KeyPair.Generate(), "localhost/pact"), new DecisionPassports(passports, store));
        var engine = new DecisionEngine(store, new KeyedLock(), TimeProvider.System, new TranscriptQuarantine(NullLogger<TranscriptQuarantine>.Instance), bundles,
            NullLogger<DecisionEngine>.Instance);
        _service = new SessionService(engine, store.Agents, store.Sessions, store.SessionCheckpoints, store, passports);
        var events = LogBenchData.Run(() => _data.ReadSessionAsync(WithCheckpoint));
        var fromCheckpoint = FromCheckpoint();
        var fromStart = FromStart();
        if (fromCheckpoint.StateHash != Jcs.DomainHash(SessionState.HashDomain, SessionState.Replay(events).ToJson())
            || fromCheckpoint.Replay.EventsApplied != Tail
            || fromStart.Replay.EventsApplied != Events)
            throw new InvalidOperationException("The two replays do not do what they are meant to.");
    }

    [GlobalCleanup]
    public void Cleanup() => _data.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public SessionStateView FromCheckpoint() => _service.StateAtAsync(WithCheckpoint, Events, CancellationToken.None).GetAwaiter().GetResult().Body!;

    [Benchmark(Baseline = true)]
    public SessionStateView FromStart() => _service.StateAtAsync(WithoutCheckpoint, Events, CancellationToken.None).GetAwaiter().GetResult().Body!;
}
