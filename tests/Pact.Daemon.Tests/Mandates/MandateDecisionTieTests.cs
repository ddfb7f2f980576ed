using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pact.Client;
using Pact.Client.Verification;
using Pact.Core.Encoding;
using Pact.Core.Events;
using Pact.Core.Mandates;
using Pact.Core.Negotiation;
using Pact.Core.Policies;
using Pact.Daemon.Hosting;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;

namespace Pact.Daemon.Tests.Mandates;

/// <summary>
/// §14: an act under a mandate must carry out a recorded decision of its proposal with that decisionHash and effect. Acts
/// a rogue daemon might write straight into its log — a signature over a made-up decisionHash, a signature after an
/// escalate, an act with no decision — fail GET verify and the offline verifier alike, at that event, as mandate-decision.
/// </summary>
public class MandateDecisionTieTests : IAsyncLifetime
{
    /// <summary>The store the daemons of these tests run on (Postgres/OnPostgres.cs runs them again on PostgreSQL).</summary>
    protected virtual DaemonStore Store => DaemonStore.Default;

    private DaemonHost _host = null!;
    private Negotiator _contractor = null!;
    private Negotiator _homeowner = null!;

    public async Task InitializeAsync()
    {
        _host = await DaemonHost.StartAsync(store: Store);
        _contractor = await Negotiator.RegisterAsync(_host, "Contractor");
        _homeowner = await Negotiator.RegisterAsync(_host, "Homeowner", "human");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>A session where the contractor proposes to the homeowner, who granted a mandate with <paramref name="policy"/> in <paramref name="scope"/>.</summary>
    private async Task<(string Session, Pact.Core.Contracts.Responses.MandateResource Mandate, TranscriptEvent Created)> ProposeAsync(PolicyDocument policy, JsonObject scope)
    {
        await _homeowner.Client.PublishPolicyAsync(policy);
        var mandate = await _homeowner.Client.GrantMandateAsync(policy.PolicyHash, scope, [], DateTimeOffset.UtcNow.AddDays(30));
        var session = (await _contractor.Client.CreateSessionAsync([_contractor.Did, _homeowner.Did])).SessionId;
        var proposal = await _contractor.Client.ProposeAsync(session, await _contractor.DraftAsync(_homeowner), _contractor.Authority);
        var created = (await _contractor.Client.GetEventsAsync(session)).Events.Single(e => e.Type == EventTypes.ProposalCreated);
        created.Data["proposalId"]!.GetValue<string>().Should().Be(proposal.ProposalId);
        return (session, mandate, created);
    }

    /// <summary>
    /// Appends, as the daemon and with its key, a <c>proposal.signed</c> countersigning the proposal under the mandate with
    /// <paramref name="decisionHash"/>: a signature that verifies, whatever decision it claims.
    /// </summary>
    private async Task<long> ForgeSignedAsync(string session, Pact.Core.Contracts.Responses.MandateResource mandate, TranscriptEvent created, string decisionHash)
    {
        var key = _host.Services.GetRequiredService<DaemonIdentity>().Key;
        var termsHash = created.Data["termsHash"]!.GetValue<string>();
        var firstSig = created.Data["envelope"]!["payload"]!["signature"]!["sig"]!.GetValue<string>();
        var reference = new JsonObject { ["mandateId"] = mandate.MandateId, ["mandateHash"] = mandate.MandateHash, ["decisionHash"] = decisionHash, ["grant"] = mandate.Grant.DeepClone() };
        var signature = new JsonObject
        {
            ["party"] = "b",
            ["agent"] = _homeowner.Did,
            ["signer"] = key.Did,
            ["sig"] = MandateCrypto.Countersign(key, termsHash, firstSig, mandate.MandateHash, decisionHash),
            ["signedAt"] = created.Time,
            ["principalAuthorization"] = new JsonObject { ["kind"] = "standing-policy", ["policyHash"] = mandate.PolicyHash },
            ["mandate"] = reference.DeepClone(),
        };
        var forged = EventDraft.ByDaemon(EventTypes.ProposalSigned, new JsonObject
        {
            ["proposalId"] = created.Data["proposalId"]!.DeepClone(), ["termsHash"] = termsHash, ["signature"] = signature, ["mandate"] = reference,
        });
        var appended = await _host.Services.GetRequiredService<IPactStore>().AppendAsync(new AppendRequest(DateTimeOffset.UtcNow, [new StreamAppend(session, [forged])]));
        return appended.Events[0].StreamSeq;
    }

    /// <summary>GET verify and the offline verifier of the export both fail first at <paramref name="streamSeq"/>, as mandate-decision.</summary>
    private async Task BothFailAtAsync(string session, long streamSeq, string because)
    {
        var online = await _homeowner.Client.VerifyAsync(session);
        online.Ok.Should().BeFalse();
        online.FirstError!.Check.Should().Be(DecisionReplay.ActCheck, online.FirstError.Message);
        online.FirstError.StreamSeq.Should().Be(streamSeq);
        online.FirstError.Message.Should().Contain(because);

        var daemonKey = Base64Url.Decode((await _homeowner.Client.GetDaemonAsync()).PublicKey);
        var offline = ExportVerifier.Verify(await _homeowner.Client.ExportSessionAsync(session), daemonKey);
        offline.Ok.Should().BeFalse();
        offline.FirstFailure!.Check.Should().Be(ExportChecks.MandateDecision, offline.FirstFailure.Message);
        offline.FirstFailure.StreamSeq.Should().Be(streamSeq);
        offline.FirstFailure.Pointer.Should().Be($"/events/{streamSeq - 1}");
        offline.FirstFailure.Message.Should().Be(online.FirstError.Message, "both run the same check in Core");
    }

    private static PolicyDocument Hesitant() => new PolicyBuilder("hesitant-" + Guid.NewGuid().ToString("N")[..8])
        .Sign("famous-only", "counterparty.passport.score > 9000").Build();

    [Fact]
    public async Task A_daemon_signature_over_a_made_up_decision_hash_fails_at_that_event()
    {
        var (session, mandate, created) = await ProposeAsync(Hesitant(), []);
        (await _homeowner.Client.VerifyAsync(session)).Ok.Should().BeTrue("the escalate decision alone is honest");

        var at = await ForgeSignedAsync(session, mandate, created, new string('0', 64));

        await BothFailAtAsync(session, at, "no earlier policy.decided");
    }

    [Fact]
    public async Task A_signature_carrying_out_an_escalate_decision_fails_at_that_event()
    {
        var (session, mandate, created) = await ProposeAsync(Hesitant(), []);
        var decided = (await _contractor.Client.GetEventsAsync(session)).Events.Single(e => e.Type == EventTypes.PolicyDecided);
        decided.Data["decision"]!["effect"]!.GetValue<string>().Should().Be("escalate");

        var at = await ForgeSignedAsync(session, mandate, created, decided.Data["decisionHash"]!.GetValue<string>());

        await BothFailAtAsync(session, at, "effect is escalate, not sign");
    }

    [Fact]
    public async Task An_act_under_a_mandate_that_never_decided_fails_at_that_event()
    {
        var stranger = await Negotiator.RegisterAsync(_host, "Stranger");
        var (session, mandate, created) = await ProposeAsync(Hesitant(), new JsonObject { ["counterparties"] = new JsonArray(stranger.Did) });
        (await _contractor.Client.GetEventsAsync(session)).Events.Should().NotContain(e => e.Type == EventTypes.PolicyDecided, "the mandate is out of scope");

        var at = await ForgeSignedAsync(session, mandate, created, new string('1', 64));

        await BothFailAtAsync(session, at, "no earlier policy.decided");
    }
}
