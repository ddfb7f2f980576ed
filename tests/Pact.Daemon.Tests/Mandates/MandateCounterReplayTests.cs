using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pact.Client;
using Pact.Client.Verification;
using Pact.Core.Compacts;
using Pact.Core.Encoding;
using Pact.Core.Events;
using Pact.Core.Ids;
using Pact.Core.Mandates;
using Pact.Core.Negotiation;
using Pact.Core.Passport;
using Pact.Core.Policies;
using Pact.Core.Terms;
using Pact.Daemon.Application;
using Pact.Daemon.Hosting;
using Pact.Daemon.Policies;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;

namespace Pact.Daemon.Tests.Mandates;

/// <summary>
/// §13/§14: a counter under a mandate is re-derived from the judged proposal — its terms are the judged terms with the
/// counter rule's <c>set</c> applied. A rogue daemon that writes a counter with terms of its own choosing straight into
/// its log, even terms its agent's policy would sign, fails GET verify and the offline verifier alike, at the counter's
/// decision, with the same message.
/// </summary>
public sealed class MandateCounterReplayTests : ContractorAndHomeowner
{
    /// <summary>Counters a 90-day notice period with 30 days; signs 30 days, and 14 days too.</summary>
    private static PolicyDocument ShorterNotice() => new PolicyBuilder("shorter-" + Guid.NewGuid().ToString("N")[..8])
        .Counter("shorter-notice", "terms.revocation.noticePeriod == 'P90D'", ("/revocation/noticePeriod", "P30D"))
        .Sign("agreed", "terms.revocation.noticePeriod in ['P30D', 'P14D']")
        .Build();

    /// <summary>The contractor proposes a 90-day notice period to the homeowner, who grants a mandate for that session only afterwards (so the daemon has not answered).</summary>
    private async Task<(string Session, MandateRecord Mandate, CompiledPolicy Policy, TranscriptEvent Judged)> ProposeThenGrantAsync(PolicyDocument policy)
    {
        var session = (await Contractor.Client.CreateSessionAsync([Contractor.Did, Homeowner.Did])).SessionId;
        var terms = await Contractor.DraftAsync(Homeowner);
        terms["revocation"]!["noticePeriod"] = "P90D";
        await Contractor.Client.ProposeAsync(session, terms, Contractor.Authority);
        await Homeowner.Client.PublishPolicyAsync(policy);
        var granted = await Homeowner.Client.GrantMandateAsync(policy.PolicyHash, new JsonObject { ["sessions"] = new JsonArray(session) }, [],
            DateTimeOffset.UtcNow.AddDays(30));
        var judged = (await Contractor.Client.GetEventsAsync(session)).Events.Single(e => e.Type == EventTypes.ProposalCreated);
        var mandate = Host.Services.GetRequiredService<DecisionEngine>().State.Mandate(granted.MandateId)!;
        var compiled = (await Host.Services.GetRequiredService<PolicyCatalog>().GetAsync(policy.PolicyHash, CancellationToken.None))!;
        return (session, mandate, compiled, judged);
    }

    /// <summary>
    /// Appends, as the daemon and with its key, the commit of a counter to the judged proposal with a notice period of
    /// <paramref name="noticePeriod"/>: the honest first decision (counter), then the policy's own decision on the
    /// counter's terms, the counter first-signed under the mandate, and proposal.countered. Returns the counter decision's streamSeq.
    /// </summary>
    private async Task<long> RecordCounterAsync(string session, MandateRecord mandate, CompiledPolicy policy, TranscriptEvent judged, string noticePeriod)
    {
        var now = DateTimeOffset.UtcNow;
        var judgedTerms = judged.Data["envelope"]!["payload"]!["terms"]!.AsObject();
        var counterTerms = (JsonObject)judgedTerms.DeepClone();
        counterTerms["revocation"]!["noticePeriod"] = noticePeriod;
        // The passport §13 names: the proposer's, as of the seq before the judged proposal.created.
        var passport = (await Host.Services.GetRequiredService<PassportService>().AsOfSeqAsync(Contractor.Did, judged.Seq - 1, CancellationToken.None)).ToJson();
        // Neither rule reads more than the terms, so any input on them decides as the live path's would.
        var input = PolicyInput.For((JsonObject)judgedTerms.DeepClone(), "b",
            new PolicyProposalFacts(judged.Data["proposalId"]!.GetValue<string>(), session, judgedTerms["compactId"]!.GetValue<string>(), 1, "a", null,
                judged.Data["termsHash"]!.GetValue<string>(), now, null),
            PolicyPassportFacts.From(AgentPassport.FromJson(passport)), PolicySessionFacts.None);
        var first = PolicyEvaluator.Evaluate(policy, input).Decision;
        first.Effect.Should().Be(PolicyEffects.Counter);
        var second = PolicyEvaluator.Decide(policy, input.WithTerms(counterTerms));
        second.Effect.Should().Be(PolicyEffects.Sign, "the policy signs the counter's terms");

        var judgedId = judged.Data["proposalId"]!.GetValue<string>();
        var counterId = PactIds.New(PactIds.Proposal, now);
        var key = Host.Services.GetRequiredService<DaemonIdentity>().Key;
        var signature = MandateActions.Sign(key, mandate, PartyRole.B, CompactCrypto.TermsHash(counterTerms), second.DecisionHash, null, now);
        var expiresAt = TermsReader.Read(counterTerms).Terms?.NegotiationTimeoutDuration?.AddTo(now);
        StreamEvent[] commit =
        [
            MandateActions.Decided(session, judgedId, mandate, first, passport),
            MandateActions.Decided(session, counterId, mandate, second, passport, judgedId),
            .. MandateActions.Countered(session, counterId, judgedId, counterTerms, signature, expiresAt).Events,
        ];
        var appended = await Host.Services.GetRequiredService<IPactStore>()
            .AppendAsync(new AppendRequest(now, [new StreamAppend(session, [.. commit.Select(e => e.Draft)])]));
        return appended.Events[1].StreamSeq;
    }

