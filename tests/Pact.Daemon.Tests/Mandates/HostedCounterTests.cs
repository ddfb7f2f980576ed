using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Client.Verification;
using Pact.Core.Compacts;
using Pact.Core.Encoding;
using Pact.Core.Events;
using Pact.Core.Negotiation;
using Pact.Core.Policies;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests.Mandates;

/// <summary>
/// §14 between two hosted agents: a counter made under one side's mandate is a proposal created in the same commit, so the
/// other side's mandate answers it there, until one signs, declines or escalates, or 8 proposals are linked by
/// <c>replaces</c> (the judged one included) and the next counter acts as escalate.
/// </summary>
public sealed class HostedCounterTests : IAsyncLifetime
{
    private DaemonHost _host = null!;
    private Negotiator _contractor = null!;
    private Negotiator _homeowner = null!;
    private string _session = null!;

    public async Task InitializeAsync()
    {
        _host = await DaemonHost.StartAsync();
        _contractor = await Negotiator.RegisterAsync(_host, "Contractor");
        _homeowner = await Negotiator.RegisterAsync(_host, "Homeowner", "human");
        _session = (await _contractor.Client.CreateSessionAsync([_contractor.Did, _homeowner.Did])).SessionId;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>The homeowner's mandate counters a P90D notice period with P30D, and signs P30D.</summary>
    private async Task GrantHomeownerAsync()
    {
        var shorter = new PolicyBuilder("shorter")
            .Counter("shorter-notice", "terms.revocation.noticePeriod == 'P90D'", ("/revocation/noticePeriod", "P30D"))
            .Sign("agreed", "terms.revocation.noticePeriod == 'P30D'")
            .Build();
        await _homeowner.Client.PublishPolicyAsync(shorter);
        await _homeowner.Client.GrantMandateAsync(shorter.PolicyHash, [], [], DateTimeOffset.UtcNow.AddDays(30));
    }

    private async Task GrantContractorAsync(PolicyDocument policy)
    {
        await _contractor.Client.PublishPolicyAsync(policy);
        await _contractor.Client.GrantMandateAsync(policy.PolicyHash, [], [], DateTimeOffset.UtcNow.AddDays(30));
    }

    private async Task<List<TranscriptEvent>> EventsAsync() => [.. (await _contractor.Client.GetEventsAsync(_session, limit: 1000)).Events];

    private async Task<JsonObject> LongNoticeAsync()
    {
        var terms = await _contractor.DraftAsync(_homeowner);
        terms["revocation"]!["noticePeriod"] = "P90D";
        return terms;
    }

    /// <summary>GET verify and the offline verifier both Ok; the offline report, for what it could not check.</summary>
    private async Task<ExportVerification> VerifiedEverywhereAsync()
    {
        var report = await _homeowner.Client.VerifyAsync(_session);
        report.Ok.Should().BeTrue(report.FirstError?.Message);
        var daemonKey = Base64Url.Decode((await _homeowner.Client.GetDaemonAsync()).PublicKey);
        var offline = ExportVerifier.Verify(await _homeowner.Client.ExportSessionAsync(_session), daemonKey);
        offline.Ok.Should().BeTrue(offline.FirstFailure?.Message);
        return offline;
    }

    [Fact]
    public async Task The_other_sides_mandate_answers_a_counter_in_the_same_commit_and_can_put_it_in_force()
    {
        await GrantHomeownerAsync();
        await GrantContractorAsync(new PolicyBuilder("accepting").Sign("short-notice", "terms.revocation.noticePeriod == 'P30D'").Build());

        var created = await _contractor.Client.ProposeAsync(_session, await LongNoticeAsync(), _contractor.Authority);

        created.Status.Should().Be("countered");
        var events = (await EventsAsync()).SkipWhile(e => e.Type != EventTypes.ProposalCreated).ToList();
        events.Select(e => e.Type).Should().Equal("proposal.created", "policy.decided", "policy.decided", "proposal.created", "proposal.countered",
            "policy.decided", "proposal.signed", "compact.in-force");
        events.Select(e => e.Time).Distinct().Should().ContainSingle("one commit");
        var counterId = events[3].Data["proposalId"]!.GetValue<string>();
        var answer = events[5];
        answer.Data["proposalId"]!.GetValue<string>().Should().Be(counterId);
        answer.Data["decision"]!["effect"]!.GetValue<string>().Should().Be("sign");
        answer.Data["passport"]!["agent"]!.GetValue<string>().Should().Be(_homeowner.Did, "the contractor's mandate judges the homeowner");
        answer.Data["passport"]!["asOfSeq"]!.GetValue<long>().Should().Be(events[3].Seq - 1, "as of the seq before the counter's proposal.created");
        Pact.Core.Passport.AgentPassport.HashOf(answer.Data["passport"]!.AsObject()).Should().Be(answer.Data["passport"]!["passportHash"]!.GetValue<string>());
        var (record, _) = SignedCompactRecord.FromJson(events[7].Data["record"]);
        record!.Verify().IsValid.Should().BeTrue();
        record.Signatures.Select(s => s.Agent).Should().Equal(_homeowner.Did, _contractor.Did);
        record.Signatures.Should().OnlyContain(s => s.Signer == record.DaemonId);
        (await _contractor.Client.GetProposalAsync(counterId)).Status.Should().Be("signed");
        var offline = await VerifiedEverywhereAsync();
        offline.NotChecked.Should().NotContain(u => u.Check == ExportChecks.PolicyDecision, "a counter taken follows from the transcript alone");
    }

    [Fact]
    public async Task A_verifier_that_knows_only_sections_0_to_12_reports_the_mandate_signatures_unverifiable_and_verifies_the_rest()
    {
        await GrantHomeownerAsync();
        await GrantContractorAsync(new PolicyBuilder("accepting").Sign("short-notice", "terms.revocation.noticePeriod == 'P30D'").Build());
        await _contractor.Client.ProposeAsync(_session, await LongNoticeAsync(), _contractor.Authority);
        var events = await EventsAsync();
        var counter = events.FindIndex(e => e.Type == EventTypes.ProposalCreated && e.Actor == TranscriptEvent.DaemonActor);
        var inForce = events.FindIndex(e => e.Type == EventTypes.CompactInForce);
        var bundle = await _homeowner.Client.ExportSessionAsync(_session);
        var daemonKey = Base64Url.Decode((await _homeowner.Client.GetDaemonAsync()).PublicKey);

        var full = ExportVerifier.Verify(bundle, daemonKey);
        full.Ok.Should().BeTrue(full.FirstFailure?.Message);
        full.Unverifiable.Should().BeEmpty("a verifier that knows §14 verifies mandate signatures");
        full.NotChecked.Should().BeEmpty();

        var core = ExportVerifier.Verify(bundle, daemonKey, options: new ExportVerifierOptions { CoreSectionsOnly = true });
        core.Ok.Should().BeTrue(core.FirstFailure?.Message);
        core.Unverifiable.Select(u => u.Pointer).Should().Equal(
            $"/events/{counter}/data/signature", $"/events/{inForce}/data/record/signatures/0", $"/events/{inForce}/data/record/signatures/1");
        core.Unverifiable.Should().OnlyContain(u => u.Check == ExportChecks.CompactSignature);
        // Everything else is verified as before: the note, envelopes and the daemon's in-force signature.
        core.SignaturesChecked.Should().BeGreaterThan(0).And.BeLessThan(full.SignaturesChecked);
        core.EventsChecked.Should().Be(full.EventsChecked);
        core.ProofsChecked.Should().Be(full.ProofsChecked - bundle.Mandates!.Sum(m => m.Events.Count), "mandate streams are §14's");
        core.NotChecked.Select(u => u.Check).Should().Contain(ExportChecks.PolicyDecision).And.Contain(ExportChecks.Mandate);
    }

    [Fact]
    public async Task Two_hosted_agents_countering_each_other_stop_at_exactly_8_linked_proposals()
    {
        await GrantHomeownerAsync();
        await GrantContractorAsync(new PolicyBuilder("longer")
            .Counter("longer-notice", "terms.revocation.noticePeriod == 'P30D'", ("/revocation/noticePeriod", "P90D"))
            .Sign("agreed", "terms.revocation.noticePeriod == 'P90D'")
            .Build());

        var created = await _contractor.Client.ProposeAsync(_session, await LongNoticeAsync(), _contractor.Authority);

        created.Status.Should().Be("countered");
        var events = await EventsAsync();
        var proposals = events.Where(e => e.Type == EventTypes.ProposalCreated).ToList();
        proposals.Should().HaveCount(8, "the cap allows exactly 8 linked proposals: the 8th's counter acts as escalate, no 9th is made");
        for (var i = 1; i < proposals.Count; i++)
            proposals[i].Data["replaces"]!.GetValue<string>().Should().Be(proposals[i - 1].Data["proposalId"]!.GetValue<string>(), $"proposal {i + 1} replaces the one before");
        events.Count(e => e.Type == EventTypes.PolicyDecided).Should().Be(7 * 2 + 1, "seven counters of two decisions each, then the 8th's decision");
        var last = events[^1];
        last.Type.Should().Be(EventTypes.PolicyDecided, "nothing follows the 8th proposal's decision");
        last.Data["proposalId"]!.GetValue<string>().Should().Be(proposals[^1].Data["proposalId"]!.GetValue<string>());
        last.Data["decision"]!["effect"]!.GetValue<string>().Should().Be("counter", "recorded as decided, then acting as escalate");
        (await _contractor.Client.GetProposalAsync(proposals[^1].Data["proposalId"]!.GetValue<string>())).Status.Should().Be("open");
        // The 8th is the homeowner's mandate's counter: it waits for the contractor, with the decision its mandate escalated.
        (await _contractor.Client.GetPendingAsync()).Items.Should().ContainSingle(i => i.Kind == "proposal").Which.Decision!["effect"]!.GetValue<string>()
            .Should().Be("counter");
        await VerifiedEverywhereAsync();
    }

    [Fact]
    public async Task A_counter_whose_upstream_the_owner_is_no_party_of_is_not_made_PACT_108()
    {
        var stranger = await Negotiator.RegisterAsync(_host, "Stranger");
        var elsewhere = (await _contractor.Client.CreateSessionAsync([_contractor.Did, stranger.Did])).SessionId;
        var upstream = await _contractor.DraftAsync(stranger);
        await _contractor.NegotiateAsync(stranger, elsewhere, upstream);
        var draft = await _contractor.DraftAsync(_homeowner);
        var set = new List<(string Pointer, JsonNode? Value)>
        {
            ("/upstream", new JsonArray(new JsonObject { ["compactId"] = upstream["compactId"]!.GetValue<string>(), ["version"] = 1, ["on"] = new JsonArray("revocation") })),
        };
        foreach (var side in new[] { "a", "b" })
        {
            for (var i = 0; i < draft["retention"]![side]!.AsArray().Count; i++)
                set.Add(($"/retention/{side}/{i}/disposition/upstream", new JsonObject { ["action"] = "delete" }));
        }
        var dependent = new PolicyBuilder("dependent")
            .Counter("needs-upstream", "size(terms.upstream) == 0", [.. set])
            .Sign("has-upstream", "size(terms.upstream) > 0")
            .Build();
        await _homeowner.Client.PublishPolicyAsync(dependent);
        await _homeowner.Client.GrantMandateAsync(dependent.PolicyHash, [], [], DateTimeOffset.UtcNow.AddDays(30));

        var created = await _contractor.Client.ProposeAsync(_session, draft, _contractor.Authority);

        created.Status.Should().Be("open", "the homeowner is no party of the upstream compact: its own proposal would be refused (PACT-108)");
        var decided = (await EventsAsync()).Where(e => e.Type == EventTypes.PolicyDecided).Should().ContainSingle().Which;
        decided.Data["decision"]!["effect"]!.GetValue<string>().Should().Be("escalate");
        decided.Data["decision"]!["ruleId"]!.GetValue<string>().Should().Be("needs-upstream");
        var dryRun = await _homeowner.Client.EvaluatePolicyOnProposalAsync(null, dependent.PolicyHash, created.ProposalId);
        dryRun.DecisionHash.Should().Be(decided.Data["decisionHash"]!.GetValue<string>(), "the dry run judges the counter as the mandate did");
        var offline = await VerifiedEverywhereAsync();
        var index = (await EventsAsync()).FindIndex(e => e.Seq == decided.Seq);
        offline.NotChecked.Where(u => u.Check == ExportChecks.PolicyDecision).Should().ContainSingle("only the registry and upstream state can explain the escalate")
            .Which.Should().Match<ExportUnjudged>(u => u.Pointer == $"/events/{index}" && u.Seq == decided.Seq && u.Reason.Contains("registry") && u.Reason.Contains("upstream"));
    }
}
