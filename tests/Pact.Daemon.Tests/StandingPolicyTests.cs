using Pact.Client;
using Pact.Core.Compacts;
using Pact.Core.Policies;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;
using static Pact.Daemon.Tests.PolicyTests;

namespace Pact.Daemon.Tests;

/// <summary>
/// The verified standing policy (§13, §4.3): the principal's signed authorization of a published policy, checked
/// (PACT-109), looked up (PACT-120) and evaluated (PACT-112) on propose and sign; it satisfies the advanced tier.
/// </summary>
public sealed class StandingPolicyTests : IAsyncLifetime
{
    private static readonly DateTimeOffset NotAfter = DateTimeOffset.UtcNow.AddYears(1);
    private DaemonHost _host = null!;

    public async Task InitializeAsync() => _host = await DaemonHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private IPactStore Store => (IPactStore)_host.Services.GetService(typeof(IPactStore))!;

    private static PrincipalAuthority Standing(Negotiator agent, string policyHash, DateTimeOffset? notAfter = null) =>
        PrincipalAuthority.VerifiedStandingPolicy(VerifiedStandingPolicyAuthorization.Sign(agent.Principal, policyHash, agent.Did, notAfter ?? NotAfter));

    private async Task<(Negotiator A, Negotiator B, string SessionId)> PartiesAsync()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var b = await Negotiator.RegisterAsync(_host, "B");
        return (a, b, (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId);
    }

    [Fact]
    public async Task A_policy_that_signs_authorizes_a_proposal_without_the_unverified_warning()
    {
        var (a, b, session) = await PartiesAsync();
        var policy = new PolicyBuilder("proposer").Sign("standard", "terms.tier == 'standard' && me == proposal.proposer").Build();
        await a.Client.PublishPolicyAsync(policy);

        var created = await a.Client.ProposeAsync(session, await a.DraftAsync(b), Standing(a, policy.PolicyHash));

        created.Warnings.Should().BeEmpty();
        var shortForm = await a.Client.ProposeAsync(session, await a.DraftAsync(b), PrincipalAuthority.StandingPolicy(policy.PolicyHash));
        shortForm.Warnings.Should().Equal("STANDING_POLICY_UNVERIFIED");
    }

    [Fact]
    public async Task A_policy_that_does_not_sign_refuses_the_proposal_with_PACT_112_and_the_decision()
    {
        var (a, b, session) = await PartiesAsync();
        var policy = new PolicyBuilder("cautious").Decline("standard", "terms.tier == 'standard'", "Only minimal compacts.").Build();
        await a.Client.PublishPolicyAsync(policy);
        var head = Store.HeadSeq;

        var problem = await Refused(() => a.Client.ProposeAsync(session, a.DraftAsync(b).Result, Standing(a, policy.PolicyHash)));

        problem.Status.Should().Be(422);
        problem.Code.Should().Be("PACT-112");
        var body = System.Text.Json.Nodes.JsonNode.Parse(problem.RawBody)!;
        body["decision"]!["effect"]!.GetValue<string>().Should().Be("decline");
        body["decision"]!["ruleId"]!.GetValue<string>().Should().Be("standard");
        body["decision"]!["reason"]!.GetValue<string>().Should().Be("Only minimal compacts.");
        body["decisionHash"]!.GetValue<string>().Should().Be(PolicyDecision.HashOf(body["decision"]!.AsObject()));
        problem.Errors.Single().Pointer.Should().Be("/payload/signature/principalAuthorization/policyHash");
        Store.HeadSeq.Should().Be(head, "a refused proposal records nothing");
    }

    [Fact]
    public async Task An_unpublished_policy_is_PACT_120()
    {
        var (a, b, session) = await PartiesAsync();
        var problem = await Refused(() => a.Client.ProposeAsync(session, a.DraftAsync(b).Result, Standing(a, new string('c', 64))));
        problem.Code.Should().Be("PACT-120");
        problem.Errors.Single().Pointer.Should().Be("/payload/signature/principalAuthorization/policyHash");
    }

