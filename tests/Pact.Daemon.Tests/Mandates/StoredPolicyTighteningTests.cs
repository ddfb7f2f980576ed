using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pact.Client;
using Pact.Client.Verification;
using Pact.Core.Encoding;
using Pact.Core.Negotiation;
using Pact.Core.Policies;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;

namespace Pact.Daemon.Tests.Mandates;

/// <summary>
/// A policy stored before a bound was tightened (here a sub-100 ns duration literal, refused at publication since) no
/// longer compiles: it is unusable rather than a 500 — evaluate and a mandate's decision escalate with a fixed reason,
/// and GET verify and the offline verifier replay that decision alike.
/// </summary>
public class StoredPolicyTighteningTests : ContractorAndHomeowner
{
    /// <summary>Stores, past publication's checks, a policy the current bounds refuse; returns its hash.</summary>
    private async Task<string> StoreOutdatedPolicyAsync()
    {
        var policy = new JsonObject
        {
            ["format"] = PolicyLimits.Format, ["name"] = "outdated-" + Guid.NewGuid().ToString("N")[..8],
            ["rules"] = new JsonArray(new JsonObject { ["id"] = "fine", ["when"] = "duration('150ns') > duration('0s')", ["effect"] = "sign" }),
            ["default"] = "sign",
        };
        CompiledPolicy.Compile(policy, new InMemoryPolicyResolver()).Policy.Should().BeNull("the literal is refused today");
        var hash = PolicyDocument.HashOf(policy);
        var record = new PolicyRecord(hash, policy["name"]!.GetValue<string>(), policy, 1, Homeowner.Did, "2026-01-01T00:00:00.000Z");
        (await Host.Services.GetRequiredService<IPactStore>().WriteAsync(tx => tx.InsertPolicy(record))).Should().BeTrue();
        return hash;
    }

    [Fact]
    public async Task A_stored_policy_that_no_longer_compiles_escalates_live_in_evaluate_and_under_a_mandate_and_verifies_alike()
    {
        var policyHash = await StoreOutdatedPolicyAsync();
        var mandate = await Homeowner.Client.GrantMandateAsync(policyHash, [], [], DateTimeOffset.UtcNow.AddDays(30));
        mandate.PolicyHash.Should().Be(policyHash);
        var session = (await Contractor.Client.CreateSessionAsync([Contractor.Did, Homeowner.Did])).SessionId;
        var proposal = await Contractor.Client.ProposeAsync(session, await Contractor.DraftAsync(Homeowner), Contractor.Authority);

        var evaluated = await Homeowner.Client.EvaluatePolicyOnProposalAsync(null, policyHash, proposal.ProposalId);
        evaluated.Decision.Effect.Should().Be("escalate");
        evaluated.Decision.Reason.Should().Be(CompiledPolicy.UnusableReason);

        var decided = (await Contractor.Client.GetEventsAsync(session)).Events.Single(e => e.Type == EventTypes.PolicyDecided);
        decided.Data["decision"]!["effect"]!.GetValue<string>().Should().Be("escalate");
        decided.Data["decisionHash"]!.GetValue<string>().Should().Be(evaluated.DecisionHash);

        var online = await Homeowner.Client.VerifyAsync(session);
        online.Ok.Should().BeTrue(online.FirstError?.Message);
        var daemonKey = Base64Url.Decode((await Homeowner.Client.GetDaemonAsync()).PublicKey);
        var offline = ExportVerifier.Verify(await Homeowner.Client.ExportSessionAsync(session), daemonKey);
        offline.Ok.Should().BeTrue(offline.FirstFailure?.Message);
        offline.NotChecked.Should().NotContain(u => u.StreamSeq == decided.StreamSeq);
    }

    [Fact]
    public async Task A_policy_extending_one_that_no_longer_compiles_is_refused_at_publication()
    {
        var policyHash = await StoreOutdatedPolicyAsync();
        var child = new PolicyBuilder("child").Extends(policyHash).Sign("ok", "true").Build();
        var refused = await FluentActions.Awaiting(() => Homeowner.Client.PublishPolicyAsync(child)).Should().ThrowAsync<PactApiException>();
        refused.Which.Code.Should().Be("PACT-120");
    }
}
