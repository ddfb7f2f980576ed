extern alias daemon;

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pact.Core.Contracts.Responses;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.Negotiation;
using Pact.Store;
using Pact.Store.Sqlite;
using daemon::Pact.Daemon.Application;

namespace Pact.Benchmarks;

/// <summary>
/// A passport answer (GET /v1/agents/{id}/passport without HTTP: PassportService over the store's passport tables,
/// then the response serialized) at the head and at an old asOfSeq (5,000: the same prefix in both logs), for a log
/// of 10⁴ events and one of 10⁶, in
/// interleaved rounds so that both sizes see the same machine load; the small log is the baseline of the same run.
/// The logs are built through the store API (no HTTP, no signatures: the passport reads none) and kept under the
/// temp directory (<c>pact-bench-cache/passport-{events}-{version}</c>) for reruns.
/// <c>dotnet run -c Release -- passport [rounds] [callsPerRound]</c>
/// </summary>
internal static class PassportAnswerRounds
{
    public const int Small = 10_000;
    public const int Large = 1_000_000;
    private const string CacheVersion = "v1";
    private const int Agents = 100;
    private const int OldSeq = 5_000;
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The agent asked about: a party to compacts, failures and declines all through the log.</summary>
    public static readonly string Agent = AgentDid(0);

    public static void Run(int rounds, int calls) => LogBenchData.Run(() => RunAsync(rounds, calls));

    private static async Task<int> RunAsync(int rounds, int calls)
    {
        Console.WriteLine($"// {Environment.ProcessorCount} cores; load average {File.ReadAllText("/proc/loadavg").Trim()}");
        await using var small = await OpenAsync(Small);
        await using var large = await OpenAsync(Large);
        var cases = new List<Case>();
        foreach (var (events, store) in new[] { (Small, small), (Large, large) })
        {
            var service = new PassportService(store, store.Passports, store.Agents,
                new TranscriptQuarantine(Microsoft.Extensions.Logging.Abstractions.NullLogger<TranscriptQuarantine>.Instance), TimeProvider.System);
            cases.Add(new Case(events, "head", service, null));
            // An old prefix, the same in both logs (they are built alike), so only the log's length differs.
            cases.Add(new Case(events, $"asOfSeq {OldSeq:N0}", service, OldSeq.ToString(CultureInfo.InvariantCulture)));
        }
        foreach (var c in cases)
        {
            var answer = JsonNode.Parse(await c.AnswerAsync())!;
            Console.WriteLine($"// {c.Events:N0} events, {c.Position}: asOfSeq {answer["asOfSeq"]}, counts {answer["counts"]!.ToJsonString()}, passportHash {answer["passportHash"]}");
        }
        for (var round = -1; round < rounds; round++) // round -1 warms up and is not counted
        {
            foreach (var c in round % 2 == 0 ? cases : Enumerable.Reverse(cases))
            {
                for (var i = 0; i < calls; i++)
                {
                    var clock = Stopwatch.GetTimestamp();
                    await c.AnswerAsync();
                    if (round >= 0) c.Micros.Add(Stopwatch.GetElapsedTime(clock).TotalMicroseconds);
                }
            }
        }
        Console.WriteLine($"{rounds} rounds of {calls} answers per case, interleaved; load average now {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("| asOf | 10⁴ events p50 / p95 | 10⁶ events p50 / p95 | ratio of p50s (10⁶ ÷ 10⁴) |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var position in cases.Select(c => c.Position).Distinct())
        {
            var s = cases.Single(c => c.Events == Small && c.Position == position);
            var l = cases.Single(c => c.Events == Large && c.Position == position);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {position} | {s.Quantile(0.5):N0} / {s.Quantile(0.95):N0} µs | {l.Quantile(0.5):N0} / {l.Quantile(0.95):N0} µs | {l.Quantile(0.5) / s.Quantile(0.5):N2} |"));
        }
        return 0;
    }

    private sealed record Case(int Events, string Position, PassportService Service, string? AsOfSeq)
    {
        public List<double> Micros { get; } = [];

        /// <summary>What the controller answers: the passport, serialized.</summary>
        public async Task<string> AnswerAsync()
        {
            var (passport, error) = await Service.GetAsync(Agent, AsOfSeq, null, CancellationToken.None);
            if (error is not null) throw new InvalidOperationException(error.Detail);
            return JsonSerializer.Serialize(PassportResponse.From(passport!), PactJson.Options);
        }

