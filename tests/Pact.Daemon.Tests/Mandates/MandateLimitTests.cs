using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Core.Compacts;
using Pact.Core.Events;
using Pact.Core.Time;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests.Mandates;

/// <summary>
/// The edges of the mandate runtime (§14): an expiry racing a proposal is decided by commit order; two hosted agents
/// stop haggling at the 8-proposal cap; a grant with a verified standing policy signs with it, a forged one is refused.
/// </summary>
public class MandateLimitTests
{
    /// <summary>The store the daemons of these tests run on (Postgres/OnPostgres.cs runs them again on PostgreSQL).</summary>
    protected virtual DaemonStore Store => DaemonStore.Default;

    private static readonly DateTimeOffset Start = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private async Task<(DaemonHost Host, Negotiator Contractor, Negotiator Homeowner, string Session)> StartAsync(FakeTimeProvider? clock = null)
    {
        var host = await DaemonHost.StartAsync(clock, store: Store);
        var contractor = await Negotiator.RegisterAsync(host, "Contractor", clock: clock);
        var homeowner = await Negotiator.RegisterAsync(host, "Homeowner", "human", clock);
        var session = (await contractor.Client.CreateSessionAsync([contractor.Did, homeowner.Did])).SessionId;
        return (host, contractor, homeowner, session);
    }

    private static async Task<List<TranscriptEvent>> EventsAsync(Negotiator reader, string session) =>
        [.. (await reader.Client.GetEventsAsync(session, limit: 1000)).Events];

    [Fact]
    public async Task A_proposal_at_the_mandates_expiry_finds_it_expired_first()
    {
        var clock = new FakeTimeProvider(Start);
        var (host, contractor, homeowner, session) = await StartAsync(clock);
        await using var _ = host;
        var mandate = await homeowner.Client.GrantMandateAsync(await MandateGrantTests.PublishAsync(homeowner), [], [], Start.AddDays(1));

        clock.Advance(TimeSpan.FromDays(1));
        var created = await contractor.Client.ProposeAsync(session, await contractor.DraftAsync(homeowner), contractor.Authority);

        created.Status.Should().Be("open", "a mandate is no longer active at its expiresAt (§0: the deadline is recorded before the request is judged)");
        (await EventsAsync(contractor, session)).Should().NotContain(e => e.Type == "policy.decided");
        var expired = (await homeowner.Client.GetMandateEventsAsync(mandate.MandateId)).Events[^1];
        expired.Type.Should().Be("mandate.expired");
        var proposalCreated = (await EventsAsync(contractor, session)).Single(e => e.Type == "proposal.created");
        expired.Seq.Should().BeLessThan(proposalCreated.Seq, "the expiry is committed before the proposal is judged");
    }

    [Fact]
    public async Task A_revocation_racing_a_proposal_is_decided_by_commit_order_never_both_ways()
    {
        var (host, contractor, homeowner, session) = await StartAsync();
        await using var _ = host;
        var policyHash = await MandateGrantTests.PublishAsync(homeowner);
        for (var round = 0; round < 6; round++)
        {
            var mandate = await homeowner.Client.GrantMandateAsync(policyHash, [], [], DateTimeOffset.UtcNow.AddDays(30));
            var terms = await contractor.DraftAsync(homeowner);
            var propose = contractor.Client.ProposeAsync(session, terms, contractor.Authority);
            var revoke = homeowner.Client.RevokeMandateAsync(mandate.MandateId);
            var created = await propose;
            await revoke;

            var revoked = (await homeowner.Client.GetMandateEventsAsync(mandate.MandateId)).Events.Single(e => e.Type == "mandate.revoked");
            var events = await EventsAsync(contractor, session);
            var proposalCreated = events.Single(e => e.Type == "proposal.created" && e.Data["proposalId"]!.GetValue<string>() == created.ProposalId);
            var decided = events.SingleOrDefault(e => e.Type == "policy.decided" && e.Data["proposalId"]!.GetValue<string>() == created.ProposalId);
            if (decided is null)
            {
                revoked.Seq.Should().BeLessThan(proposalCreated.Seq, $"round {round}: no decision only when the revocation committed first");
                created.Status.Should().Be("open");
            }
            else
            {
                revoked.Seq.Should().BeGreaterThan(decided.Seq, $"round {round}: a decision only when the proposal committed first");
                created.Status.Should().Be("signed");
            }
        }
    }

