using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Mathematics;
using Pact.Core.Encoding;
using Pact.Core.TransparencyLog;

namespace Pact.Benchmarks;

/// <summary>
/// Latency of one inclusion proof (GET /v1/log/proof/inclusion without HTTP: a pooled read connection and
/// O(log n) primary-key reads of merkle_nodes) as the tree grows, each call timed on its own so the P99
/// column is a real tail. Baseline: the same proof from an in-memory tree of the same size.
/// </summary>
[Config(typeof(Config))]
public class LogProofBenchmarks
{
    private LogBenchData _data = null!;
    private MemoryMerkleTree _memory = null!;
    private Random _random = null!;
    private long _leaf;

    [Params(1_000, 100_000, 1_000_000)]
    public int TreeSize { get; set; }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // One call per iteration and no outlier removal: the distribution of single calls is the point.
            AddJob(LogJobs.InProcess(Job.Default).WithLaunchCount(1).WithWarmupCount(50).WithIterationCount(2000).WithInvocationCount(1).WithUnrollFactor(1)
                // No forced full GC between the 2000 single-call iterations: with a million-leaf tree in memory it dominates the run time (it is never inside a measurement).
                .WithGcForce(false)
                .WithOutlierMode(Perfolizer.Mathematics.OutlierDetection.OutlierMode.DontRemove));
            AddColumn(StatisticColumn.P50, StatisticColumn.P95, new P99Column(), StatisticColumn.Max);
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        var clock = LogBenchData.Time();
        // A one-event session, then unsigned filler: the tree does not care what its leaves are.
        _data = LogBenchData.Run(() => LogBenchData.CreateAsync(1, filler: TreeSize - 1));
        // The in-memory tree from the events' hash column (no JSON parsing: a million events).
        _memory = new MemoryMerkleTree();
        var hashes = LogBenchData.Run(async () =>
        {
            var list = new List<string>(TreeSize);
            for (IReadOnlyList<Pact.Store.StoredEventRow> page; (page = await _data.Store.ReadRowsAsync(list.Count, 10_000)).Count > 0;)
                list.AddRange(page.Select(row => row.Hash));
            return list;
        });
        foreach (var hash in hashes) _memory.Append(MerkleHash.LeafHash(Hex.Decode(hash)));
        if (!LogBenchData.Run(() => _data.Store.RootAsync(TreeSize)).AsSpan().SequenceEqual(_memory.Root()))
            throw new InvalidOperationException("The stored tree is not the tree of the stored events.");
        _random = new Random(42);
        LogBenchData.Log($"tree of {TreeSize} events built in {clock.Elapsed.TotalSeconds:N1} s");
    }

    [GlobalCleanup]
    public void Cleanup() => _data.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [IterationSetup]
    public void NextLeaf() => _leaf = _random.NextInt64(TreeSize);

    [Benchmark]
    public int StoreInclusionProof() => _data.Store.InclusionProofAsync(_leaf, TreeSize).GetAwaiter().GetResult().Count;

    [Benchmark(Baseline = true)]
    public int MemoryInclusionProof() => _memory.InclusionProof(_leaf, TreeSize).Count;
}