        public double Quantile(double q)
        {
            var sorted = Micros.Order().ToList();
            return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(q * sorted.Count))];
        }
    }

    /// <summary>The cached log of <paramref name="events"/> events, built on first use.</summary>
    private static async Task<IPactStore> OpenAsync(int events)
    {
        var directory = Path.Combine(Path.GetTempPath(), "pact-bench-cache", $"passport-{events}-{CacheVersion}");
        var marker = Path.Combine(directory, "complete");
        var fresh = !File.Exists(marker);
        if (fresh && Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(directory);
        var store = await SqlitePactStore.OpenAsync(new PactStoreOptions { DatabasePath = Path.Combine(directory, "pact.db"), Synchronous = "NORMAL" });
        if (!fresh)
        {
            Console.WriteLine($"// reusing the cached log of {events:N0} events in {directory}");
            return store;
        }
        var clock = Stopwatch.StartNew();
        await store.WriteAsync(tx =>
        {
            for (var a = 0; a < Agents; a++)
                tx.InsertAgent(new AgentRecord(AgentDid(a), "bench", new JsonObject { ["id"] = AgentDid(a), ["kind"] = "agent", ["name"] = "bench" }, null, "2026-01-01T00:00:00.000Z"));
            return 0;
        });
        const int Block = 1000;
        for (var start = 0; start < events; start += Block)
        {
            var drafts = Enumerable.Range(start, Math.Min(Block, events - start)).Select(Draft).ToList();
            await store.AppendAsync(new AppendRequest(T0.AddHours(start / Block), [new StreamAppend($"ses_bench{start / Block % 100:D4}", drafts)]));
        }
        await File.WriteAllTextAsync(marker, DateTimeOffset.UtcNow.ToString("O"));
        Console.WriteLine($"// built a log of {events:N0} events in {clock.Elapsed.TotalSeconds:N0} s");
        return store;
    }

    /// <summary>
    /// Event <paramref name="i"/>: in every ten, two compacts come into force (agents n and n+1, n+1 and n+2), the
    /// compact of ten events before expires (honored), an acknowledgment timeout and a decline are recorded, and
    /// five events change no passport.
    /// </summary>
    private static EventDraft Draft(int i)
    {
        var n = i / 10 % Agents;
        return (i % 10) switch
        {
            0 or 1 => Daemon(EventTypes.CompactInForce, new JsonObject
            {
                ["compactId"] = $"cmp_{i}",
                ["version"] = 1,
                ["compactHash"] = new string('c', 64),
                ["record"] = new JsonObject
                {
                    ["terms"] = new JsonObject
                    {
                        ["parties"] = new JsonObject
                        {
                            ["a"] = new JsonObject { ["agent"] = AgentDid(n + i % 10) },
                            ["b"] = new JsonObject { ["agent"] = AgentDid(n + i % 10 + 1) },
                        },
                    },
                    ["inForceAt"] = "2026-01-01T00:00:00.000Z",
                },
            }),
            2 when i >= 10 => Daemon(EventTypes.CompactExpired, new JsonObject { ["compactId"] = $"cmp_{i - 12}", ["version"] = 1 }),
            3 => Daemon(EventTypes.Failure, new JsonObject
            {
                ["code"] = "PACT-502",
                ["stage"] = "lifecycle",
                ["faultDomain"] = "counterparty",
                ["terminality"] = "non_terminal",
                ["evidenceRefs"] = new JsonArray("event:" + new string('e', 64), $"compact:{i}"),
                ["transcriptHash"] = new string('0', 64),
                ["agent"] = AgentDid(n),
            }),
            4 => new EventDraft(EventTypes.ProposalDeclined, AgentDid(n + 1), new JsonObject { ["envelope"] = new JsonObject(), ["proposalId"] = $"prp_{i}" }),
            _ => Daemon("bench.other", new JsonObject { ["n"] = i }),
        };
    }

    private static EventDraft Daemon(string type, JsonObject data) => new(type, TranscriptEvent.DaemonActor, data);

    private static string AgentDid(int n) => $"did:key:z6MkBenchAgent{n % Agents:D4}";
}