    [Fact]
    public async Task A_counter_with_terms_the_daemon_chose_fails_both_verifiers_at_its_decision_even_though_the_policy_signs_them()
    {
        var policy = ShorterNotice();
        var honest = await ProposeThenGrantAsync(policy);
        await RecordCounterAsync(honest.Session, honest.Mandate, honest.Policy, honest.Judged, "P30D");
        var honestReport = await Homeowner.Client.VerifyAsync(honest.Session);
        honestReport.Ok.Should().BeTrue(honestReport.FirstError?.Message);
        var daemonKey = Base64Url.Decode((await Homeowner.Client.GetDaemonAsync()).PublicKey);
        var honestOffline = ExportVerifier.Verify(await Homeowner.Client.ExportSessionAsync(honest.Session), daemonKey);
        honestOffline.Ok.Should().BeTrue(honestOffline.FirstFailure?.Message);

        var forged = await ProposeThenGrantAsync(policy);
        var at = await RecordCounterAsync(forged.Session, forged.Mandate, forged.Policy, forged.Judged, "P14D");

        var online = await Homeowner.Client.VerifyAsync(forged.Session);
        online.Ok.Should().BeFalse();
        online.FirstError!.Check.Should().Be(DecisionReplay.Check, online.FirstError.Message);
        online.FirstError.StreamSeq.Should().Be(at);
        online.FirstError.Message.Should().Contain("terms are not the judged proposal");

        var offline = ExportVerifier.Verify(await Homeowner.Client.ExportSessionAsync(forged.Session), daemonKey);
        offline.Ok.Should().BeFalse();
        offline.FirstFailure!.Check.Should().Be(ExportChecks.PolicyDecision, offline.FirstFailure.Message);
        offline.FirstFailure.StreamSeq.Should().Be(at);
        offline.FirstFailure.Message.Should().Be(online.FirstError.Message, "both run the same check in Core");
    }

    [Fact]
    public async Task An_escalate_recorded_where_the_counter_was_takeable_fails_GET_verify_and_is_listed_not_checked_offline()
    {
        var policy = ShorterNotice();
        var lied = await ProposeThenGrantAsync(policy);
        var judgedTerms = lied.Judged.Data["envelope"]!["payload"]!["terms"]!.AsObject();
        var passport = (await Host.Services.GetRequiredService<PassportService>().AsOfSeqAsync(Contractor.Did, lied.Judged.Seq - 1, CancellationToken.None)).ToJson();
        var input = PolicyInput.For((JsonObject)judgedTerms.DeepClone(), "b",
            new PolicyProposalFacts(lied.Judged.Data["proposalId"]!.GetValue<string>(), lied.Session, judgedTerms["compactId"]!.GetValue<string>(), 1, "a", null,
                lied.Judged.Data["termsHash"]!.GetValue<string>(), DateTimeOffset.UtcNow, null),
            PolicyPassportFacts.From(AgentPassport.FromJson(passport)), PolicySessionFacts.None);
        var counter = PolicyEvaluator.Evaluate(lied.Policy, input).Decision;
        counter.Effect.Should().Be(PolicyEffects.Counter, "both parties are registered and the terms name no upstream: the counter is takeable");
        // The daemon records the counter rule acting as escalate, as if the registry or an upstream had refused the patched terms.
        var escalate = MandateActions.Decided(lied.Session, lied.Judged.Data["proposalId"]!.GetValue<string>(), lied.Mandate,
            counter with { Effect = PolicyEffects.Escalate }, passport);
        var appended = await Host.Services.GetRequiredService<IPactStore>()
            .AppendAsync(new AppendRequest(DateTimeOffset.UtcNow, [new StreamAppend(lied.Session, [escalate.Draft])]));

        var online = await Homeowner.Client.VerifyAsync(lied.Session);
        online.Ok.Should().BeFalse();
        online.FirstError!.Check.Should().Be(DecisionReplay.Check, online.FirstError.Message);
        online.FirstError.StreamSeq.Should().Be(appended.Events[0].StreamSeq);
        online.FirstError.Message.Should().Contain("counter was takeable");

        var daemonKey = Base64Url.Decode((await Homeowner.Client.GetDaemonAsync()).PublicKey);
        var offline = ExportVerifier.Verify(await Homeowner.Client.ExportSessionAsync(lied.Session), daemonKey);
        offline.Ok.Should().BeTrue("the export holds neither the registry nor the upstream state: " + offline.FirstFailure?.Message);
        offline.NotChecked.Should().ContainSingle(u => u.Check == ExportChecks.PolicyDecision)
            .Which.StreamSeq.Should().Be(appended.Events[0].StreamSeq);
    }
}
