using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Client.Verification;
using Pact.Core.Contracts;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.Negotiation;
using Pact.Core.Policies;
using Pact.Core.Time;

namespace Pact.Samples.HostedAgent;

/// <summary>One <c>policy.decided</c> of the session, as the offline verifier recomputed it.</summary>
/// <param name="ProposalId">The proposal the decision acted on (for a counter's second decision: the counter).</param>
/// <param name="Judged">For a counter's second decision, the proposal whose terms were patched; else null.</param>
/// <param name="RuleId">The first-true rule, or null when the policy's default decided.</param>
/// <param name="Effect">sign, decline, counter or escalate.</param>
/// <param name="DecisionHash">The recorded (and recomputed) decisionHash.</param>
public sealed record HostedDecision(string ProposalId, string? Judged, string? RuleId, string Effect, string DecisionHash);

/// <summary>What the daemon did for the absent homeowner and what the homeowner checked when it came back.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="MandateId">The homeowner's mandate.</param>
/// <param name="PolicyHash">The homeowner's published policy.</param>
/// <param name="WithinPolicy">The first proposal's status after its one request ("signed": in force under the mandate).</param>
/// <param name="LongNotice">The second proposal's status after its one request ("countered" by the daemon).</param>
/// <param name="CounterStatus">The daemon's counter after the contractor countersigned it ("signed").</param>
/// <param name="Pending">Items on the homeowner's pending list when it came back.</param>
/// <param name="Decisions">Every decision under the mandate, in transcript order.</param>
/// <param name="OfflineVerified">The export verified offline: chain, proofs, signatures, the mandate stream and every decision recomputed.</param>
/// <param name="EveryActUnderTheMandate">Every act the daemon took in the homeowner's name names this mandate and a recorded decision.</param>
public sealed record HostedAgentOutcome(string SessionId, string MandateId, string PolicyHash, string WithinPolicy, string LongNotice,
    string CounterStatus, int Pending, IReadOnlyList<HostedDecision> Decisions, bool OfflineVerified, bool EveryActUnderTheMandate)
{
    /// <summary>True when the daemon signed the first, countered the second, and the homeowner's offline check held.</summary>
    public bool Succeeded => WithinPolicy == "signed" && LongNotice == "countered" && CounterStatus == "signed"
        && OfflineVerified && EveryActUnderTheMandate && Decisions.Count == 3;
}

/// <summary>
/// An episodic homeowner agent hands its negotiation to the daemon: it publishes a policy (sign when the revocation notice
/// period is at most 30 days, counter a longer one with 30 days), grants a mandate scoped to one session and one
/// contractor, and goes away with nothing but its key. The contractor proposes twice; the daemon answers each in the
/// proposal's own request. The homeowner comes back, reads its pending list and the transcript, exports the session and
/// verifies offline that every act in its name follows from its policy.
/// </summary>
public static class HostedAgentSample
{
    public const string ShortNotice = "P14D";
    public const string LongNotice = "P90D";
    public const string CounterNotice = "P30D";

    public static Task<int> Main(string[] args) => SampleHost.RunAsync(args, SampleOptions.ParseUrlOnly,
        "dotnet run --project samples/hosted-agent -- [--url http://127.0.0.1:7700]",
        daemon => daemon,
        async (daemon, stop) => (await RunAsync(daemon, Console.Out, stop)).Succeeded ? 0 : 1);

    /// <summary>The homeowner's standing answer, readable and recomputable by anyone (docs/policies.md).</summary>
    public static PolicyDocument Policy() => new PolicyBuilder("homeowner-notice")
        .Sign("short-notice", $"isoSeconds(terms.revocation.noticePeriod) <= isoSeconds('{CounterNotice}')")
        .Counter("long-notice", $"isoSeconds(terms.revocation.noticePeriod) > isoSeconds('{CounterNotice}')",
            "Thirty days' notice is the most we accept.", ("/revocation/noticePeriod", CounterNotice))
        .Build();