    [Fact]
    public async Task Two_hosted_positions_stop_countering_once_8_proposals_are_linked()
    {
        var (host, contractor, homeowner, session) = await StartAsync();
        await using var _ = host;
        var haggler = new PolicyBuilder("haggler")
            .Counter("shorter-notice", "terms.revocation.noticePeriod == 'P90D'", ("/revocation/noticePeriod", "P30D"))
            .Sign("agreed", "terms.revocation.noticePeriod == 'P30D'")
            .Build();
        await homeowner.Client.PublishPolicyAsync(haggler);
        await homeowner.Client.GrantMandateAsync(haggler.PolicyHash, [], [], DateTimeOffset.UtcNow.AddDays(30));

        var terms = await contractor.DraftAsync(homeowner);
        terms["revocation"]!["noticePeriod"] = "P90D";
        var created = await contractor.Client.ProposeAsync(session, terms, contractor.Authority);
        for (var round = 0; round < 4; round++)
        {
            // The contractor insists on P90D against each counter of the homeowner's mandate.
            created.Status.Should().Be("countered", $"round {round}");
            var counter = (await EventsAsync(contractor, session)).Last(e => e.Type == "proposal.created");
            var insist = counter.Data["terms"]!.DeepClone().AsObject();
            insist["revocation"]!["noticePeriod"] = "P90D";
            created = await contractor.Client.ProposeAsync(session, insist, contractor.Authority, counter.Data["proposalId"]!.GetValue<string>());
        }

        created.Status.Should().Be("open", "the ninth proposal would make more than 8 linked: the counter acts as escalate");
        var events = await EventsAsync(contractor, session);
        events.Count(e => e.Type == "proposal.created").Should().Be(9);
        var last = events.Last(e => e.Type == "policy.decided");
        last.Data["proposalId"]!.GetValue<string>().Should().Be(created.ProposalId);
        last.Data["decision"]!["effect"]!.GetValue<string>().Should().Be("counter", "the decision is recorded as decided");
        events[^1].Should().BeSameAs(events.Last(e => e.Type == "policy.decided"), "nothing follows it");
        var report = await contractor.Client.VerifyAsync(session);
        report.Ok.Should().BeTrue(report.FirstError?.Message);
    }

