using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Client.Verification;
using Pact.Core.Contracts;
using Pact.Core.Contracts.Responses;
using Pact.Core.Encoding;
using static Pact.Samples.GeneralContractor.GeneralContractorSample;

namespace Pact.Samples.GeneralContractor;

/// <summary>What the hosted run saw.</summary>
/// <param name="Committed">Both compacts went in force.</param>
/// <param name="PreparedByMandate">The hosted plumber's member was prepared by the daemon under its mandate, before anyone else acted.</param>
/// <param name="Verified">GET verify and the offline verifier of the export both passed.</param>
public sealed record HostedBundleOutcome(bool Committed, bool PreparedByMandate, bool Verified)
{
    public bool Succeeded => Committed && PreparedByMandate && Verified;
}

/// <summary>
/// Run 4 (§14 inside §15): a plumber that will be away publishes a policy (sign standard-tier terms), grants the daemon a
/// mandate for this session and this contractor, and goes offline. The contractor's all-or-none bundle is answered for the
/// plumber in its own creation commit — the member is prepared under the mandate — and the electrician's own signature then
/// commits both. The members are printed with who prepared each (as <c>pact bundle show</c> does), and the transcript is
/// verified online and offline.
/// </summary>
internal static class HostedBundleRun
{
    public static async Task<HostedBundleOutcome> RunAsync(HttpClient http, Party gc, Party electrician, TextWriter output, CancellationToken cancellationToken)
    {
        var plumber = await Party.RegisterAsync(http, "Hal Hosted Plumbing", PrincipalKinds.Organization, cancellationToken);
        var session = (await gc.Client.CreateSessionAsync([gc.Did, plumber.Did, electrician.Did], "Renovation trades, plumber away", cancellationToken: cancellationToken)).SessionId;
        var policy = new PolicyBuilder("away-plumber").Sign("standard", "terms.tier == 'standard'").Build();
        var policyHash = (await plumber.Client.PublishPolicyAsync(policy, cancellationToken)).Policy.PolicyHash;
        var scope = new JsonObject { ["sessions"] = new JsonArray(session), ["counterparties"] = new JsonArray(gc.Did) };
        var mandate = await plumber.Client.GrantMandateAsync(policyHash, scope, [], DateTimeOffset.UtcNow.AddDays(7), cancellationToken: cancellationToken);
        output.WriteLine($"Hosted      {plumber.Name} grants mandate {mandate.MandateId} (sign standard-tier terms from this contractor) and goes offline");

        var plumbing = await TermsAsync(gc, plumber, "Rough-in and finish plumbing", "P30D", ["work-scope", "work-record"], cancellationToken);
        var electrical = await TermsAsync(gc, electrician, "Panel upgrade and rewiring", "P30D", ["work-scope", "work-record"], cancellationToken);
        var bundle = await gc.Client.CreateBundleAsync(session, [plumbing, electrical], gc.Authority, BundleSelection.All(), ClosesAt(), cancellationToken);
        output.WriteLine($"All-or-none bundle {bundle.BundleId}: the daemon answered for the plumber in the creation commit");
        var prepared = await PrintMembersAsync(gc, bundle, output, cancellationToken);

        var answer = await electrician.Client.SignMemberAsync(bundle.Members[1].ProposalId, electrician.Authority, cancellationToken);
        output.WriteLine($"  electrician signed: {(answer.InForce ? "both compacts in force" : answer.Proposal?.Status)}");
        var after = await gc.Client.GetBundleAsync(bundle.BundleId, cancellationToken);
        output.WriteLine($"  bundle {after.Status}");
        await PrintMembersAsync(gc, after, output, cancellationToken);

        var online = await gc.Client.VerifyAsync(session, cancellationToken: cancellationToken);
        var daemonKey = Base64Url.Decode((await gc.Client.GetDaemonAsync(cancellationToken)).PublicKey);
        var offline = ExportVerifier.Verify(await gc.Client.ExportSessionAsync(session, cancellationToken), daemonKey);
        output.WriteLine($"  verify: {(online.Ok ? "ok" : "FAILED")} online, {(offline.Ok ? "ok" : "FAILED")} offline (the mandate's decision recomputed from the policy)");
        var byMandate = prepared.Any(c => c.ProposalId == bundle.Members[0].ProposalId && c.MandateId == mandate.MandateId);
        return new HostedBundleOutcome(after.Status == "committed" && after.Members.All(m => m.Status == "signed"), byMandate, online.Ok && offline.Ok);
    }

    /// <summary>Each member's status and who prepared it: the agent itself, or the daemon under the agent's mandate.</summary>
    private static async Task<IReadOnlyList<MemberCountersignature>> PrintMembersAsync(Party reader, BundleView bundle, TextWriter output,
        CancellationToken cancellationToken)
    {
        var countersignatures = await reader.Client.GetMemberCountersignaturesAsync(bundle, cancellationToken);
        foreach (var m in bundle.Members)
        {
            var by = countersignatures.FirstOrDefault(c => c.ProposalId == m.ProposalId)?.PreparedBy ?? "-";
            output.WriteLine($"  member {m.ProposalId} {m.Status,-8} prepared by {by}");
        }
        return countersignatures;
    }
}