    [Fact]
    public async Task A_copied_authorization_an_expired_one_and_one_by_another_principal_are_PACT_109()
    {
        var (a, b, session) = await PartiesAsync();
        var policy = new PolicyBuilder("any").Sign("all", "true").Build();
        await a.Client.PublishPolicyAsync(policy);
        var terms = await a.DraftAsync(b);

        // b's principal authorized the policy for b's agent; a copies it into its own signature.
        var copied = VerifiedStandingPolicyAuthorization.Sign(b.Principal, policy.PolicyHash, b.Did, NotAfter) with { Principal = a.Principal.Did };
        (await Refused(() => a.Client.ProposeAsync(session, terms, PrincipalAuthority.VerifiedStandingPolicy(copied)))).Code.Should().Be("PACT-109");
        var forAnotherAgent = VerifiedStandingPolicyAuthorization.Sign(a.Principal, policy.PolicyHash, b.Did, NotAfter);
        (await Refused(() => a.Client.ProposeAsync(session, terms, PrincipalAuthority.VerifiedStandingPolicy(forAnotherAgent)))).Code.Should().Be("PACT-109");
        var ended = await Refused(() => a.Client.ProposeAsync(session, terms, Standing(a, policy.PolicyHash, DateTimeOffset.UtcNow.AddMinutes(-10))));
        ended.Code.Should().Be("PACT-109");
        ended.Errors.Single().Pointer.Should().Be("/payload/signature/principalAuthorization/notAfter");
        var otherPrincipal = VerifiedStandingPolicyAuthorization.Sign(b.Principal, policy.PolicyHash, a.Did, NotAfter);
        (await Refused(() => a.Client.ProposeAsync(session, terms, PrincipalAuthority.VerifiedStandingPolicy(otherPrincipal)))).Code.Should().Be("PACT-109");
    }

    [Fact]
    public async Task Verified_standing_policies_satisfy_the_advanced_tier_on_both_sides_and_sign_is_judged_too()
    {
        var (a, b, session) = await PartiesAsync();
        var acceptAdvanced = new PolicyBuilder("advanced-ok").Sign("advanced", "terms.tier == 'advanced'").Build();
        await a.Client.PublishPolicyAsync(acceptAdvanced);
        var terms = await a.DraftAsync(b, tier: "advanced");

        var proposal = await a.Client.ProposeAsync(session, terms, Standing(a, acceptAdvanced.PolicyHash));
        var record = await b.Client.SignProposalAsync(proposal.ProposalId, Standing(b, acceptAdvanced.PolicyHash));

        record.Signatures.Select(s => s.PrincipalAuthorization.Method).Should().Equal("standing-policy", "standing-policy");
        record.Signatures.Should().OnlyContain(s => s.PrincipalAuthorization.Sig != null && s.PrincipalAuthorization.NotAfter != null);
        // The record as answered verifies: notAfter is part of what compactHash covers.
        var stored = System.Text.Json.JsonSerializer.SerializeToNode(record, Pact.Core.Json.PactJson.Options)!;
        SignedCompactRecord.FromJson(stored).Record!.Verify(null).Failure.Should().BeNull();

        var unverified = await Refused(() => a.Client.ProposeAsync(session, a.DraftAsync(b, tier: "advanced").Result, PrincipalAuthority.StandingPolicy(acceptAdvanced.PolicyHash)));
        unverified.Code.Should().Be("PACT-105");
    }

    [Fact]
    public async Task A_countersignature_whose_policy_declines_is_PACT_112()
    {
        var (a, b, session) = await PartiesAsync();
        var onlyTrusted = new PolicyBuilder("only-trusted").Sign("trusted", "counterparty.passport.score >= 9000").Otherwise("decline").Build();
        await b.Client.PublishPolicyAsync(onlyTrusted);
        var proposal = await a.Client.ProposeAsync(session, await a.DraftAsync(b), a.Authority);

        var problem = await Refused(() => b.Client.SignProposalAsync(proposal.ProposalId, Standing(b, onlyTrusted.PolicyHash)));

        problem.Code.Should().Be("PACT-112");
        var decision = System.Text.Json.Nodes.JsonNode.Parse(problem.RawBody)!["decision"]!;
        decision["effect"]!.GetValue<string>().Should().Be("decline");
        decision["ruleId"].Should().BeNull("the default decided");
        (await b.Client.GetProposalAsync(proposal.ProposalId)).Status.Should().Be("open");
    }
}
