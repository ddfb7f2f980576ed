extern alias daemon;

using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Core.Contracts;
using Pact.Core.Crypto;
using daemon::Pact.Daemon.Hosting;

namespace Pact.Benchmarks;

/// <summary>
/// The commit of a 16-member <c>all</c> bundle (§15) against a single countersignature, over HTTP to an in-process daemon
/// on a fresh data directory: the latency of the last member's countersignature (its proposal.signed, bundle.committed
/// and 16 compact.in-force in one transaction) ÷ the latency of a plain proposal's countersignature (proposal.signed and
/// one compact.in-force). Both are measured in interleaved rounds in the same run; signatures are made before the clock
/// starts. <c>dotnet run -c Release -- bundle [rounds]</c>
/// </summary>
internal static class BundleCommitRounds
{
    private const int Members = 16;
    private const int Trades = 4;

    public static void Run(int rounds) => LogBenchData.Run(() => RunAsync(rounds));

    private static async Task<int> RunAsync(int rounds)
    {
        Console.WriteLine($"// {Environment.ProcessorCount} cores; load average {File.ReadAllText("/proc/loadavg").Trim()}");
        var dataDirectory = Path.Combine(Path.GetTempPath(), "pact-bench-bundle-" + Guid.NewGuid().ToString("N"));
        var app = PactApp.Build(["--urls", "http://127.0.0.1:0", "--data-dir", dataDirectory, "--Serilog:MinimumLevel:Default=Warning"]);
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First() + "/"), Timeout = TimeSpan.FromSeconds(60) };
            var gc = await Party.RegisterAsync(http, "Coordinator");
            var trades = new List<Party>();
            for (var i = 0; i < Trades; i++) trades.Add(await Party.RegisterAsync(http, $"Trade {i}"));
            var templates = new List<JsonObject>();
            foreach (var t in trades) templates.Add(await DraftAsync(gc, t));
            var session = (await gc.Client.CreateSessionAsync([gc.Did, .. trades.Select(t => t.Did)])).SessionId;

            var single = new List<double>();
            var bundle = new List<double>();
            for (var round = -1; round < rounds; round++) // round -1 warms up and is not counted
            {
                var s = await SingleAsync(gc, trades[0], templates[0], session);
                var b = await BundleAsync(gc, trades, templates, session);
                if (round < 0) continue;
                single.Add(s);
                bundle.Add(b);
            }
            Console.WriteLine($"{rounds} rounds, interleaved; load average now {File.ReadAllText("/proc/loadavg").Trim()}");
            Console.WriteLine("| countersignature | p50 | p95 |");
            Console.WriteLine("|---|---:|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| single proposal (1 compact in force) | {Quantile(single, 0.5):N2} ms | {Quantile(single, 0.95):N2} ms |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| last member of a {Members}-member all bundle ({Members} compacts in force) | {Quantile(bundle, 0.5):N2} ms | {Quantile(bundle, 0.95):N2} ms |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio of p50s (bundle commit ÷ single countersignature): {Quantile(bundle, 0.5) / Quantile(single, 0.5):N2}"));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS temp cleaner.
            }
        }
        return 0;
    }

    private static async Task<double> SingleAsync(Party gc, Party trade, JsonObject template, string session)
    {
        var created = await gc.Client.ProposeAsync(session, Fresh(template), gc.Authority);
        var proposal = await trade.Client.GetProposalAsync(created.ProposalId);
        var signature = trade.Client.CreateCountersignature(proposal, trade.Authority);
        var clock = Stopwatch.GetTimestamp();
        await trade.Client.SignProposalAsync(proposal.ProposalId, proposal.TermsHash, signature);
        return Stopwatch.GetElapsedTime(clock).TotalMilliseconds;
    }

    private static async Task<double> BundleAsync(Party gc, List<Party> trades, List<JsonObject> templates, string session)
    {
        var members = Enumerable.Range(0, Members).Select(i => Fresh(templates[i % Trades])).ToList();
        var created = await gc.Client.CreateBundleAsync(session, members, gc.Authority, BundleSelection.All(), DateTimeOffset.UtcNow.AddHours(12));
        for (var i = 0; i < Members - 1; i++)
        {
            var trade = trades[i % Trades];
            await trade.Client.SignMemberAsync(created.Members[i].ProposalId, trade.Authority);
        }
        var last = trades[(Members - 1) % Trades];
        var proposal = await last.Client.GetProposalAsync(created.Members[^1].ProposalId);
        var signature = last.Client.CreateCountersignature(proposal, last.Authority);
        var clock = Stopwatch.GetTimestamp();
        await last.Client.SignProposalAsync(proposal.ProposalId, proposal.TermsHash, signature);
        return Stopwatch.GetElapsedTime(clock).TotalMilliseconds;
    }

    private static JsonObject Fresh(JsonObject template)
    {
        var terms = (JsonObject)template.DeepClone();
        terms["compactId"] = "cmp_bench-" + Guid.NewGuid().ToString("N");
        return terms;
    }

    private static double Quantile(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(q * sorted.Count))];
    }

    private static async Task<JsonObject> DraftAsync(Party a, Party b) => (await a.Client.DraftAsync("standard", "contractor-and-service",
        new JsonObject { ["a"] = a.PartyJson(), ["b"] = b.PartyJson() },
        new JsonObject
        {
            ["interaction"] = "Benchmark trade",
            ["effective"] = new JsonObject { ["from"] = "2026-12-01T00:00:00.000Z", ["until"] = "2027-12-01T00:00:00.000Z" },
        })).Terms;

    private sealed record Party(PactClient Client, KeyPair Principal, string Name)
    {
        public string Did => Client.AgentId!;

        public PrincipalAuthority Authority => PrincipalAuthority.Signature(Principal);

        public static async Task<Party> RegisterAsync(HttpClient http, string name)
        {
            var principal = KeyPair.Generate();
            var client = new PactClient(http, AgentKey.Generate());
            await client.RegisterAsync(new Principal(principal.Did, PrincipalKinds.Organization, name), name);
            return new Party(client, principal, name);
        }

        public JsonObject PartyJson() => new()
        {
            ["agent"] = Did,
            ["principal"] = new JsonObject { ["id"] = Principal.Did, ["kind"] = PrincipalKinds.Organization, ["name"] = Name },
        };
    }
}
