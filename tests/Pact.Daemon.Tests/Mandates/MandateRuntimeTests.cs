using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pact.Client;
using Pact.Core.Compacts;
using Pact.Core.Events;
using Pact.Core.Mandates;
using Pact.Core.Policies;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests.Mandates;

/// <summary>
/// The mandate runtime (§14) end to end: in the commit that creates a proposal, the answering party's mandate decides with
/// its policy and the daemon signs, declines, counters or escalates, each with §14's events in order.
/// </summary>
public class MandateRuntimeTests : IAsyncLifetime
{
    /// <summary>The store the daemons of these tests run on (Postgres/OnPostgres.cs runs them again on PostgreSQL).</summary>
    protected virtual DaemonStore Store => DaemonStore.Default;

    private DaemonHost _host = null!;
    private Negotiator _contractor = null!;
    private Negotiator _homeowner = null!;
    private string _session = null!;
    private string _policyHash = null!;

    public async Task InitializeAsync()
    {
        _host = await DaemonHost.StartAsync(store: Store);
        _contractor = await Negotiator.RegisterAsync(_host, "Contractor");
        _homeowner = await Negotiator.RegisterAsync(_host, "Homeowner", "human");
        _session = (await _contractor.Client.CreateSessionAsync([_contractor.Did, _homeowner.Did])).SessionId;
        _policyHash = await MandateGrantTests.PublishAsync(_homeowner);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<Pact.Core.Contracts.Responses.MandateResource> GrantAsync(JsonObject? scope = null, string? policyHash = null) =>
        _homeowner.Client.GrantMandateAsync(policyHash ?? _policyHash, scope ?? [], [], DateTimeOffset.UtcNow.AddDays(30));

    private async Task<IReadOnlyList<TranscriptEvent>> EventsAfterAsync(long streamSeq) =>
        [.. (await _contractor.Client.GetEventsAsync(_session)).Events.Where(e => e.StreamSeq > streamSeq)];

    private async Task<long> HeadAsync() => (await _contractor.Client.GetEventsAsync(_session)).Events[^1].StreamSeq;

    [Fact]
    public async Task Within_policy_the_daemon_countersigns_in_the_proposals_commit_with_a_verifiable_signature()
    {
        var mandate = await GrantAsync();
        var head = await HeadAsync();

        var created = await _contractor.Client.ProposeAsync(_session, await _contractor.DraftAsync(_homeowner), _contractor.Authority);

        created.Status.Should().Be("signed", "the response shows the proposal after the whole commit");
        var events = await EventsAfterAsync(head);
        events.Select(e => e.Type).Should().Equal("proposal.created", "policy.decided", "proposal.signed", "compact.in-force");
        events.Select(e => e.Seq).Should().BeInAscendingOrder();
        events.Select(e => e.Time).Distinct().Should().ContainSingle("one commit, one instant");

        var decided = events[1];
        decided.Actor.Should().Be("daemon");
        decided.Data["proposalId"]!.GetValue<string>().Should().Be(created.ProposalId);
        decided.Data["mandateId"]!.GetValue<string>().Should().Be(mandate.MandateId);
        decided.Data["mandateHash"]!.GetValue<string>().Should().Be(mandate.MandateHash);
        decided.Data["decision"]!["effect"]!.GetValue<string>().Should().Be("sign");
        var decisionHash = decided.Data["decisionHash"]!.GetValue<string>();
        PolicyDecision.HashOf(decided.Data["decision"]!.AsObject()).Should().Be(decisionHash);
        var passport = decided.Data["passport"]!.AsObject();
        passport["agent"]!.GetValue<string>().Should().Be(_contractor.Did);
        passport["asOfSeq"]!.GetValue<long>().Should().Be(events[0].Seq - 1);
        Pact.Core.Passport.AgentPassport.HashOf(passport).Should().Be(passport["passportHash"]!.GetValue<string>());

        var signed = events[2];
        signed.Actor.Should().Be("daemon");
        signed.Data.ContainsKey("envelope").Should().BeFalse();
        signed.Data["mandate"]!["decisionHash"]!.GetValue<string>().Should().Be(decisionHash);
        var (record, error) = SignedCompactRecord.FromJson(events[3].Data["record"]);
        error.Should().BeNull();
        var daemonKey = Pact.Core.Encoding.Base64Url.Decode((await _contractor.Client.GetDaemonAsync()).PublicKey);
        record!.Verify(daemonKey).IsValid.Should().BeTrue();
        var second = record.Signatures[1];
        second.Signer.Should().Be(record.DaemonId);
        second.Agent.Should().Be(_homeowner.Did);
        second.SignedAt.Should().Be(Pact.Core.Time.Timestamp.Parse(decided.Time));
        second.PrincipalAuthorization.Should().Be(new StandingPolicyAuthorization(_policyHash));
        second.Mandate!["grant"]!["signer"]!.GetValue<string>().Should().Be(_homeowner.Did);
        MandateCrypto.MandateHash(second.Mandate["grant"]!["payload"]!).Should().Be(mandate.MandateHash);
        Pact.Core.Json.Jcs.CanonicalString(signed.Data["signature"]).Should().Be(Pact.Core.Json.Jcs.CanonicalString(second.ToJson()));

        (await _homeowner.Client.GetMandateAsync(mandate.MandateId)).Actions.Should().Be(1);
        (await _contractor.Client.GetProposalAsync(created.ProposalId)).Status.Should().Be("signed");

        // The dry run on the recorded proposal takes the same decision from the same input (§13, §14).
        var dryRun = await _homeowner.Client.EvaluatePolicyOnProposalAsync(null, _policyHash, created.ProposalId);
        dryRun.DecisionHash.Should().Be(decisionHash);
    }

    [Fact]
    public async Task A_decline_rule_declines_with_its_reason_and_the_mandate()
    {
        var mandate = await GrantAsync();
        var head = await HeadAsync();
        var created = await _contractor.Client.ProposeAsync(_session, await _contractor.DraftAsync(_homeowner, tier: "advanced"), _contractor.Authority);

        created.Status.Should().Be("declined");
        var events = await EventsAfterAsync(head);
        events.Select(e => e.Type).Should().Equal("proposal.created", "policy.decided", "proposal.declined");
        var declined = events[2];
        declined.Actor.Should().Be("daemon");
        declined.Data["reason"]!.GetValue<string>().Should().Be("Advanced-tier compacts need a human.");
        declined.Data["mandate"]!["mandateId"]!.GetValue<string>().Should().Be(mandate.MandateId);
        declined.Data["mandate"]!["decisionHash"]!.GetValue<string>().Should().Be(events[1].Data["decisionHash"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_long_notice_period_is_countered_with_two_decisions_and_the_proposer_can_sign_the_counter()
    {
        var mandate = await GrantAsync();
        var head = await HeadAsync();
        var terms = await _contractor.DraftAsync(_homeowner);
        terms["revocation"]!["noticePeriod"] = "P90D";

        var created = await _contractor.Client.ProposeAsync(_session, terms, _contractor.Authority);

        created.Status.Should().Be("countered");
        var events = await EventsAfterAsync(head);
        events.Select(e => e.Type).Should().Equal("proposal.created", "policy.decided", "policy.decided", "proposal.created", "proposal.countered");
        events[1].Data["decision"]!["effect"]!.GetValue<string>().Should().Be("counter");
        var counter = events[3];
        var counterId = counter.Data["proposalId"]!.GetValue<string>();
        events[2].Data["proposalId"]!.GetValue<string>().Should().Be(counterId);
        events[2].Data["judged"]!.GetValue<string>().Should().Be(created.ProposalId);
        events[2].Data["decision"]!["effect"]!.GetValue<string>().Should().Be("sign");
        counter.Actor.Should().Be("daemon");
        counter.Data["replaces"]!.GetValue<string>().Should().Be(created.ProposalId);
        counter.Data["terms"]!["revocation"]!["noticePeriod"]!.GetValue<string>().Should().Be("P30D");
        counter.Data["mandate"]!["decisionHash"]!.GetValue<string>().Should().Be(events[2].Data["decisionHash"]!.GetValue<string>());
        events[4].Data["proposalId"]!.GetValue<string>().Should().Be(created.ProposalId);
        events[4].Data["by"]!.GetValue<string>().Should().Be(counterId);
        (await _homeowner.Client.GetMandateAsync(mandate.MandateId)).Actions.Should().Be(2, "a counter makes two decisions");

        var proposal = await _contractor.Client.GetProposalAsync(counterId);
        proposal.Status.Should().Be("open");
        var compact = await _contractor.Client.SignProposalAsync(counterId, _contractor.Authority);
        var (record, _) = SignedCompactRecord.FromJson(compact.ToJsonObject());
        record!.Verify().IsValid.Should().BeTrue();
        record.Signatures[0].Signer.Should().Be(record.DaemonId);
        record.Signatures[1].Agent.Should().Be(_contractor.Did);
    }

    [Fact]
    public async Task Escalate_records_the_decision_and_leaves_the_proposal_to_the_agent()
    {
        var hesitant = new PolicyBuilder("hesitant").Sign("famous-only", "counterparty.passport.score > 9000").Build();
        await _homeowner.Client.PublishPolicyAsync(hesitant);
        await GrantAsync(policyHash: hesitant.PolicyHash);
        var head = await HeadAsync();

        var created = await _contractor.Client.ProposeAsync(_session, await _contractor.DraftAsync(_homeowner), _contractor.Authority);

        created.Status.Should().Be("open");
        var events = await EventsAfterAsync(head);
        events.Select(e => e.Type).Should().Equal("proposal.created", "policy.decided");
        events[1].Data["decision"]!["effect"]!.GetValue<string>().Should().Be("escalate");
        events[1].Data["decision"]!["ruleId"].Should().BeNull();
    }

    [Fact]
    public async Task Only_an_active_mandate_in_scope_acts_and_the_one_granted_last_wins()
    {
        var stranger = await Negotiator.RegisterAsync(_host, "Stranger");
        var outOfScope = await GrantAsync(new JsonObject { ["counterparties"] = new JsonArray(stranger.Did) });
        var head = await HeadAsync();
        await _contractor.Client.ProposeAsync(_session, await _contractor.DraftAsync(_homeowner), _contractor.Authority);
        (await EventsAfterAsync(head)).Select(e => e.Type).Should().Equal("proposal.created");

        var first = await GrantAsync(new JsonObject { ["compactIdPrefix"] = "cmp_" });
        var last = await GrantAsync(new JsonObject { ["sessions"] = new JsonArray(_session) });
        head = await HeadAsync();
        await _contractor.Client.ProposeAsync(_session, await _contractor.DraftAsync(_homeowner), _contractor.Authority);
        (await EventsAfterAsync(head))[1].Data["mandateId"]!.GetValue<string>().Should().Be(last.MandateId);

        await _homeowner.Client.RevokeMandateAsync(last.MandateId);
        head = await HeadAsync();
        await _contractor.Client.ProposeAsync(_session, await _contractor.DraftAsync(_homeowner), _contractor.Authority);
        (await EventsAfterAsync(head))[1].Data["mandateId"]!.GetValue<string>().Should().Be(first.MandateId);

        await _homeowner.Client.RevokeMandateAsync(first.MandateId);
        head = await HeadAsync();
        await _contractor.Client.ProposeAsync(_session, await _contractor.DraftAsync(_homeowner), _contractor.Authority);
        (await EventsAfterAsync(head)).Select(e => e.Type).Should().Equal("proposal.created");
        (await _homeowner.Client.GetMandateAsync(outOfScope.MandateId)).Actions.Should().Be(0);
    }

    [Fact]
    public async Task The_same_decision_and_hash_come_from_the_live_path_verify_evaluate_and_the_offline_verifier_across_a_restart()
    {
        var mandate = await GrantAsync();
        var head = await HeadAsync();
        var terms = await _contractor.DraftAsync(_homeowner);
        terms["revocation"]!["noticePeriod"] = "P90D";
        var created = await _contractor.Client.ProposeAsync(_session, terms, _contractor.Authority);
        var decided = (await EventsAfterAsync(head)).Where(e => e.Type == "policy.decided").ToList();
        decided.Should().HaveCount(2);
        var live = decided[0].Data["decisionHash"]!.GetValue<string>();

        (await _homeowner.Client.EvaluatePolicyOnProposalAsync(null, _policyHash, created.ProposalId)).DecisionHash.Should().Be(live);
        var report = await _homeowner.Client.VerifyAsync(_session);
        report.Ok.Should().BeTrue(report.FirstError?.Message);

        var daemonKey = Pact.Core.Encoding.Base64Url.Decode((await _contractor.Client.GetDaemonAsync()).PublicKey);
        var bundle = await _homeowner.Client.ExportSessionAsync(_session);
        bundle.Mandates!.Should().ContainSingle().Which.MandateId.Should().Be(mandate.MandateId);
        bundle.Policies!.Select(PolicyDocument.HashOf).Should().Equal(_policyHash);
        var offline = Pact.Client.Verification.ExportVerifier.Verify(bundle, daemonKey);
        offline.Ok.Should().BeTrue(offline.FirstFailure?.Message);

        await _host.RestartAsync();
        (await _homeowner.Client.EvaluatePolicyOnProposalAsync(null, _policyHash, created.ProposalId)).DecisionHash.Should().Be(live);
        (await _homeowner.Client.VerifyAsync(_session)).Ok.Should().BeTrue();
        var again = Pact.Client.Verification.ExportVerifier.Verify(await _homeowner.Client.ExportSessionAsync(_session), daemonKey);
        again.Ok.Should().BeTrue(again.FirstFailure?.Message);
    }

    [Fact]
    public async Task The_offline_verifier_refuses_an_action_after_the_mandate_was_revoked_and_a_decision_that_does_not_recompute()
    {
        var mandate = await GrantAsync();
        await _contractor.Client.ProposeAsync(_session, await _contractor.DraftAsync(_homeowner), _contractor.Authority);
        await _homeowner.Client.RevokeMandateAsync(mandate.MandateId);
        var daemonKey = Pact.Core.Encoding.Base64Url.Decode((await _contractor.Client.GetDaemonAsync()).PublicKey);
        var bundle = (await _homeowner.Client.ExportSessionAsync(_session)).ToJsonObject();
        Pact.Client.Verification.ExportVerifier.Verify(bundle, daemonKey).Ok.Should().BeTrue("the revocation came after the action");

        var withoutStream = (JsonObject)bundle.DeepClone();
        withoutStream["mandates"] = new JsonArray();
        Pact.Client.Verification.ExportVerifier.Verify(withoutStream, daemonKey).FirstFailure!.Check.Should().Be("mandate");

        var withoutPolicy = (JsonObject)bundle.DeepClone();
        withoutPolicy["policies"] = new JsonArray();
        Pact.Client.Verification.ExportVerifier.Verify(withoutPolicy, daemonKey).FirstFailure!.Check.Should().Be("policy-decision");
    }

    [Fact]
    public async Task A_mandate_granted_before_a_restart_acts_after_it()
    {
        await GrantAsync();
        await _host.RestartAsync();
        var created = await _contractor.Client.ProposeAsync(_session, await _contractor.DraftAsync(_homeowner), _contractor.Authority);
        created.Status.Should().Be("signed");
    }

    [Fact]
    public async Task A_start_from_the_snapshot_of_a_clean_stop_keeps_mandates_and_the_decisions_they_escalated()
    {
        var hesitant = new PolicyBuilder("hesitant").Sign("famous-only", "counterparty.passport.score > 9000").Build();
        await _homeowner.Client.PublishPolicyAsync(hesitant);
        await GrantAsync(policyHash: hesitant.PolicyHash);
        var escalated = await _contractor.Client.ProposeAsync(_session, await _contractor.DraftAsync(_homeowner), _contractor.Authority);
        var signing = await GrantAsync();
        var pendingBefore = (await _homeowner.Client.GetPendingAsync()).Items.Single(i => i.Id == escalated.ProposalId);
        pendingBefore.Decision!["effect"]!.GetValue<string>().Should().Be("escalate");
        var head = _host.Services.GetRequiredService<Pact.Store.IPactStore>().HeadSeq;

        await _host.RestartAsync();

        _host.Services.GetRequiredService<Pact.Daemon.Application.StateSnapshots>().Start.Should().Be(((long?)head, 0L),
            "the start is from the snapshot the clean stop wrote, with no event folded");
        var pendingAfter = (await _homeowner.Client.GetPendingAsync()).Items.Single(i => i.Id == escalated.ProposalId);
        pendingAfter.Decision!.ToJsonString().Should().Be(pendingBefore.Decision.ToJsonString());
        var head2 = await HeadAsync();
        var created = await _contractor.Client.ProposeAsync(_session, await _contractor.DraftAsync(_homeowner), _contractor.Authority);
        created.Status.Should().Be("signed");
        (await EventsAfterAsync(head2))[1].Data["mandateId"]!.GetValue<string>().Should().Be(signing.MandateId);
        (await _homeowner.Client.GetMandateAsync(signing.MandateId)).Actions.Should().Be(1);

        await _host.StartCheckedAsync();
        _host.Services.GetRequiredService<Pact.Daemon.Application.TranscriptQuarantine>().IsDegraded.Should().BeFalse(
            "the snapshot's mandates are what the log gives");
    }
}
