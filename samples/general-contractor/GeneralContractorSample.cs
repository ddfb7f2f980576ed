using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Core.Contracts;
using Pact.Core.Contracts.Responses;
using Pact.Core.Crypto;
using Pact.Core.Time;

namespace Pact.Samples.GeneralContractor;

/// <summary>What the sample saw in each of its four runs.</summary>
/// <param name="AtomicCommitted">Run 1: both trades signed, so both compacts are in force.</param>
/// <param name="AbortedNothingInForce">Run 2: the electrician declined, so nothing is in force and the plumber's prepared signature is void.</param>
/// <param name="BestSelected">Run 3: the provider the ranking selected.</param>
/// <param name="Ranking">Run 3: the ranking as the transcript's bundle.committed records it.</param>
/// <param name="Hosted">Run 4: a plumber hosted under a mandate inside an all-or-none bundle.</param>
public sealed record GeneralContractorOutcome(bool AtomicCommitted, bool AbortedNothingInForce, string? BestSelected, JsonArray? Ranking, IReadOnlyList<string> Providers,
    HostedBundleOutcome Hosted)
{
    /// <summary>True when every run ended as the sample expects.</summary>
    public bool Succeeded => AtomicCommitted && AbortedNothingInForce && BestSelected == Providers.ElementAtOrDefault(1) && Hosted.Succeeded;
}

/// <summary>
/// A general contractor's agent (§15 bundles): first it hires a plumber and an electrician atomically — both sign, both
/// compacts go in force; then again, but the electrician declines, so neither goes in force and the plumber's prepared
/// signature is void; last it asks three providers for the same inspection service and takes the best offer by its
/// terms (the shortest revocation notice, then the fewest categories the provider retains), printing the ranking the
/// transcript records; finally it bundles a plumber who is away, whose daemon answers for it under a mandate
/// (<see cref="HostedBundleRun"/>).
/// </summary>
public static class GeneralContractorSample
{
    /// <summary>The ranking keys of the best-of-three run, in order.</summary>
    public static readonly RankingKeySpec[] Order =
    [
        RankingKeySpec.Ascending("isoSeconds(terms.revocation.noticePeriod)"),
        RankingKeySpec.Ascending("size(categories(terms, them))"),
    ];

    public static Task<int> Main(string[] args) => SampleHost.RunAsync(args, SampleOptions.ParseUrlOnly,
        "dotnet run --project samples/general-contractor -- [--url http://127.0.0.1:7700]",
        daemon => daemon,
        async (daemon, stop) => (await RunAsync(daemon, Console.Out, stop)).Succeeded ? 0 : 1);

