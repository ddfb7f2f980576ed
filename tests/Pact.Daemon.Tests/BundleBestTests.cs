using Pact.Daemon.Tests.Infrastructure;
using System.Net;
using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Core.Compacts;
using Pact.Core.Events;
using static Pact.Daemon.Tests.BundleTests;

namespace Pact.Daemon.Tests;

/// <summary>
/// Mode <c>best</c> (§15) end to end over Kestrel with 2 and 16 members: the bundle closes before closesAt as soon as the
/// last open member is countersigned, and that countersignature is answered 200 the signed record when the close selected
/// its member, else 202 the proposal (retired by that close).
/// </summary>
public class BundleBestTests
{
    protected virtual DaemonStore Store => DaemonStore.Default;

    /// <summary>The notice period of member i in days: with 16 members, each value twice, so ties fall to the counterparty's did, then the proposal id.</summary>
    private static int NoticeDays(int i, int members) => members == 2 ? 10 + 10 * i : 1 + (i * 5 % 16) / 2;

    /// <summary>§15's order for one key ascending, written out here: the key, then the counterparty's did, then the proposal id (ordinal).</summary>
    private static List<BundleMemberInfo> ExpectedRanking(IEnumerable<(BundleMemberInfo Member, int Days)> candidates) =>
        [.. candidates.OrderBy(c => c.Days).ThenBy(c => c.Member.Counterparty, StringComparer.Ordinal)
            .ThenBy(c => c.Member.ProposalId, StringComparer.Ordinal).Select(c => c.Member)];