    [Fact]
    public async Task A_grant_with_a_verified_standing_policy_signs_with_it_and_a_forged_one_is_refused()
    {
        var (host, contractor, homeowner, session) = await StartAsync();
        await using var _ = host;
        var policyHash = await MandateGrantTests.PublishAsync(homeowner);
        var notAfter = Timestamp.Truncate(DateTimeOffset.UtcNow.AddDays(60));
        var forged = VerifiedStandingPolicyAuthorization.Sign(contractor.Principal, policyHash, homeowner.Did, notAfter);

        var refused = await PolicyTests.Refused(() => homeowner.Client.GrantMandateAsync(policyHash, [], [], DateTimeOffset.UtcNow.AddDays(30), forged.ToJson()));
        (refused.Status, refused.Code).Should().Be((422, "PACT-109"));
        refused.Errors.Single().Pointer.Should().Be("/payload/principalAuthorization/principal");
        var copied = VerifiedStandingPolicyAuthorization.Sign(homeowner.Principal, policyHash, contractor.Did, notAfter);
        (await PolicyTests.Refused(() => homeowner.Client.GrantMandateAsync(policyHash, [], [], DateTimeOffset.UtcNow.AddDays(30), copied.ToJson())))
            .Errors.Single().Pointer.Should().Be("/payload/principalAuthorization/sig", "an authorization for another agent does not verify for this one");

        var authorization = VerifiedStandingPolicyAuthorization.Sign(homeowner.Principal, policyHash, homeowner.Did, notAfter);
        await homeowner.Client.GrantMandateAsync(policyHash, [], [], DateTimeOffset.UtcNow.AddDays(30), authorization.ToJson());
        var advanced = await contractor.Client.ProposeAsync(session, await contractor.DraftAsync(homeowner), contractor.Authority);
        advanced.Status.Should().Be("signed");
        var record = (await EventsAsync(contractor, session)).Single(e => e.Type == "compact.in-force").Data["record"]!;
        var (read, _) = SignedCompactRecord.FromJson(record);
        read!.Signatures[1].PrincipalAuthorization.Should().Be(authorization);
        read.Verify().IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task A_sign_the_daemon_would_refuse_for_the_advanced_tier_acts_as_escalate_PACT_105()
    {
        var (host, contractor, homeowner, session) = await StartAsync();
        await using var _ = host;
        var signsAll = new PolicyBuilder("signs-all").Sign("anything", "true").Build();
        await homeowner.Client.PublishPolicyAsync(signsAll);
        // No principalAuthorization in the grant: signatures under it carry the unverified short form.
        await homeowner.Client.GrantMandateAsync(signsAll.PolicyHash, [], [], DateTimeOffset.UtcNow.AddDays(30));

        var created = await contractor.Client.ProposeAsync(session, await contractor.DraftAsync(homeowner, tier: "advanced"), contractor.Authority);

        created.Status.Should().Be("open", "the advanced tier needs a principal signature or a verified standing policy (PACT-105)");
        var events = (await EventsAsync(contractor, session)).SkipWhile(e => e.Type != "proposal.created").ToList();
        events.Select(e => e.Type).Should().Equal("proposal.created", "policy.decided");
        events[1].Data["decision"]!["effect"]!.GetValue<string>().Should().Be("sign", "the decision is recorded as decided");
        var pending = (await homeowner.Client.GetPendingAsync()).Items.Should().ContainSingle().Which;
        pending.Id.Should().Be(created.ProposalId);
        pending.Decision!["effect"]!.GetValue<string>().Should().Be("sign", "the pending list shows the decision the mandate could not carry out");
        (await contractor.Client.VerifyAsync(session)).Ok.Should().BeTrue();
    }

    [Fact]
    public async Task A_sign_or_counter_under_a_standing_policy_past_its_notAfter_acts_as_escalate_PACT_109()
    {
        var clock = new FakeTimeProvider(Start);
        var (host, contractor, homeowner, session) = await StartAsync(clock);
        await using var _ = host;
        var policyHash = await MandateGrantTests.PublishAsync(homeowner);
        var authorization = VerifiedStandingPolicyAuthorization.Sign(homeowner.Principal, policyHash, homeowner.Did, Start.AddHours(1));
        await homeowner.Client.GrantMandateAsync(policyHash, [], [], Start.AddDays(30), authorization.ToJson());
        clock.Advance(TimeSpan.FromHours(2));

        var within = await contractor.Client.ProposeAsync(session, await contractor.DraftAsync(homeowner), contractor.Authority);
        var longNotice = await contractor.DraftAsync(homeowner);
        longNotice["revocation"]!["noticePeriod"] = "P90D";
        var countered = await contractor.Client.ProposeAsync(session, longNotice, contractor.Authority);

        within.Status.Should().Be("open", "the principal's authorization ended: a signature carrying it would be refused (PACT-109)");
        countered.Status.Should().Be("open", "so would the counter's first signature");
        var events = (await EventsAsync(contractor, session)).SkipWhile(e => e.Type != "proposal.created").ToList();
        events.Select(e => e.Type).Should().Equal("proposal.created", "policy.decided", "proposal.created", "policy.decided");
        events[1].Data["decision"]!["effect"]!.GetValue<string>().Should().Be("sign");
        events[3].Data["decision"]!["effect"]!.GetValue<string>().Should().Be("counter");
        (await homeowner.Client.GetPendingAsync()).Items.Select(i => i.Decision!["effect"]!.GetValue<string>()).Should().BeEquivalentTo("sign", "counter");
        (await contractor.Client.VerifyAsync(session)).Ok.Should().BeTrue();
    }
}