    /// <summary>Runs the four bundles against the daemon at <paramref name="daemon"/>, narrating to <paramref name="output"/>.</summary>
    public static async Task<GeneralContractorOutcome> RunAsync(Uri daemon, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(daemon);
        ArgumentNullException.ThrowIfNull(output);
        var baseAddress = daemon.AbsoluteUri.EndsWith('/') ? daemon : new Uri(daemon.AbsoluteUri + "/");
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

        var gc = await Party.RegisterAsync(http, "Summit General Contracting", PrincipalKinds.Organization, cancellationToken);
        var plumber = await Party.RegisterAsync(http, "Pat Plumbing", PrincipalKinds.Organization, cancellationToken);
        var electrician = await Party.RegisterAsync(http, "Eve Electric", PrincipalKinds.Organization, cancellationToken);
        output.WriteLine($"Contractor  {gc.Did} ({gc.Name})");

        // Run 1 and 2: all or nothing.
        var trades = (await gc.Client.CreateSessionAsync([gc.Did, plumber.Did, electrician.Did], "Renovation trades", cancellationToken: cancellationToken)).SessionId;
        var first = await AtomicAsync(gc, plumber, electrician, trades, electricianSigns: true, output, cancellationToken);
        var second = await AtomicAsync(gc, plumber, electrician, trades, electricianSigns: false, output, cancellationToken);

        // Run 3: best of three.
        var providers = new List<Party>();
        foreach (var name in new[] { "Alpha Inspections", "Beta Inspections", "Gamma Inspections" })
            providers.Add(await Party.RegisterAsync(http, name, PrincipalKinds.Organization, cancellationToken));
        var offers = (await gc.Client.CreateSessionAsync([gc.Did, .. providers.Select(p => p.Did)], "Home inspection", cancellationToken: cancellationToken)).SessionId;
        (string Notice, string[] Categories)[] terms =
        [
            ("P10D", ["work-scope", "work-record", "dispute-records"]),
            ("P10D", ["work-scope", "dispute-records"]),
            ("P20D", ["work-scope"]),
        ];
        var members = new List<JsonObject>();
        for (var i = 0; i < providers.Count; i++)
            members.Add(await TermsAsync(gc, providers[i], "Pre-purchase home inspection", terms[i].Notice, terms[i].Categories, cancellationToken));
        var best = await gc.Client.CreateBundleAsync(offers, members, gc.Authority, BundleSelection.Best(1, 1, Order), ClosesAt(), cancellationToken);
        output.WriteLine($"Best of 3   bundle {best.BundleId}: shortest revocation notice, then fewest categories retained by the provider");
        foreach (var (m, i) in best.Members.Select((m, i) => (m, i)))
        {
            var provider = providers[i];
            await provider.Client.SignMemberAsync(m.ProposalId, provider.Authority, cancellationToken);
            output.WriteLine($"  {provider.Name,-18} offers notice {terms[i].Notice}, retains {terms[i].Categories.Length} categories: signed");
        }
        var settled = await gc.Client.GetBundleAsync(best.BundleId, cancellationToken);
        var committed = await CommittedEventAsync(gc, offers, cancellationToken);
        var ranking = committed?.Data["ranking"] as JsonArray;
        output.WriteLine($"Ranking     as recorded in bundle.committed (seq {committed?.Seq}):");
        foreach (var entry in ranking ?? [])
        {
            var who = providers[best.Members.ToList().FindIndex(m => m.ProposalId == entry!["proposalId"]!.GetValue<string>())].Name;
            output.WriteLine($"  {who,-18} keys {entry!["keys"]?.ToJsonString() ?? "-"}{(entry["excluded"] is { } x ? $" excluded: {x}" : "")}");
        }
        var selected = settled.Selected is [var id] ? providers[best.Members.ToList().FindIndex(m => m.ProposalId == id)].Name : null;
        output.WriteLine($"Selected    {selected} — {settled.Status}; verify: {((await gc.Client.VerifyAsync(offers, cancellationToken: cancellationToken)).Ok ? "ok" : "FAILED")}");

        // Run 4: a hosted trade inside a bundle.
        var hosted = await HostedBundleRun.RunAsync(http, gc, electrician, output, cancellationToken);
        return new GeneralContractorOutcome(first, second, selected, ranking, [.. providers.Select(p => p.Name)], hosted);
    }