    [Theory]
    [InlineData(2, true)]
    [InlineData(2, false)]
    [InlineData(16, true)]
    [InlineData(16, false)]
    public async Task The_last_open_members_countersignature_closes_the_bundle_commits_the_best_and_retires_the_others(int members, bool lastSelected)
    {
        await using var s = await Scenario.StartAsync(Store, Math.Min(members, 4));
        var (count, minCount) = members == 2 ? (1, 1) : (3, 2);
        var terms = await s.TermsAsync(members, (i, t) => t["revocation"]!["noticePeriod"] = $"P{NoticeDays(i, members)}D");
        var bundle = await s.CreateAsync(terms, BundleSelection.Best(count, minCount, RankingKeySpec.Ascending("isoSeconds(terms.revocation.noticePeriod)")));
        bundle.Status.Should().Be("open");
        bundle.Members.Should().HaveCount(members).And.OnlyContain(m => m.Status == "open");
        var created = await s.EventsAsync();
        created.Select(e => e.Type).Should().Equal(["session.created", "bundle.created", .. Enumerable.Repeat("proposal.created", members)]);
        created[1].Actor.Should().Be(s.Coordinator.Did);
        created.Skip(2).Should().OnlyContain(e => e.Actor == "daemon" && e.Data["bundleId"]!.GetValue<string>() == bundle.BundleId);

        // With 16 members the second best declines: a declined member is simply declined and is not ranked.
        var days = bundle.Members.Select((m, i) => (Member: m, Days: NoticeDays(i, members))).ToList();
        var declined = members == 16 ? ExpectedRanking(days)[1] : null;
        var ranking = ExpectedRanking(days.Where(d => d.Member != declined));
        var last = lastSelected ? ranking[0] : ranking[^1];
        foreach (var m in bundle.Members.Where(m => m != last))
        {
            if (m == declined)
            {
                (await s.CounterpartyOf(m).Client.DeclineAsync(m.ProposalId, "booked")).Status.Should().Be("declined");
                continue;
            }
            var prepared = await s.CounterpartyOf(m).Client.SignMemberAsync(m.ProposalId, s.CounterpartyOf(m).Authority);
            prepared.InForce.Should().BeFalse();
            prepared.Proposal!.Status.Should().Be("prepared");
        }
        (await s.Coordinator.Client.GetBundleAsync(bundle.BundleId)).Status.Should().Be("open");

        var answer = await BundleUpstreamTests.SignRawAsync(s.CounterpartyOf(last), last.ProposalId);
        s.Clock.GetUtcNow().Should().BeBefore(Scenario.ClosesAt);
        var selected = ranking.Take(count).ToList();
        if (lastSelected)
        {
            answer.Status.Should().Be(HttpStatusCode.OK);
            var (record, _) = SignedCompactRecord.FromJson(answer.Body!.AsObject());
            record!.Terms.CompactId.Should().Be(last.CompactId);
            record.Verify(Pact.Core.Encoding.Base64Url.Decode((await s.Coordinator.Client.GetDaemonAsync()).PublicKey)).IsValid.Should().BeTrue();
        }
        else
        {
            answer.Status.Should().Be(HttpStatusCode.Accepted);
            answer.Body!["proposalId"]!.GetValue<string>().Should().Be(last.ProposalId);
            answer.Body!["status"]!.GetValue<string>().Should().Be("retired");
        }

        var after = await s.Coordinator.Client.GetBundleAsync(bundle.BundleId);
        after.Status.Should().Be("committed");
        after.Cause.Should().BeNull();
        after.Selected.Should().Equal(selected.Select(m => m.ProposalId));
        after.Ranking!.Select(r => r!["proposalId"]!.GetValue<string>()).Should().Equal(ranking.Select(m => m.ProposalId));
        after.Ranking!.Should().OnlyContain(r => r!["excluded"] == null);
        after.Ranking!.Select(r => r!["keys"]!.AsArray().Single()!.GetValue<long>())
            .Should().Equal(ranking.Select(m => 86400L * days.Single(d => d.Member == m).Days));
        after.Members.Select(m => m.Status).Should().Equal(bundle.Members.Select(m =>
            m == declined ? "declined" : selected.Contains(m) ? "signed" : "retired"));

        var events = await s.EventsAsync();
        var tail = events.SkipWhile(e => !(e.Type == "proposal.signed" && e.Data["proposalId"]!.GetValue<string>() == last.ProposalId)).ToList();
        var retired = bundle.Members.Where(m => m != declined && !selected.Contains(m)).Select(m => m.ProposalId).Order(StringComparer.Ordinal).ToList();
        tail.Select(e => e.Type).Should().Equal(["proposal.signed", "bundle.committed", .. Enumerable.Repeat("compact.in-force", selected.Count),
            .. Enumerable.Repeat("proposal.retired", retired.Count)]);
        tail[0].Actor.Should().Be(last.Counterparty);
        tail.Skip(1).Should().OnlyContain(e => e.Actor == "daemon");
        var committed = tail[1];
        committed.Data["dueAt"].Should().BeNull("the bundle closed before closesAt");
        JsonNode.DeepEquals(committed.Data["ranking"], after.Ranking).Should().BeTrue();
        foreach (var entry in after.Ranking!)
            entry!["passport"]!["asOfSeq"]!.GetValue<long>().Should().Be(committed.Seq - 1);
        tail.Skip(2).Take(selected.Count).Select(e => e.Data["compactId"]!.GetValue<string>()).Should().Equal(selected.Select(m => m.CompactId));
        tail.Skip(2).Take(selected.Count).Select(e => e.Data["record"]!["inForceAt"]!.GetValue<string>()).Distinct().Should().ContainSingle();
        tail.Skip(2 + selected.Count).Select(e => e.Data["proposalId"]!.GetValue<string>()).Should().Equal(retired);
        AssertPreparesCameBeforeTheClose(events, bundle, last, declined);

        var state = await s.Coordinator.Client.GetStateAsync(s.SessionId);
        state.State.Compacts.Where(c => c.Status == "in-force").Select(c => c.CompactId)
            .Should().BeEquivalentTo(selected.Select(m => m.CompactId));
        (await s.Coordinator.Client.VerifyAsync(s.SessionId)).Ok.Should().BeTrue();
    }

    /// <summary>Every other member's proposal.signed (or the decline), by its counterparty, before the closing countersignature.</summary>
    private static void AssertPreparesCameBeforeTheClose(IReadOnlyList<TranscriptEvent> events, BundleView bundle, BundleMemberInfo last, BundleMemberInfo? declined)
    {
        var closing = events.Single(e => e.Type == "proposal.signed" && e.Data["proposalId"]!.GetValue<string>() == last.ProposalId).Seq;
        foreach (var m in bundle.Members.Where(m => m != last))
        {
            var type = m == declined ? "proposal.declined" : "proposal.signed";
            var e = events.Single(e => e.Type == type && e.Data["proposalId"]!.GetValue<string>() == m.ProposalId);
            e.Actor.Should().Be(m.Counterparty);
            e.Seq.Should().BeLessThan(closing);
        }
    }
}
