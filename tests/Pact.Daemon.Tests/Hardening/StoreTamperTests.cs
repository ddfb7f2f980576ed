using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pact.Daemon.Application;
using Pact.Daemon.Tests.Hardening.StoreTamper;
using Pact.Daemon.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pact.Daemon.Tests.Hardening;

/// <summary>
/// Nothing the daemon serves is unverified: one byte changed anywhere in the used pages of any table or index of a
/// stopped daemon's pact.db is either detected — the start refused, the store quarantined (/healthz degraded), or the
/// reads answering 500 PACT-401 — or harmless: every GET answers byte for byte what it answered on the untouched
/// copy. Each flip is made on a fresh copy of the stopped store (its WAL folded in at the stop) and checked on a real
/// daemon after its audit has run. Seeded: PACT_TAMPER_SEED explores other flips, PACT_TAMPER_FLIPS changes how many.
/// </summary>
public sealed class StoreTamperTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 17;
    private const int DefaultFlips = 500;

    [Fact]
    public async Task Every_flipped_byte_in_every_table_and_index_is_detected_or_harmless()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("PACT_TAMPER_SEED"), out var s) ? s : DefaultSeed;
        var count = int.TryParse(Environment.GetEnvironmentVariable("PACT_TAMPER_FLIPS"), out var n) ? n : DefaultFlips;
        var root = Path.Combine(Path.GetTempPath(), "pact-tamper-" + Guid.NewGuid().ToString("N"));
        var started = Stopwatch.StartNew();
        try
        {
            var store = await PopulatedStore.CreateAsync(Path.Combine(root, "pristine"));
            var wal = new FileInfo(Path.Combine(store.Directory, "pact.db-wal"));
            (wal.Exists ? wal.Length : 0).Should().Be(0, "a clean stop folds the WAL into pact.db");
            var baseline = await RunAsync(store, Path.Combine(root, "baseline"), null);
            baseline.Verdict.Should().Be(Verdict.Harmless, baseline.Why);
            var again = await RunAsync(store, Path.Combine(root, "baseline-again"), null, baseline.Answers);
            again.Verdict.Should().Be(Verdict.Harmless, "the untouched store must answer the same every time: " + again.Why);

            var map = PageMap.Read(Path.Combine(store.Directory, "pact.db"));
            var flips = map.ChooseFlips(seed, count);
            flips.Should().HaveCountGreaterThanOrEqualTo(count);
            var pristine = File.ReadAllBytes(Path.Combine(store.Directory, "pact.db"));
            var digest = PageMap.ContentDigest(pristine);
            digest.Should().NotBeNull("the untouched file walks");
            var results = new ConcurrentBag<(Flip Flip, Outcome Outcome)>();
            var index = 0;
            var sameContent = 0;
            await Parallel.ForEachAsync(flips, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (flip, _) =>
            {
                var n = Interlocked.Increment(ref index);
                // A flip that leaves every b-tree's content as it was (free space, unused bookkeeping) cannot change an
                // answer; every eighth of those still goes through the daemon to show it.
                if (PageMap.ContentDigest(flip.AppliedTo(pristine)) == digest && Interlocked.Increment(ref sameContent) % 8 != 1)
                {
                    results.Add((flip, new Outcome(Verdict.Harmless, "same content", [])));
                    return;
                }
                results.Add((flip, await RunAsync(store, Path.Combine(root, "flip-" + n), flip, baseline.Answers)));
            });

            Report(seed, map, results, started.Elapsed);
            var undetected = results.Where(r => r.Outcome.Verdict == Verdict.Undetected).Select(r => $"{r.Flip}: {r.Outcome.Why}").ToList();
            undetected.Should().BeEmpty($"every flip must be detected or harmless (seed {seed})");
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // Left for the temp cleaner.
            }
        }
    }

    private enum Verdict { Harmless, Detected, Undetected }

    private sealed record Outcome(Verdict Verdict, string Why, IReadOnlyList<string> Answers);

    /// <summary>A fresh copy of the stopped store, the flip applied, a daemon started on it, its audit awaited, every read compared.</summary>
    private static async Task<Outcome> RunAsync(PopulatedStore store, string directory, Flip? flip, IReadOnlyList<string>? expected = null)
    {
        Directory.CreateDirectory(directory);
        foreach (var file in Directory.GetFiles(store.Directory).Where(f => !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal)))
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        flip?.ApplyTo(Path.Combine(directory, "pact.db"));

        DaemonHost host;
        try
        {
            host = await DaemonHost.StartAsync(store.Clock, dataDirectory: directory, store: DaemonStore.Sqlite);
        }
        catch (Exception e)
        {
            return new Outcome(Verdict.Detected, "start refused: " + e.GetType().Name, []);
        }
        await using (host)
        {
            var found = await host.Services.GetRequiredService<TranscriptAuditor>().Completion.WaitAsync(TimeSpan.FromSeconds(60));
            if (host.Services.GetRequiredService<TranscriptQuarantine>().IsDegraded)
                return new Outcome(Verdict.Detected, "quarantined: " + (found.Global ?? string.Join(", ", found.Sessions.Keys)), []);
            using var http = host.CreateHttpClient();
            var answers = new List<string>();
            for (var i = 0; i < store.Reads.Count; i++)
            {
                var (path, token, accept) = store.Reads[i];
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                if (accept is not null) request.Headers.Accept.ParseAdd(accept);
                using var response = await http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if ((int)response.StatusCode == 500 && IsIntegrityFailure(body)) return new Outcome(Verdict.Detected, $"{path} answered 500 PACT-401", []);
                var answer = $"{(int)response.StatusCode} {response.Content.Headers.ContentType}\n{body}";
                answers.Add(answer);
                if (expected is not null && expected[i] != answer)
                    return new Outcome(Verdict.Undetected, $"GET {path} answered\n{Cut(answer)}\ninstead of\n{Cut(expected[i])}", answers);
            }
            return new Outcome(Verdict.Harmless, "", answers);
        }
    }

    private static bool IsIntegrityFailure(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["code"]?.GetValue<string>() == "PACT-401";
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static string Cut(string text) => text.Length <= 600 ? text : text[..600] + "…";

    private void Report(int seed, PageMap map, IEnumerable<(Flip Flip, Outcome Outcome)> results, TimeSpan elapsed)
    {
        var all = results.ToList();
        output.WriteLine($"Tamper seed {seed}: {all.Count} flips over {map.Pages.Count} b-trees ({map.Pages.Values.Sum(p => p.Count)} used pages of {map.PageSize} bytes) in {elapsed.TotalSeconds:F0} s");
        output.WriteLine($"{"b-tree",-40} {"pages",5} {"harmless",8} {"detected",8} {"undetected",10}");
        foreach (var group in all.GroupBy(r => r.Flip.BTree).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{group.Key,-40} {map.Pages[group.Key].Count,5} {group.Count(r => r.Outcome.Verdict == Verdict.Harmless),8} " +
                $"{group.Count(r => r.Outcome.Verdict == Verdict.Detected),8} {group.Count(r => r.Outcome.Verdict == Verdict.Undetected),10}");
        }
        output.WriteLine($"{"total",-40} {"",5} {all.Count(r => r.Outcome.Verdict == Verdict.Harmless),8} {all.Count(r => r.Outcome.Verdict == Verdict.Detected),8} {all.Count(r => r.Outcome.Verdict == Verdict.Undetected),10}");
    }
}
