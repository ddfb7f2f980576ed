using System.Diagnostics;
using System.Globalization;

namespace Pact.Benchmarks;

/// <summary>
/// The checkpoint-overhead measurement interleaved: BenchmarkDotNet runs one case after another, so on a
/// shared machine whose load drifts by tens of runnable threads in minutes the cases do not see the same
/// machine. Here each round runs all three modes back to back (in a rotating order) on the same 40,000
/// events, through the same code as <see cref="LogCheckpointOverheadBenchmarks"/>, and each mode is compared
/// with the no-checkpoint run of its own round.
/// <c>dotnet run -c Release -- checkpoint-overhead [rounds]</c>
/// </summary>
internal static class CheckpointOverheadRounds
{
    private static readonly (string Name, Action<LogCheckpointOverheadBenchmarks> Open)[] Modes =
    [
        ("no checkpoints", b => b.OpenWithout()),
        ("checkpoint every second", b => b.OpenScheduled()),
        ("checkpoint after every commit", b => b.OpenEveryCommit()),
    ];

    public static void Run(int rounds)
    {
        Console.WriteLine($"// {Environment.ProcessorCount} cores; load average {File.ReadAllText("/proc/loadavg").Trim()}");
        foreach (var synchronous in new[] { "FULL", "NORMAL" })
        {
            var bench = new LogCheckpointOverheadBenchmarks { Synchronous = synchronous };
            bench.Setup();
            var seconds = Modes.Select(_ => new List<double>()).ToArray();
            for (var round = -1; round < rounds; round++) // round -1 warms up and is not counted
            {
                for (var k = 0; k < Modes.Length; k++)
                {
                    var m = (k + Math.Max(round, 0)) % Modes.Length;
                    Modes[m].Open(bench);
                    var clock = Stopwatch.StartNew();
                    bench.NoCheckpoints(); // the same appends in every mode; only what was opened differs
                    var elapsed = clock.Elapsed.TotalSeconds;
                    Console.Write($"// {synchronous} round {round + 1}, {Modes[m].Name}: {elapsed:N2} s; ");
                    bench.Close();
                    if (round >= 0) seconds[m].Add(elapsed);
                }
            }
            Console.WriteLine();
            Console.WriteLine($"synchronous={synchronous}, {rounds} rounds of {LogCheckpointOverheadBenchmarks.TotalEvents:N0} events, load average now {File.ReadAllText("/proc/loadavg").Trim()}");
            Console.WriteLine("| mode | median events/s | min–max events/s | median time ÷ same round's no-checkpoint time |");
            Console.WriteLine("|---|---:|---:|---:|");
            for (var m = 0; m < Modes.Length; m++)
            {
                var rates = seconds[m].Select(s => LogCheckpointOverheadBenchmarks.TotalEvents / s).ToList();
                var ratios = seconds[m].Select((s, r) => s / seconds[0][r]).ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {Modes[m].Name} | {Median(rates):N0} | {rates.Min():N0}–{rates.Max():N0} | {Median(ratios):N2} ({string.Join(", ", ratios.Select(x => x.ToString("N2", CultureInfo.InvariantCulture)))}) |"));
            }
            Console.WriteLine();
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
