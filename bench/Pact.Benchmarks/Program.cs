using BenchmarkDotNet.Running;
using Pact.Benchmarks;

if (args is ["checkpoint-overhead", ..])
{
    CheckpointOverheadRounds.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
