using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Core.Events;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests.Mandates;

/// <summary>
/// Acknowledgments under a mandate (§14): each kind listed in <c>acknowledge</c> is acknowledged in the initiation's commit,
/// by the daemon with <c>mandate</c> in place of <c>envelope</c>; mutual revocation only when listed; the pending list shows
/// an escalated decision; verify recomputes every decision.
/// </summary>
public class MandateAcknowledgmentTests : IAsyncLifetime
{
    /// <summary>The store the daemons of these tests run on (Postgres/OnPostgres.cs runs them again on PostgreSQL).</summary>
    protected virtual DaemonStore Store => DaemonStore.Default;

    private DaemonHost _host = null!;
    private Negotiator _contractor = null!;
    private Negotiator _homeowner = null!;
    private string _session = null!;

    public async Task InitializeAsync()
    {
        _host = await DaemonHost.StartAsync(store: Store);
        _contractor = await Negotiator.RegisterAsync(_host, "Contractor");
        _homeowner = await Negotiator.RegisterAsync(_host, "Homeowner", "human");
        _session = (await _contractor.Client.CreateSessionAsync([_contractor.Did, _homeowner.Did])).SessionId;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<string> HesitantAsync()
    {
        var hesitant = new PolicyBuilder("hesitant").Sign("famous-only", "counterparty.passport.score > 9000").Build();
        await _homeowner.Client.PublishPolicyAsync(hesitant);
        return hesitant.PolicyHash;
    }

    private async Task<IReadOnlyList<TranscriptEvent>> EventsAfterAsync(long streamSeq) =>
        [.. (await _contractor.Client.GetEventsAsync(_session)).Events.Where(e => e.StreamSeq > streamSeq)];

    private async Task<long> HeadAsync() => (await _contractor.Client.GetEventsAsync(_session)).Events[^1].StreamSeq;

    [Fact]
    public async Task Withdrawals_and_markers_are_acknowledged_in_their_commit_and_an_escalation_waits_in_the_pending_list()
    {
        var mandate = await _homeowner.Client.GrantMandateAsync(await HesitantAsync(), [], ["withdrawal", "marker"], DateTimeOffset.UtcNow.AddDays(30));
        var proposal = await _contractor.Client.ProposeAsync(_session, await _contractor.DraftAsync(_homeowner), _contractor.Authority);

        var pending = await _homeowner.Client.GetPendingAsync();
        var item = pending.Items.Should().ContainSingle().Which;
        (item.Kind, item.Id, item.SessionId, item.BundleId).Should().Be(("proposal", proposal.ProposalId, _session, (string?)null));
        item.Deadline.Should().Be(proposal.ExpiresAt);
        item.Decision!["effect"]!.GetValue<string>().Should().Be("escalate");

        var head = await HeadAsync();
        var withdrawal = await _contractor.Client.WithdrawAsync(proposal.ProposalId);
        withdrawal.Proposal!.Status.Should().Be("withdrawn", "the initiator sees the proposal after the whole commit");
        var events = await EventsAfterAsync(head);
        events.Select(e => e.Type).Should().Equal("proposal.withdrawal.initiated", "proposal.withdrawal.acknowledged", "proposal.withdrawn");
        var ack = events[1];
        ack.Actor.Should().Be("daemon");
        ack.Data.ContainsKey("envelope").Should().BeFalse();
        ack.Data["withdrawalHash"]!.GetValue<string>().Should().Be(events[0].Hash);
        ack.Data["mandate"]!["mandateId"]!.GetValue<string>().Should().Be(mandate.MandateId);
        ack.Data["mandate"]!["decisionHash"].Should().BeNull();
        (await _homeowner.Client.GetPendingAsync()).Items.Should().BeEmpty();

        // A compact the homeowner signs itself, then a marker the mandate acknowledges.
        var second = await _contractor.Client.ProposeAsync(_session, await _contractor.DraftAsync(_homeowner), _contractor.Authority);
        var compact = await _homeowner.Client.SignProposalAsync(second.ProposalId, _homeowner.Authority);
        head = await HeadAsync();
        var marker = await _contractor.Client.RecordMarkerAsync(compact.Terms["compactId"]!.GetValue<string>(), "work-complete");
        marker.Status.Should().Be("effective");
        events = await EventsAfterAsync(head);
        events.Select(e => e.Type).Should().Equal("compact.marker", "compact.marker.acknowledged");
        events[1].Data["initiationHash"]!.GetValue<string>().Should().Be(events[0].Hash);
        (await _homeowner.Client.GetMandateAsync(mandate.MandateId)).Actions.Should().Be(4, "two decisions and two acknowledgments");

        var report = await _contractor.Client.VerifyAsync(_session);
        report.Ok.Should().BeTrue(report.FirstError?.Message);
    }

    [Fact]
    public async Task A_revocation_is_acknowledged_only_under_the_kind_its_terms_need()
    {
        var policyHash = await MandateGrantTests.PublishAsync(_homeowner);
        await _homeowner.Client.GrantMandateAsync(policyHash, [], ["revocation"], DateTimeOffset.UtcNow.AddDays(30));
        var unilateral = await _contractor.DraftAsync(_homeowner);
        var mutual = await _contractor.DraftAsync(_homeowner);
        mutual["revocation"]!["mode"] = "mutual";
        (await _contractor.Client.ProposeAsync(_session, unilateral, _contractor.Authority)).Status.Should().Be("signed");
        (await _contractor.Client.ProposeAsync(_session, mutual, _contractor.Authority)).Status.Should().Be("signed");

        var head = await HeadAsync();
        var acknowledged = await _contractor.Client.RevokeAsync(unilateral["compactId"]!.GetValue<string>(), 1);
        acknowledged.Status.Should().Be("acknowledged");
        (await EventsAfterAsync(head)).Select(e => e.Type).Should().Equal("compact.revocation.initiated", "compact.revocation.acknowledged");

        head = await HeadAsync();
        var consentNeeded = await _contractor.Client.RevokeAsync(mutual["compactId"]!.GetValue<string>(), 1);
        consentNeeded.Status.Should().Be("initiated", "mutual revocation is consent, given only when the mandate lists mutual-revocation");
        (await EventsAfterAsync(head)).Select(e => e.Type).Should().Equal("compact.revocation.initiated");

        var report = await _contractor.Client.VerifyAsync(_session);
        report.Ok.Should().BeTrue(report.FirstError?.Message);
    }

    [Fact]
    public async Task A_mutual_revocation_is_consented_to_only_by_a_mandate_listing_mutual_revocation()
    {
        var policyHash = await MandateGrantTests.PublishAsync(_homeowner);
        await _homeowner.Client.GrantMandateAsync(policyHash, [], ["mutual-revocation"], DateTimeOffset.UtcNow.AddDays(30));
        var unilateral = await _contractor.DraftAsync(_homeowner);
        var mutual = await _contractor.DraftAsync(_homeowner);
        mutual["revocation"]!["mode"] = "mutual";
        (await _contractor.Client.ProposeAsync(_session, unilateral, _contractor.Authority)).Status.Should().Be("signed");
        (await _contractor.Client.ProposeAsync(_session, mutual, _contractor.Authority)).Status.Should().Be("signed");

        var head = await HeadAsync();
        var consented = await _contractor.Client.RevokeAsync(mutual["compactId"]!.GetValue<string>(), 1);
        consented.Status.Should().NotBe("initiated", "the mandate lists mutual-revocation: acknowledging is consenting");
        var events = await EventsAfterAsync(head);
        events.Select(e => e.Type).Should().StartWith(["compact.revocation.initiated", "compact.revocation.acknowledged"]);
        events[1].Actor.Should().Be("daemon");
        events[1].Data["initiationHash"]!.GetValue<string>().Should().Be(events[0].Hash);
        events[1].Data["mandate"]!["decisionHash"].Should().BeNull();

        head = await HeadAsync();
        var notListed = await _contractor.Client.RevokeAsync(unilateral["compactId"]!.GetValue<string>(), 1);
        notListed.Status.Should().Be("initiated", "a unilateral revocation is the revocation kind, which this mandate does not list");
        (await EventsAfterAsync(head)).Select(e => e.Type).Should().Equal("compact.revocation.initiated");

        var report = await _contractor.Client.VerifyAsync(_session);
        report.Ok.Should().BeTrue(report.FirstError?.Message);
        var daemonKey = Pact.Core.Encoding.Base64Url.Decode((await _contractor.Client.GetDaemonAsync()).PublicKey);
        var offline = Pact.Client.Verification.ExportVerifier.Verify(await _contractor.Client.ExportSessionAsync(_session), daemonKey);
        offline.Ok.Should().BeTrue(offline.FirstFailure?.Message);
    }
}
