using System.Diagnostics;
using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Client.Verification;
using Pact.Core.Encoding;
using Pact.Core.Negotiation;
using Pact.Core.Policies;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests.Mandates;

/// <summary>
/// A policy whose comprehensions nest ~10^25 iterations within the publication bounds: evaluate and a mandate's hosted
/// decision both answer promptly with escalate (the counted cost budget is spent), and GET verify and the offline
/// verifier replay that decision to the same decisionHash.
/// </summary>
public class MandateCostBudgetTests : ContractorAndHomeowner
{
    private static PolicyDocument Deep()
    {
        var when = "false";
        for (var level = 24; level >= 0; level--) when = $"[0,1,2,3,4,5,6,7,8,9].exists({(char)('a' + level)}, {when})";
        return new PolicyBuilder("deep-" + Guid.NewGuid().ToString("N")[..8]).Sign("deep", when).Otherwise("decline").Build();
    }

    [Fact]
    public async Task A_costly_rule_escalates_promptly_live_and_replays_alike_in_verify_and_offline()
    {
        var policy = Deep();
        await Homeowner.Client.PublishPolicyAsync(policy);
        await Homeowner.Client.GrantMandateAsync(policy.PolicyHash, [], [], DateTimeOffset.UtcNow.AddDays(30));
        var session = (await Contractor.Client.CreateSessionAsync([Contractor.Did, Homeowner.Did])).SessionId;

        // Without the budget the proposal's hosted decision never returns; under a second on an idle machine, 10 s allowed under load.
        var clock = Stopwatch.StartNew();
        var proposal = await Contractor.Client.ProposeAsync(session, await Contractor.DraftAsync(Homeowner), Contractor.Authority)
            .WaitAsync(TimeSpan.FromSeconds(30));
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));

        var decided = (await Contractor.Client.GetEventsAsync(session)).Events.Single(e => e.Type == EventTypes.PolicyDecided);
        decided.Data["decision"]!["effect"]!.GetValue<string>().Should().Be("escalate");
        decided.Data["decision"]!["trace"]![0]!["error"]!.GetValue<string>().Should().Contain("cost budget");
        var decisionHash = decided.Data["decisionHash"]!.GetValue<string>();

        var evaluated = await Homeowner.Client.EvaluatePolicyOnProposalAsync(null, policy.PolicyHash, proposal.ProposalId)
            .WaitAsync(TimeSpan.FromSeconds(30));
        evaluated.Decision.Effect.Should().Be("escalate");
        evaluated.Decision.RuleId.Should().Be("deep");
        evaluated.DecisionHash.Should().Be(decisionHash, "the decision names the policy, rule and error, not the input");

        (await Homeowner.Client.VerifyAsync(session)).Ok.Should().BeTrue("GET verify replays the decision to the recorded decisionHash " + decisionHash);
        var daemonKey = Base64Url.Decode((await Homeowner.Client.GetDaemonAsync()).PublicKey);
        var offline = ExportVerifier.Verify(await Homeowner.Client.ExportSessionAsync(session), daemonKey);
        offline.Ok.Should().BeTrue(offline.FirstFailure?.Message);
        offline.NotChecked.Should().NotContain(u => u.StreamSeq == decided.StreamSeq, "the offline verifier replayed the decision itself");
    }
}
