using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pact.Client;
using Pact.Client.Verification;
using Pact.Core.Encoding;
using Pact.Core.Events;
using Pact.Core.Mandates;
using Pact.Core.Negotiation;
using Pact.Core.Passport;
using Pact.Core.Policies;
using Pact.Daemon.Application;
using Pact.Daemon.Hosting;
using Pact.Daemon.Policies;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;

namespace Pact.Daemon.Tests.Mandates;

/// <summary>
/// §13/§14: the passport a <c>policy.decided</c> records is the judged proposal's counterparty's, as of the seq before its
/// <c>proposal.created</c>, and the log's there. A lying daemon that records a passport with forged figures (its
/// passportHash consistent, and the decision recomputing from it) or another asOfSeq fails GET verify and the offline
/// verifier alike at that decision; an offline verifier whose bundle does not hold the log up to that seq says it did
/// not check the figures.
/// </summary>
public sealed class MandatePassportVerifyTests : ContractorAndHomeowner
{
    /// <summary>Signs for a counterparty with five compacts or more; escalates otherwise.</summary>
    private static PolicyDocument Experienced() => new PolicyBuilder("experienced-" + Guid.NewGuid().ToString("N")[..8])
        .Sign("experienced", "counterparty.passport.compacts >= 5")
        .Build();

    /// <summary>
    /// The contractor proposes, the homeowner then grants a mandate for that session (so the daemon has not answered), and
    /// the daemon's key records a decision on the proposal with <paramref name="forge"/> applied to the log's passport.
    /// Returns the session and the decision's streamSeq.
    /// </summary>
    private async Task<(string Session, long At)> DecideAsync(Func<AgentPassport, AgentPassport> forge)
    {
        var session = (await Contractor.Client.CreateSessionAsync([Contractor.Did, Homeowner.Did])).SessionId;
        await Contractor.Client.ProposeAsync(session, await Contractor.DraftAsync(Homeowner), Contractor.Authority);
        var policy = Experienced();
        await Homeowner.Client.PublishPolicyAsync(policy);
        var granted = await Homeowner.Client.GrantMandateAsync(policy.PolicyHash, new JsonObject { ["sessions"] = new JsonArray(session) }, [],
            DateTimeOffset.UtcNow.AddDays(30));
        var judged = (await Contractor.Client.GetEventsAsync(session)).Events.Single(e => e.Type == EventTypes.ProposalCreated);
        var mandate = Host.Services.GetRequiredService<DecisionEngine>().State.Mandate(granted.MandateId)!;
        var compiled = (await Host.Services.GetRequiredService<PolicyCatalog>().GetAsync(policy.PolicyHash, CancellationToken.None))!;

        var logged = await Host.Services.GetRequiredService<PassportService>().AsOfSeqAsync(Contractor.Did, judged.Seq - 1, CancellationToken.None);
        var passport = forge(logged);
        // The rule reads only the passport, so the decision recomputes from whatever passport is recorded.
        var input = PolicyInput.For(judged.Data["envelope"]!["payload"]!["terms"]!.AsObject(), "b",
            new PolicyProposalFacts(judged.Data["proposalId"]!.GetValue<string>(), session, judged.Data["compactId"]!.GetValue<string>(), 1, "a", null,
                judged.Data["termsHash"]!.GetValue<string>(), DateTimeOffset.UtcNow, null),
            PolicyPassportFacts.From(passport), PolicySessionFacts.None);
        var decision = PolicyEvaluator.Evaluate(compiled, input).Decision;
        var decided = MandateActions.Decided(session, judged.Data["proposalId"]!.GetValue<string>(), mandate, decision, passport.ToJson());
        var appended = await Host.Services.GetRequiredService<IPactStore>()
            .AppendAsync(new AppendRequest(DateTimeOffset.UtcNow, [new StreamAppend(session, [decided.Draft])]));
        return (session, appended.Events[0].StreamSeq);
    }

    private async Task<ExportVerification> OfflineAsync(string session) =>
        ExportVerifier.Verify(await Homeowner.Client.ExportSessionAsync(session), Base64Url.Decode((await Homeowner.Client.GetDaemonAsync()).PublicKey));

    private async Task BothFailAtAsync(string session, long at, string because)
    {
        var online = await Homeowner.Client.VerifyAsync(session);
        online.Ok.Should().BeFalse();
        online.FirstError!.Check.Should().Be(RecordedPassports.Check, online.FirstError.Message);
        online.FirstError.StreamSeq.Should().Be(at);
        online.FirstError.Message.Should().Contain(because);

        var offline = await OfflineAsync(session);
        offline.Ok.Should().BeFalse();
        offline.FirstFailure!.Check.Should().Be(ExportChecks.Passport, offline.FirstFailure.Message);
        offline.FirstFailure.StreamSeq.Should().Be(at);
        offline.FirstFailure.Message.Should().Be(online.FirstError.Message, "both run the same check in Core");
    }

    [Fact]
    public async Task The_logs_passport_verifies_online_and_offline_with_nothing_left_unchecked()
    {
        var (session, _) = await DecideAsync(p => p);
        var online = await Homeowner.Client.VerifyAsync(session);
        online.Ok.Should().BeTrue(online.FirstError?.Message);
        var offline = await OfflineAsync(session);
        offline.Ok.Should().BeTrue(offline.FirstFailure?.Message);
        offline.NotChecked.Should().BeEmpty("the bundle holds the whole log up to the passport's seq");
    }

    [Fact]
    public async Task A_passport_with_a_forged_count_fails_both_verifiers_at_its_decision()
    {
        // Five compacts the contractor never entered: the policy signs on them, and passportHash is the forged content's.
        var (session, at) = await DecideAsync(p => p with { Counts = p.Counts with { Compacts = 5, Active = 5 } });
        await BothFailAtAsync(session, at, "not the log's as of seq");
    }

    [Fact]
    public async Task A_passport_as_of_another_seq_fails_both_verifiers_at_its_decision()
    {
        var (session, at) = await DecideAsync(p => p with { AsOfSeq = p.AsOfSeq + 1 });
        await BothFailAtAsync(session, at, "so its passport is as of seq");
    }

    [Fact]
    public async Task A_passport_of_another_agent_fails_both_verifiers_at_its_decision()
    {
        var (session, at) = await DecideAsync(p => p with { Agent = Homeowner.Did });
        await BothFailAtAsync(session, at, "but the judged proposal's counterparty is");
    }

    [Fact]
    public async Task Offline_without_the_log_up_to_its_seq_a_passports_figures_are_reported_not_checked()
    {
        // An earlier session puts events in the log that this session's bundle does not hold.
        await Contractor.Client.CreateSessionAsync([Contractor.Did, Homeowner.Did]);
        var (session, at) = await DecideAsync(p => p with { Counts = p.Counts with { Compacts = 5, Active = 5 } });

        (await Homeowner.Client.VerifyAsync(session)).FirstError!.Check.Should().Be(RecordedPassports.Check, "the daemon holds the log");
        var offline = await OfflineAsync(session);
        offline.Ok.Should().BeTrue(offline.FirstFailure?.Message);
        var skipped = offline.NotChecked.Should().ContainSingle().Subject;
        skipped.Check.Should().Be(ExportChecks.Passport);
        skipped.StreamSeq.Should().Be(at);
        skipped.Pointer.Should().EndWith("/data/passport");
        skipped.Reason.Should().Contain("does not hold the log");
    }
}
