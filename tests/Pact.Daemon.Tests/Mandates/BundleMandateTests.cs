using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Client.Verification;
using Pact.Core.Compacts;
using Pact.Core.Encoding;
using Pact.Core.Events;
using Pact.Daemon.Tests.Infrastructure;
using static Pact.Daemon.Tests.BundleTests;

namespace Pact.Daemon.Tests.Mandates;

/// <summary>
/// Mandates on bundle members (§14, §15) end to end: in the bundle's creation commit, after every member's
/// proposal.created, each counterparty's mandate answers its member in member order — a sign prepares it (the last one of
/// an <c>all</c> bundle commits it), a decline declines it (the bundle aborts), a counter escalates.
/// </summary>
public class BundleMandateTests
{
    /// <summary>The store the daemons of these tests run on (Postgres/OnPostgres.cs runs them again on PostgreSQL).</summary>
    protected virtual DaemonStore Store => DaemonStore.Default;

    /// <summary>A scenario whose counterparties have each granted a mandate under the intake policy (§13's sample).</summary>
    private async Task<(Scenario S, List<string> Mandates)> StartAsync(int counterparties = 2)
    {
        var s = await Scenario.StartAsync(Store, counterparties);
        var policyHash = await MandateGrantTests.PublishAsync(s.Others[0]);
        var mandates = new List<string>();
        foreach (var other in s.Others)
            mandates.Add((await other.Client.GrantMandateAsync(policyHash, [], [], s.Clock.GetUtcNow().AddDays(30))).MandateId);
        return (s, mandates);
    }

    private static IEnumerable<string> Types(IEnumerable<TranscriptEvent> events) => events.Select(e => e.Type);

    private static string Id(TranscriptEvent e) => e.Data["proposalId"]!.GetValue<string>();

    internal static async Task VerifiedEverywhereAsync(Scenario s)
    {
        var report = await s.Coordinator.Client.VerifyAsync(s.SessionId);
        report.Ok.Should().BeTrue(report.FirstError?.Message);
        var daemonKey = Base64Url.Decode((await s.Coordinator.Client.GetDaemonAsync()).PublicKey);
        var offline = ExportVerifier.Verify(await s.Coordinator.Client.ExportSessionAsync(s.SessionId), daemonKey);
        offline.Ok.Should().BeTrue(offline.FirstFailure?.Message);
    }

