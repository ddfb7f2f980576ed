using System.Diagnostics;
using System.Text.Json.Nodes;
using Pact.Client;

namespace Pact.LoadDriver;

/// <param name="Rounds">Rounds measured per path, the two paths alternating.</param>
/// <param name="PerRound">Negotiations per round.</param>
/// <param name="Hosted">Propose sent → answer received, the daemon signing under the homeowner's mandate (one request).</param>
/// <param name="TwoAgent">Propose sent → countersigned record received (two requests, both agents online).</param>
internal sealed record HostedResult(int Rounds, int PerRound, Samples Hosted, Samples TwoAgent, long Errors)
{
    public double RatioAt(double percentile) => Hosted.Percentile(percentile) / TwoAgent.Percentile(percentile);
}

/// <summary>
/// Hosted negotiation (§14) against the two-agent path, in the same process and the same run: one contractor proposes
/// drafted standard-tier terms to two homeowners in two sessions. The first homeowner countersigns itself; the second has
/// granted the daemon a mandate for its session with a one-rule notice-period policy, so its proposal is in force when the
/// propose request returns. Rounds alternate between the two paths so that load from other tenants falls on both alike.
/// </summary>
internal static class HostedBenchmarks
{
    /// <summary>The homeowner's policy: one CEL rule on the terms, as in samples/hosted-agent.</summary>
    private static readonly Pact.Core.Policies.PolicyDocument Policy = new PolicyBuilder("bench-notice")
        .Sign("short-notice", "isoSeconds(terms.revocation.noticePeriod) <= isoSeconds('P30D')")
        .Build();

    public static async Task<HostedResult> RunAsync(InProcessDaemon daemon, TimeSpan warmup, int rounds, int perRound)
    {
        using var http = daemon.CreateHttpClient();
        var twoAgent = await Pair.CreateAsync(http, "two-agent", draft: true);
        var hosted = await HostPairAsync(http, twoAgent.A);

        var errors = 0L;
        var n = 0L;
        async Task<double?> OnceAsync(bool viaMandate)
        {
            var pair = viaMandate ? hosted : twoAgent;
            var terms = (JsonObject)pair.Terms.DeepClone();
            terms["compactId"] = $"cmp_{(viaMandate ? "h" : "t")}{n++:x8}";
            var sent = Stopwatch.GetTimestamp();
            try
            {
                var proposal = await pair.A.Client.ProposeAsync(pair.SessionId, terms, pair.A.Authority);
                if (viaMandate)
                {
                    if (proposal.Status != "signed") throw new InvalidOperationException($"The mandate left proposal {proposal.ProposalId} {proposal.Status}.");
                }
                else
                {
                    await pair.B.Client.SignProposalAsync(proposal.ProposalId, pair.B.Authority);
                }
            }
            catch (Exception e) when (e is PactApiException or HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                if (errors++ == 0) Console.Error.WriteLine($"  negotiation error ({(viaMandate ? "hosted" : "two-agent")}): {e.Message}");
                return null;
            }
            return (Stopwatch.GetTimestamp() - sent) * 1000.0 / Stopwatch.Frequency;
        }

        var warm = Stopwatch.StartNew();
        for (var k = 0; warm.Elapsed < warmup; k++) await OnceAsync(viaMandate: k % 2 == 0);

        Samples hostedMs = new(), twoAgentMs = new();
        for (var round = 0; round < 2 * rounds; round++)
        {
            // Alternate which path opens the pair of rounds, so neither always follows the other.
            var viaMandate = (round % 2 == 0) == (round / 2 % 2 == 0);
            for (var i = 0; i < perRound; i++)
            {
                if (await OnceAsync(viaMandate) is { } ms) (viaMandate ? hostedMs : twoAgentMs).AddMs(ms);
            }
        }
        return new HostedResult(rounds, perRound, hostedMs, twoAgentMs, errors);
    }

    /// <summary>The same contractor with a homeowner that publishes the policy, grants a mandate for their session, and goes away.</summary>
    private static async Task<Pair> HostPairAsync(HttpClient http, Agent contractor)
    {
        var homeowner = await Agent.RegisterAsync(http, "Homeowner hosted", Pact.Core.Contracts.PrincipalKinds.Human);
        var sessionId = (await contractor.Client.CreateSessionAsync([contractor.Did, homeowner.Did], "load hosted")).SessionId;
        var policyHash = (await homeowner.Client.PublishPolicyAsync(Policy)).Policy.PolicyHash;
        await homeowner.Client.GrantMandateAsync(policyHash, new JsonObject { ["sessions"] = new JsonArray(sessionId) }, [], DateTimeOffset.UtcNow.AddDays(1));
        var terms = (await contractor.Client.DraftAsync("standard", "contractor-and-service",
            new JsonObject { ["a"] = contractor.PartyJson(), ["b"] = homeowner.PartyJson() },
            new JsonObject
            {
                ["interaction"] = "Kitchen remodel as described in scope-of-work SOW-17",
                ["effective"] = new JsonObject { ["from"] = "2026-12-01T00:00:00.000Z", ["until"] = "2027-12-01T00:00:00.000Z" },
            })).Terms;
        return new Pair(contractor, homeowner, sessionId, terms);
    }
}
