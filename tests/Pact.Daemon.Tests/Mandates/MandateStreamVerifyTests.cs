using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pact.Client.Verification;
using Pact.Core.Encoding;
using Pact.Core.Events;
using Pact.Core.Mandates;
using Pact.Core.Negotiation;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;

namespace Pact.Daemon.Tests.Mandates;

/// <summary>
/// §14's checks of an act against its mandate that need more than the act: no decision after the mandate's
/// <c>mandate.revoked</c>, and an acknowledgment given under the mandate of the agent the initiation is addressed to.
/// The live path never records either; events a rogue daemon writes straight into its log fail GET verify and the
/// offline verifier alike, at that event, with the same check and message (both run Core's).
/// </summary>
public sealed class MandateStreamVerifyTests : IAsyncLifetime
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

    private async Task<List<TranscriptEvent>> EventsAsync() => [.. (await _contractor.Client.GetEventsAsync(_session, limit: 1000)).Events];

    /// <summary>Appends <paramref name="draft"/> to the session as the daemon would, bypassing every check; its streamSeq.</summary>
    private async Task<long> ForgeAsync(EventDraft draft)
    {
        var appended = await _host.Services.GetRequiredService<IPactStore>().AppendAsync(new AppendRequest(DateTimeOffset.UtcNow, [new StreamAppend(_session, [draft])]));
        return appended.Events[0].StreamSeq;
    }

    private async Task BothFailAtAsync(long streamSeq, string check, string because)
    {
        var online = await _homeowner.Client.VerifyAsync(_session);
        online.Ok.Should().BeFalse();
        online.FirstError!.Check.Should().Be(check, online.FirstError.Message);
        online.FirstError.StreamSeq.Should().Be(streamSeq);
        online.FirstError.Message.Should().Contain(because);

        var daemonKey = Base64Url.Decode((await _homeowner.Client.GetDaemonAsync()).PublicKey);
        var offline = ExportVerifier.Verify(await _homeowner.Client.ExportSessionAsync(_session), daemonKey);
        offline.Ok.Should().BeFalse();
        offline.FirstFailure!.Check.Should().Be(check, offline.FirstFailure.Message);
        offline.FirstFailure.StreamSeq.Should().Be(streamSeq);
        offline.FirstFailure.Message.Should().Be(online.FirstError.Message, "both run the same check in Core");
    }

    [Fact]
    public async Task A_decision_after_the_mandates_revocation_fails_verify_and_the_offline_verifier_and_the_live_path_takes_none()
    {
        var mandate = await _homeowner.Client.GrantMandateAsync(await MandateGrantTests.PublishAsync(_homeowner), [], [], DateTimeOffset.UtcNow.AddDays(30));
        (await _contractor.Client.ProposeAsync(_session, await _contractor.DraftAsync(_homeowner), _contractor.Authority)).Status.Should().Be("signed");
        await _homeowner.Client.RevokeMandateAsync(mandate.MandateId);

        // Live: a proposal after the revocation is not decided.
        (await _contractor.Client.ProposeAsync(_session, await _contractor.DraftAsync(_homeowner), _contractor.Authority)).Status.Should().Be("open");
        (await EventsAsync()).Count(e => e.Type == EventTypes.PolicyDecided).Should().Be(1);
        (await _homeowner.Client.VerifyAsync(_session)).Ok.Should().BeTrue();

        // A copy of the honest decision, recorded after the revocation: it recomputes, but the mandate had ended.
        var honest = (await EventsAsync()).Single(e => e.Type == EventTypes.PolicyDecided);
        var at = await ForgeAsync(EventDraft.ByDaemon(EventTypes.PolicyDecided, (JsonObject)honest.Data.DeepClone()));

        await BothFailAtAsync(at, MandateStreams.Check, "was revoked");
    }

    [Fact]
    public async Task An_acknowledgment_under_the_initiators_own_mandate_fails_verify_and_the_offline_verifier()
    {
        // The contractor's mandate acknowledges withdrawals addressed to the contractor, not its own.
        var policy = new Pact.Client.PolicyBuilder("idle").Build();
        await _contractor.Client.PublishPolicyAsync(policy);
        var mandate = await _contractor.Client.GrantMandateAsync(policy.PolicyHash, [], ["withdrawal"], DateTimeOffset.UtcNow.AddDays(30));
        var proposal = await _contractor.Client.ProposeAsync(_session, await _contractor.DraftAsync(_homeowner), _contractor.Authority);
        await _contractor.Client.WithdrawAsync(proposal.ProposalId);
        var events = await EventsAsync();
        events[^1].Type.Should().Be(EventTypes.WithdrawalInitiated, "live: nobody's mandate acknowledges it for the homeowner");
        (await _homeowner.Client.VerifyAsync(_session)).Ok.Should().BeTrue();

        var at = await ForgeAsync(EventDraft.ByDaemon(EventTypes.WithdrawalAcknowledged, new JsonObject
        {
            ["mandate"] = new JsonObject
            {
                ["mandateId"] = mandate.MandateId, ["mandateHash"] = mandate.MandateHash, ["decisionHash"] = null, ["grant"] = mandate.Grant.DeepClone(),
            },
            ["proposalId"] = proposal.ProposalId,
            ["withdrawalHash"] = events[^1].Hash,
        }));

        await BothFailAtAsync(at, DecisionReplay.AuthorityCheck, "answers for " + _homeowner.Did);
    }
}