    /// <summary>One all-or-nothing bundle of a plumbing and an electrical compact; true when it ended as expected.</summary>
    private static async Task<bool> AtomicAsync(Party gc, Party plumber, Party electrician, string sessionId, bool electricianSigns, TextWriter output,
        CancellationToken cancellationToken)
    {
        var plumbing = await TermsAsync(gc, plumber, "Rough-in and finish plumbing", "P30D", ["work-scope", "work-record"], cancellationToken);
        var electrical = await TermsAsync(gc, electrician, "Panel upgrade and rewiring", "P30D", ["work-scope", "work-record"], cancellationToken);
        var bundle = await gc.Client.CreateBundleAsync(sessionId, [plumbing, electrical], gc.Authority, BundleSelection.All(), ClosesAt(), cancellationToken);
        output.WriteLine($"All-or-none bundle {bundle.BundleId}: plumbing and electrical");
        var prepared = await plumber.Client.SignMemberAsync(bundle.Members[0].ProposalId, plumber.Authority, cancellationToken);
        output.WriteLine($"  plumber     signed: {prepared.Proposal?.Status ?? "in force"}");
        if (electricianSigns)
        {
            var answer = await electrician.Client.SignMemberAsync(bundle.Members[1].ProposalId, electrician.Authority, cancellationToken);
            output.WriteLine($"  electrician signed: {(answer.InForce ? "both compacts in force" : answer.Proposal?.Status)}");
        }
        else
        {
            await electrician.Client.DeclineAsync(bundle.Members[1].ProposalId, "Booked that month", cancellationToken: cancellationToken);
            output.WriteLine("  electrician declined");
        }
        var after = await gc.Client.GetBundleAsync(bundle.BundleId, cancellationToken);
        var statuses = string.Join(", ", after.Members.Select(m => m.Status));
        output.WriteLine($"  bundle {after.Status}{(after.Cause is { } c ? $" ({c["kind"]})" : "")}; members {statuses}");
        return electricianSigns
            ? after.Status == "committed" && after.Members.All(m => m.Status == "signed")
            : after.Status == "aborted" && after.Members.Select(m => m.Status).SequenceEqual(["retired", "declined"]);
    }

    private static async Task<Pact.Core.Events.TranscriptEvent?> CommittedEventAsync(Party reader, string sessionId, CancellationToken cancellationToken)
    {
        await foreach (var e in reader.Client.GetAllEventsAsync(sessionId, cancellationToken: cancellationToken))
        {
            if (e.Type == "bundle.committed") return e;
        }
        return null;
    }

    internal static DateTimeOffset ClosesAt() => TimeProvider.System.GetUtcNow().AddDays(1);

    /// <summary>Standard-tier terms drafted by the daemon: the contractor as party a, the trade as b retaining <paramref name="categories"/>.</summary>
    internal static async Task<JsonObject> TermsAsync(Party gc, Party trade, string interaction, string notice, string[] categories, CancellationToken cancellationToken)
    {
        var start = TimeProvider.System.GetUtcNow();
        var from = new DateTimeOffset(start.Year, start.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
        var terms = (await gc.Client.DraftAsync("standard", "contractor-and-service",
            new JsonObject { ["a"] = gc.PartyJson(), ["b"] = trade.PartyJson() },
            new JsonObject
            {
                ["interaction"] = interaction,
                ["effective"] = new JsonObject { ["from"] = Timestamp.ToText(from), ["until"] = Timestamp.ToText(from.AddYears(1)) },
            },
            new JsonObject { ["a"] = new JsonArray("work-scope", "work-record"), ["b"] = new JsonArray([.. categories.Select(c => (JsonNode)c)]) },
            cancellationToken: cancellationToken)).Terms;
        terms["revocation"]!["noticePeriod"] = notice;
        return terms;
    }

    /// <summary>An agent with its principal's key, so it can authorize compact signatures by principal signature.</summary>
    internal sealed record Party(PactClient Client, KeyPair Principal, string Name, string Kind)
    {
        public string Did => Client.AgentId!;

        public PrincipalAuthority Authority => PrincipalAuthority.Signature(Principal);

        public static async Task<Party> RegisterAsync(HttpClient http, string name, string kind, CancellationToken cancellationToken)
        {
            var principal = KeyPair.Generate();
            var client = new PactClient(http, AgentKey.Generate());
            await client.RegisterAsync(new Principal(principal.Did, kind, name), name, cancellationToken: cancellationToken);
            return new Party(client, principal, name, kind);
        }

        public JsonObject PartyJson() => new()
        {
            ["agent"] = Did,
            ["principal"] = new JsonObject { ["id"] = Principal.Did, ["kind"] = PrincipalKinds.Organization, ["name"] = Name },
        };
    }
}