    /// <summary>Runs the whole story against the daemon at <paramref name="daemon"/>, narrating to <paramref name="output"/>.</summary>
    /// <param name="daemon">The daemon's base URL.</param>
    /// <param name="output">Where the narration goes.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <exception cref="HttpRequestException">The daemon cannot be reached.</exception>
    /// <exception cref="PactApiException">The daemon refused a step.</exception>
    public static async Task<HostedAgentOutcome> RunAsync(Uri daemon, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(daemon);
        ArgumentNullException.ThrowIfNull(output);
        var baseAddress = daemon.AbsoluteUri.EndsWith('/') ? daemon : new Uri(daemon.AbsoluteUri + "/");
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

        // What the homeowner keeps while it is away: its agent key and the daemon's public key.
        var info = await new PactClient(http).GetDaemonAsync(cancellationToken);
        var daemonKey = Base64Url.Decode(info.PublicKey);
        output.WriteLine($"Daemon      {info.DaemonId} ({info.Origin}, {info.Protocol})");

        var contractor = await Party.RegisterAsync(http, AgentKey.Generate(), "Acme Remodeling", PrincipalKinds.Organization, cancellationToken);
        output.WriteLine($"Contractor  {contractor.Did} acting for {contractor.Name}");
        var homeownerKey = AgentKey.Generate();
        string sessionId, policyHash, mandateId;
        JsonObject homeownerParty;
        {
            // The homeowner's session with the daemon: its client lives only inside this block.
            var homeowner = await Party.RegisterAsync(http, homeownerKey, "Dana Homeowner", PrincipalKinds.Human, cancellationToken);
            output.WriteLine($"Homeowner   {homeowner.Did} acting for {homeowner.Name}");
            homeownerParty = homeowner.PartyJson();
            sessionId = (await homeowner.Client.CreateSessionAsync([homeowner.Did, contractor.Did], "Kitchen remodel", cancellationToken: cancellationToken)).SessionId;
            output.WriteLine($"Session     {sessionId}");

            var policy = Policy();
            policyHash = (await homeowner.Client.PublishPolicyAsync(policy, cancellationToken)).Policy.PolicyHash;
            output.WriteLine($"Policy      {policyHash} \"{policy.Name}\": sign a notice period up to {CounterNotice}, counter a longer one with {CounterNotice}");

            var scope = new JsonObject { ["sessions"] = new JsonArray(sessionId), ["counterparties"] = new JsonArray(contractor.Did) };
            var mandate = await homeowner.Client.GrantMandateAsync(policyHash, scope, [], DateTimeOffset.UtcNow.AddDays(7), cancellationToken: cancellationToken);
            mandateId = mandate.MandateId;
            output.WriteLine($"Mandate     {mandateId} for this session and this contractor, until {mandate.ExpiresAt:yyyy-MM-dd}");
            output.WriteLine("Homeowner   goes away (its client is dropped; it keeps its key)");
        }

        // Within policy: the daemon signs for the homeowner in the proposal's own commit, so one request puts it in force.
        var first = await Propose(ShortNotice);
        output.WriteLine($"Proposal    {first.ProposalId} by the contractor, notice {ShortNotice}: {first.Status} by the daemon under the mandate");

        // A long notice period: the daemon counters with the policy's patch; the counter waits on the contractor.
        var second = await Propose(LongNotice);
        var counterId = (await contractor.Client.GetPendingAsync(cancellationToken)).Proposals
            .Single(p => p.SessionId == sessionId).ProposalId;
        output.WriteLine($"Proposal    {second.ProposalId} by the contractor, notice {LongNotice}: {second.Status} by the daemon with {counterId} (notice {CounterNotice})");

        // The contractor accepts the counter; the SDK checks the daemon's signature under the mandate before countersigning.
        await contractor.Client.SignProposalAsync(counterId, contractor.Authority, cancellationToken);
        var counter = await contractor.Client.GetProposalAsync(counterId, cancellationToken);
        output.WriteLine($"Countersign {counterId} by the contractor: {counter.Status}");

        // The homeowner comes back with only its key.
        var back = new PactClient(http, homeownerKey);
        var pending = await back.GetPendingAsync(cancellationToken);
        output.WriteLine($"Homeowner   is back: {(pending.Items.Count == 0 ? "nothing pending (no decision was escalated)" : pending.Items.Count + " item(s) pending")}; the transcript says:");
        await foreach (var e in back.GetAllEventsAsync(sessionId, cancellationToken: cancellationToken))
            output.WriteLine($"  {e.StreamSeq,3}  {e.Type,-18} {(e.Actor == "daemon" ? "daemon" : e.Actor == homeownerKey.Did ? "homeowner" : "contractor")}");

        // Offline: the export alone, the daemon's key and nothing else: chain, proofs, signatures, the mandate stream, and
        // every decision recomputed from the transcript and the published policy, and every act the daemon took in the
        // homeowner's name tied to one of those decisions with the effect it carried out.
        var bundle = await back.ExportSessionAsync(sessionId, cancellationToken);
        var verification = ExportVerifier.Verify(bundle, daemonKey);
        output.WriteLine($"Verified    offline, {verification.EventsChecked} events and {verification.SignaturesChecked} signatures: "
            + (verification.Ok ? "every decision recomputes from the policy and every act carries one out" : "NO: " + verification.FirstFailure?.Message));

        var decisions = bundle.Events.Where(e => e.Type == EventTypes.PolicyDecided).Select(e => new HostedDecision(
            e.Data["proposalId"]!.GetValue<string>(), e.Data["judged"]?.GetValue<string>(), e.Data["decision"]!["ruleId"]?.GetValue<string>(),
            e.Data["decision"]!["effect"]!.GetValue<string>(), e.Data["decisionHash"]!.GetValue<string>())).ToList();
        output.WriteLine($"  {"proposal",-30} {"judged",-30} {"rule",-13} {"effect",-9} decisionHash");
        foreach (var d in decisions)
            output.WriteLine($"  {d.ProposalId,-30} {d.Judged ?? "-",-30} {d.RuleId ?? "(default)",-13} {d.Effect,-9} {d.DecisionHash[..16]}…");

        // The verifier tied each act to its decision; what is left to see is that this mandate, the homeowner's, took them all.
        var acts = bundle.Events.Where(e => e.Actor == "daemon" && e.Data["mandate"] is JsonObject).ToList();
        var underMandate = acts.Count > 0 && acts.All(e => e.Data["mandate"]!["mandateId"]?.GetValue<string>() == mandateId);
        output.WriteLine($"Acts        {acts.Count} by the daemon, all under mandate {mandateId}: {(underMandate ? "yes" : "NO")}");

        return new HostedAgentOutcome(sessionId, mandateId, policyHash, first.Status, second.Status, counter.Status, pending.Items.Count,
            decisions, verification.Ok, underMandate);

        async Task<Pact.Core.Contracts.Responses.ProposalCreated> Propose(string noticePeriod)
        {
            var now = TimeProvider.System.GetUtcNow();
            var from = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
            var terms = (await contractor.Client.DraftAsync("standard", "contractor-and-service",
                new JsonObject { ["a"] = contractor.PartyJson(), ["b"] = homeownerParty.DeepClone() },
                new JsonObject
                {
                    ["interaction"] = "Kitchen remodel: demolition, cabinets, counters and lighting per scope-of-work SOW-17",
                    ["effective"] = new JsonObject { ["from"] = Timestamp.ToText(from), ["until"] = Timestamp.ToText(from.AddYears(1)) },
                },
                cancellationToken: cancellationToken)).Terms;
            terms["revocation"]!["noticePeriod"] = noticePeriod;
            return await contractor.Client.ProposeAsync(sessionId, terms, contractor.Authority, cancellationToken: cancellationToken);
        }
    }

    /// <summary>An agent with its principal's key, so it can authorize compact signatures by principal signature.</summary>
    private sealed record Party(PactClient Client, KeyPair Principal, string Name, string Kind)
    {
        public string Did => Client.AgentId!;

        public PrincipalAuthority Authority => PrincipalAuthority.Signature(Principal);

        public static async Task<Party> RegisterAsync(HttpClient http, AgentKey key, string name, string kind, CancellationToken cancellationToken)
        {
            var principal = KeyPair.Generate();
            var client = new PactClient(http, key);
            await client.RegisterAsync(new Principal(principal.Did, kind, name), name, cancellationToken: cancellationToken);
            return new Party(client, principal, name, kind);
        }

        public JsonObject PartyJson() => new()
        {
            ["agent"] = Did,
            ["principal"] = new JsonObject { ["id"] = Principal.Did, ["kind"] = Kind, ["name"] = Name },
        };
    }
}