    [Fact]
    public async Task Mandates_that_sign_every_member_of_an_all_bundle_commit_it_in_its_creation_commit()
    {
        var (s, mandates) = await StartAsync();
        await using var _ = s;

        var bundle = await s.CreateAsync(await s.TermsAsync(2), BundleSelection.All());

        bundle.Status.Should().Be("committed", "the response shows the bundle after the whole commit");
        bundle.Members.Should().OnlyContain(m => m.Status == "signed");
        var events = (await s.EventsAsync()).Skip(1).ToList();
        Types(events).Should().Equal("bundle.created", "proposal.created", "proposal.created", "policy.decided", "proposal.signed",
            "policy.decided", "proposal.signed", "bundle.committed", "compact.in-force", "compact.in-force");
        events[0].Actor.Should().Be(s.Coordinator.Did);
        events.Skip(1).Should().OnlyContain(e => e.Actor == "daemon");
        events.Select(e => e.Time).Distinct().Should().ContainSingle("one commit");
        var members = bundle.Members.Select(m => m.ProposalId).ToList();
        foreach (var (decided, signed, i) in new[] { (events[3], events[4], 0), (events[5], events[6], 1) })
        {
            Id(decided).Should().Be(members[i]);
            decided.Data["mandateId"]!.GetValue<string>().Should().Be(mandates[i]);
            decided.Data["decision"]!["effect"]!.GetValue<string>().Should().Be("sign");
            // The passport is the coordinator's as of the seq before the judged member's proposal.created.
            decided.Data["passport"]!["agent"]!.GetValue<string>().Should().Be(s.Coordinator.Did);
            decided.Data["passport"]!["asOfSeq"]!.GetValue<long>().Should().Be(events[1 + i].Seq - 1);
            Id(signed).Should().Be(members[i]);
            signed.Data["mandate"]!["decisionHash"]!.GetValue<string>().Should().Be(decided.Data["decisionHash"]!.GetValue<string>());
        }
        events[7].Data["selected"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal(members);

        var daemonKey = Base64Url.Decode((await s.Coordinator.Client.GetDaemonAsync()).PublicKey);
        foreach (var (inForce, i) in events.Skip(8).Select((e, i) => (e, i)))
        {
            var (record, error) = SignedCompactRecord.FromJson(inForce.Data["record"]);
            error.Should().BeNull();
            record!.Verify(daemonKey).IsValid.Should().BeTrue();
            record.Signatures[1].Signer.Should().Be(record.DaemonId);
            record.Signatures[1].Agent.Should().Be(s.Others[i].Did);
        }
        var state = await s.Coordinator.Client.GetStateAsync(s.SessionId);
        state.State.Compacts.Should().HaveCount(2).And.OnlyContain(c => c.Status == "in-force");
        foreach (var (other, mandate) in s.Others.Zip(mandates)) (await other.Client.GetMandateAsync(mandate)).Actions.Should().Be(1);
        await VerifiedEverywhereAsync(s);
    }

    [Fact]
    public async Task A_mandate_that_declines_the_second_member_aborts_the_bundle_and_voids_the_first_members_prepared_signature()
    {
        var (s, _) = await StartAsync();
        await using var _ = s;

        var bundle = await s.CreateAsync(await s.TermsAsync(2, (i, t) => { if (i == 1) t["tier"] = "advanced"; }), BundleSelection.All());

        bundle.Status.Should().Be("aborted");
        bundle.Cause!.ToJsonString().Should().Be($$"""{"kind":"declined","proposalId":"{{bundle.Members[1].ProposalId}}","agent":"{{s.Others[1].Did}}"}""");
        bundle.Members.Select(m => m.Status).Should().Equal("retired", "declined");
        var events = (await s.EventsAsync()).Skip(4).ToList();
        Types(events).Should().Equal("policy.decided", "proposal.signed", "policy.decided", "proposal.declined", "bundle.aborted", "proposal.retired");
        events.Should().OnlyContain(e => e.Actor == "daemon");
        events[3].Data["reason"]!.GetValue<string>().Should().Be("Advanced-tier compacts need a human.");
        Id(events[5]).Should().Be(bundle.Members[0].ProposalId);
        (await s.Coordinator.Client.GetStateAsync(s.SessionId)).State.Compacts.Should().BeEmpty();
        await VerifiedEverywhereAsync(s);
    }

    [Fact]
    public async Task A_decline_of_the_first_member_ends_the_bundle_before_the_second_members_mandate_is_asked()
    {
        var (s, mandates) = await StartAsync();
        await using var _ = s;

        var bundle = await s.CreateAsync(await s.TermsAsync(2, (i, t) => { if (i == 0) t["tier"] = "advanced"; }), BundleSelection.All());

        bundle.Status.Should().Be("aborted");
        Types((await s.EventsAsync()).Skip(4)).Should().Equal("policy.decided", "proposal.declined", "bundle.aborted", "proposal.retired");
        (await s.Others[1].Client.GetMandateAsync(mandates[1])).Actions.Should().Be(0, "the member was retired before its mandate could act");
        await VerifiedEverywhereAsync(s);
    }

    [Fact]
    public async Task A_mandate_that_would_counter_a_member_escalates_it_to_its_agent_who_can_then_commit_the_bundle()
    {
        var (s, _) = await StartAsync();
        await using var _ = s;
        var terms = await s.TermsAsync(2, (i, t) => t["revocation"]!["noticePeriod"] = i == 1 ? "P90D" : "P30D");

        var bundle = await s.CreateAsync(terms, BundleSelection.All());

        bundle.Status.Should().Be("open");
        bundle.Members.Select(m => m.Status).Should().Equal("prepared", "open");
        var events = (await s.EventsAsync()).Skip(4).ToList();
        Types(events).Should().Equal("policy.decided", "proposal.signed", "policy.decided");
        events[2].Data["decision"]!["effect"]!.GetValue<string>().Should().Be("counter", "the decision is recorded as decided, then acts as escalate");
        var pending = (await s.Others[1].Client.GetPendingAsync()).Items.Should().ContainSingle().Which;
        pending.Kind.Should().Be("proposal");
        pending.Id.Should().Be(bundle.Members[1].ProposalId);
        pending.BundleId.Should().Be(bundle.BundleId);
        pending.Decision!["effect"]!.GetValue<string>().Should().Be("counter");
        await VerifiedEverywhereAsync(s);

        var committed = await s.Others[1].Client.SignMemberAsync(bundle.Members[1].ProposalId, s.Others[1].Authority);
        committed.InForce.Should().BeTrue();
        (await s.Coordinator.Client.GetBundleAsync(bundle.BundleId)).Status.Should().Be("committed");
        await VerifiedEverywhereAsync(s);
    }

    [Fact]
    public async Task Mandates_that_sign_every_member_of_a_best_bundle_close_it_with_its_ranking_in_the_creation_commit()
    {
        var (s, _) = await StartAsync(3);
        await using var _ = s;
        var terms = await s.TermsAsync(3, (i, t) => t["revocation"]!["noticePeriod"] = $"P{30 - 10 * i}D");

        var bundle = await s.CreateAsync(terms, BundleSelection.Best(1, 1, RankingKeySpec.Ascending("isoSeconds(terms.revocation.noticePeriod)")));

        bundle.Status.Should().Be("committed");
        bundle.Selected.Should().Equal(bundle.Members[2].ProposalId);
        var events = (await s.EventsAsync()).Skip(5).ToList();
        Types(events).Should().Equal("policy.decided", "proposal.signed", "policy.decided", "proposal.signed", "policy.decided", "proposal.signed",
            "bundle.committed", "compact.in-force", "proposal.retired", "proposal.retired");
        // The ranking's passports are as of the seq before bundle.committed.
        var committed = events[6];
        committed.Data["ranking"]!.AsArray().Should().OnlyContain(r => r!["passport"]!["asOfSeq"]!.GetValue<long>() == committed.Seq - 1);
        await VerifiedEverywhereAsync(s);
    }

    [Fact]
    public async Task Mandate_declines_that_leave_fewer_than_minCount_abort_a_best_bundle_insufficient_before_the_last_member_is_asked()
    {
        var (s, mandates) = await StartAsync(3);
        await using var _ = s;
        var terms = await s.TermsAsync(3, (i, t) => { if (i < 2) t["tier"] = "advanced"; });

        var bundle = await s.CreateAsync(terms, BundleSelection.Best(2, 2, RankingKeySpec.Ascending("isoSeconds(terms.revocation.noticePeriod)")));

        bundle.Status.Should().Be("aborted");
        bundle.Cause!.ToJsonString().Should().Be("""{"kind":"insufficient","proposalId":null,"agent":null}""");
        bundle.Members.Select(m => m.Status).Should().Equal("declined", "declined", "retired");
        var events = (await s.EventsAsync()).Skip(5).ToList();
        Types(events).Should().Equal("policy.decided", "proposal.declined", "policy.decided", "proposal.declined", "bundle.aborted", "proposal.retired");
        events.Should().OnlyContain(e => e.Actor == "daemon");
        events.Select(e => e.Time).Distinct().Should().ContainSingle("all in the creation commit");
        events[1].Data["mandate"]!["mandateId"]!.GetValue<string>().Should().Be(mandates[0]);
        events[3].Data["mandate"]!["mandateId"]!.GetValue<string>().Should().Be(mandates[1]);
        events[4].Data["dueAt"].Should().BeNull();
        Id(events[5]).Should().Be(bundle.Members[2].ProposalId);
        (await s.Others[2].Client.GetMandateAsync(mandates[2])).Actions.Should().Be(0, "one member can no longer make minCount: the bundle ended first");
        (await s.Coordinator.Client.GetStateAsync(s.SessionId)).State.Compacts.Should().BeEmpty();
        await VerifiedEverywhereAsync(s);
    }

    [Fact]
    public async Task A_mandate_that_signs_a_version_2_member_commits_it_with_its_predecessors_supersession()
    {
        var s = await Scenario.StartAsync(Store);
        await using var _ = s;
        // Version 1 is negotiated before any mandate, so the counterparty signs it itself.
        var v1 = await s.Coordinator.DraftAsync(s.Others[0]);
        var compactId = v1["compactId"]!.GetValue<string>();
        var record = await s.Coordinator.NegotiateAsync(s.Others[0], s.SessionId, v1);
        var policyHash = await MandateGrantTests.PublishAsync(s.Others[0]);
        foreach (var other in s.Others) await other.Client.GrantMandateAsync(policyHash, [], [], s.Clock.GetUtcNow().AddDays(30));
        var terms = await s.TermsAsync(2);
        terms[0] = Negotiator.Successor(v1, record.CompactHash);
        terms[0]["revocation"]!["noticePeriod"] = "P10D";
        var before = (await s.EventsAsync()).Count;

        var bundle = await s.CreateAsync(terms, BundleSelection.All());

        bundle.Status.Should().Be("committed");
        var events = (await s.EventsAsync()).Skip(before).ToList();
        Types(events).Should().Equal("bundle.created", "proposal.created", "proposal.created", "policy.decided", "proposal.signed",
            "policy.decided", "proposal.signed", "bundle.committed", "compact.in-force", "compact.superseded", "compact.in-force");
        events[8].Data["version"]!.GetValue<long>().Should().Be(2);
        events[9].Data["compactId"]!.GetValue<string>().Should().Be(compactId);
        events[9].Data["version"]!.GetValue<long>().Should().Be(1);
        var (signed, error) = SignedCompactRecord.FromJson(events[8].Data["record"]);
        error.Should().BeNull();
        signed!.Signatures[1].Signer.Should().Be(signed.DaemonId, "the counterparty's countersignature was made under its mandate");
        var compact = await s.Coordinator.Client.GetCompactAsync(compactId);
        compact.CurrentVersion.Should().Be(2);
        compact.Status.Should().Be("in-force");
        await VerifiedEverywhereAsync(s);
    }

    [Fact]
    public async Task A_member_prepared_under_a_mandate_whose_upstream_then_leaves_force_aborts_the_bundle_insufficient_at_the_last_prepare()
    {
        var s = await Scenario.StartAsync(Store);
        await using var _ = s;
        var upstream = await s.Coordinator.DraftAsync(s.Others[0]);
        var upstreamId = upstream["compactId"]!.GetValue<string>();
        await s.Coordinator.NegotiateAsync(s.Others[0], s.SessionId, upstream);
        var mandate = (await s.Others[0].Client.GrantMandateAsync(await MandateGrantTests.PublishAsync(s.Others[0]), [], [], s.Clock.GetUtcNow().AddDays(30))).MandateId;
        var terms = await s.TermsAsync(2, (i, t) => { if (i == 0) Negotiator.DependOn(t, upstreamId, "revocation"); });

        var bundle = await s.CreateAsync(terms, BundleSelection.All());
        bundle.Members.Select(m => m.Status).Should().Equal("prepared", "open");
        await BundleUpstreamTests.RevokeAsync(s, upstreamId);
        var dependent = bundle.Members[0];
        var last = bundle.Members[1];
        await s.CounterpartyOf(last).Client.SignMemberAsync(last.ProposalId, s.CounterpartyOf(last).Authority);

        var after = await s.Coordinator.Client.GetBundleAsync(bundle.BundleId);
        after.Status.Should().Be("aborted");
        after.Cause!.ToJsonString().Should().Be($$"""{"kind":"insufficient","proposalId":"{{dependent.ProposalId}}","agent":null}""");
        var events = await s.EventsAsync();
        var prepared = events.Single(e => e.Type == "proposal.signed" && Id(e) == dependent.ProposalId);
        prepared.Actor.Should().Be("daemon");
        prepared.Data["mandate"]!["mandateId"]!.GetValue<string>().Should().Be(mandate);
        Types(events.SkipWhile(e => !(e.Type == "proposal.signed" && Id(e) == last.ProposalId)))
            .Should().Equal("proposal.signed", "bundle.aborted", "proposal.retired", "proposal.retired");
        (await s.Coordinator.Client.GetStateAsync(s.SessionId)).State.Compacts.Should().NotContain(c => c.Status == "in-force");
        await VerifiedEverywhereAsync(s);
    }
}
