using Pact.Daemon.Tests.Infrastructure;
using System.Net;
using Pact.Client;
using Pact.Core.Contracts;
using Pact.Core.Contracts.Responses;
using Pact.Core.Events;
using static Pact.Daemon.Tests.BundleTests;

namespace Pact.Daemon.Tests;

/// <summary>
/// A member's countersignature against a decline of ANOTHER member of the same bundle (§15), sent together many times: the
/// transcript's commit order decides the bundle, and each HTTP answer is the one that order implies.
/// </summary>
public class BundleDeclineRaceTests
{
    protected virtual DaemonStore Store => DaemonStore.Default;

    private const int Rounds = 12;

    /// <summary>The countersignature of <paramref name="m"/>, signed before the race so that both requests leave at once.</summary>
    private static async Task<Func<Task<PactResponse>>> ReadySignatureAsync(Scenario s, BundleMemberInfo m)
    {
        var signer = s.CounterpartyOf(m);
        var proposal = await signer.Client.GetProposalAsync(m.ProposalId);
        var payload = new ProposalSignPayload(proposal.ProposalId, proposal.TermsHash, signer.Client.CreateCountersignature(proposal, signer.Authority));
        var envelope = await signer.Client.CreateEnvelopeAsync(payload);
        return () => signer.Client.SendEnvelopeAsync($"v1/proposals/{m.ProposalId}/sign", envelope);
    }

    private static async Task<Func<Task<Proposal>>> ReadyDeclineAsync(Scenario s, BundleMemberInfo m)
    {
        var decliner = s.CounterpartyOf(m);
        var termsHash = (await decliner.Client.GetProposalAsync(m.ProposalId)).TermsHash;
        return () => decliner.Client.DeclineAsync(m.ProposalId, "booked", termsHash);
    }

    /// <summary>Both requests on their way, the one sent first alternating by round so that either may commit first.</summary>
    private static (Task<(bool Ok, string? Code, PactResponse? Value)> Signing, Task<(bool Ok, string? Code, Proposal? Value)> Declining) Race(
        int round, Func<Task<PactResponse>> sign, Func<Task<Proposal>> decline)
    {
        if (round % 2 == 0)
        {
            var signing = BundleRaceTests.OutcomeOf(sign);
            return (signing, BundleRaceTests.OutcomeOf(decline));
        }
        var declining = BundleRaceTests.OutcomeOf(decline);
        return (BundleRaceTests.OutcomeOf(sign), declining);
    }

    private static async Task PrepareAsync(Scenario s, BundleMemberInfo m) =>
        (await s.CounterpartyOf(m).Client.SignMemberAsync(m.ProposalId, s.CounterpartyOf(m).Authority)).InForce.Should().BeFalse();

    private static TranscriptEvent? Find(IReadOnlyList<TranscriptEvent> events, string type, string key, string id) =>
        events.SingleOrDefault(e => e.Type == type && e.Data[key]?.GetValue<string>() == id);

    [Fact]
    public async Task Mode_all_a_countersignature_and_a_decline_of_another_member_race_and_the_first_committed_decides_the_answers()
    {
        await using var s = await Scenario.StartAsync(Store, 3);
        var orders = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            // Four members, all but two prepared: X's countersignature would leave only Y to sign; Y's decline aborts.
            var bundle = await s.CreateAsync(await s.TermsAsync(4), BundleSelection.All());
            foreach (var m in bundle.Members.Take(2)) await PrepareAsync(s, m);
            var (x, y) = (bundle.Members[2], bundle.Members[3]);
            var (sign, decline) = (await ReadySignatureAsync(s, x), await ReadyDeclineAsync(s, y));
            var (signing, declining) = Race(round, sign, decline);
            await Task.WhenAll(signing, declining);
            var (signed, declined) = (await signing, await declining);

            var events = await s.EventsAsync();
            var signedX = Find(events, "proposal.signed", "proposalId", x.ProposalId);
            var declinedY = Find(events, "proposal.declined", "proposalId", y.ProposalId)!;
            declinedY.Should().NotBeNull("Y was open whichever came first");
            declined.Ok.Should().BeTrue();
            declined.Value!.Status.Should().Be("declined");
            var aborted = Find(events, "bundle.aborted", "bundleId", bundle.BundleId)!;
            aborted.Seq.Should().Be(declinedY.Seq + 1);
            var cause = System.Text.Json.Nodes.JsonNode.Parse($$"""{"kind":"declined","proposalId":"{{y.ProposalId}}","agent":"{{y.Counterparty}}"}""");
            System.Text.Json.Nodes.JsonNode.DeepEquals(aborted.Data["cause"], cause).Should().BeTrue(aborted.Data["cause"]!.ToJsonString());
            var retired = bundle.Members.Take(3).Select(m => m.ProposalId).Order(StringComparer.Ordinal);
            events.Where(e => e.Seq > aborted.Seq && e.Type == "proposal.retired").Take(3).Select(e => e.Data["proposalId"]!.GetValue<string>())
                .Should().Equal(retired);
            if (signedX is not null)
            {
                // The signature committed first: X was prepared (202), then the decline aborted the bundle and voided it.
                signedX.Seq.Should().BeLessThan(declinedY.Seq);
                signed.Ok.Should().BeTrue();
                signed.Value!.Status.Should().Be(HttpStatusCode.Accepted);
                signed.Value.Body!["status"]!.GetValue<string>().Should().Be("prepared");
                orders.Add("signature first");
            }
            else
            {
                // The decline committed first: the bundle aborted and retired X, so its countersignature is refused.
                signed.Code.Should().Be("PACT-301");
                orders.Add("decline first");
            }
            var after = await s.Coordinator.Client.GetBundleAsync(bundle.BundleId);
            after.Status.Should().Be("aborted");
            after.Members.Select(m => m.Status).Should().Equal("retired", "retired", "retired", "declined");
            var state = await s.Coordinator.Client.GetStateAsync(s.SessionId);
            state.State.Compacts.Should().NotContain(c => bundle.Members.Any(m => m.CompactId == c.CompactId));
        }
        (await s.Coordinator.Client.VerifyAsync(s.SessionId)).Ok.Should().BeTrue();
        Console.WriteLine($"sign X against decline Y: {string.Join(", ", orders.GroupBy(o => o).Select(g => $"{g.Key} ×{g.Count()}"))}");
    }

    [Fact]
    public async Task Mode_all_the_committing_countersignature_against_a_decline_of_a_prepared_member_commits_and_the_decline_is_refused()
    {
        await using var s = await Scenario.StartAsync(Store, 3);
        for (var round = 0; round < Rounds / 2; round++)
        {
            // Three members, all but X prepared: X's countersignature is the last needed; Y (prepared) can no longer decline.
            var bundle = await s.CreateAsync(await s.TermsAsync(3), BundleSelection.All());
            foreach (var m in bundle.Members.Take(2)) await PrepareAsync(s, m);
            var (x, y) = (bundle.Members[2], bundle.Members[0]);
            var (sign, decline) = (await ReadySignatureAsync(s, x), await ReadyDeclineAsync(s, y));
            var (signing, declining) = Race(round, sign, decline);
            await Task.WhenAll(signing, declining);
            var (signed, declined) = (await signing, await declining);

            signed.Value!.Status.Should().Be(HttpStatusCode.OK);
            signed.Value.Body!["terms"]!["compactId"]!.GetValue<string>().Should().Be(x.CompactId);
            declined.Code.Should().Be("PACT-301", "Y is prepared before the commit and signed after it");
            var events = await s.EventsAsync();
            Find(events, "proposal.declined", "proposalId", y.ProposalId).Should().BeNull();
            var committed = Find(events, "bundle.committed", "bundleId", bundle.BundleId)!;
            committed.Seq.Should().Be(Find(events, "proposal.signed", "proposalId", x.ProposalId)!.Seq + 1);
            var after = await s.Coordinator.Client.GetBundleAsync(bundle.BundleId);
            after.Status.Should().Be("committed");
            after.Members.Should().OnlyContain(m => m.Status == "signed");
            var state = await s.Coordinator.Client.GetStateAsync(s.SessionId);
            state.State.Compacts.Where(c => bundle.Members.Any(m => m.CompactId == c.CompactId)).Should().HaveCount(3).And.OnlyContain(c => c.Status == "in-force");
        }
    }

    [Fact]
    public async Task Mode_best_the_last_open_members_countersignature_and_the_decline_of_the_other_race_and_whichever_commits_second_closes_the_bundle()
    {
        await using var s = await Scenario.StartAsync(Store, 3);
        var orders = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            // Member 0 prepared; X (the shortest notice: it wins) and Y open. Whichever request commits second closes the bundle.
            var terms = await s.TermsAsync(3, (i, t) => t["revocation"]!["noticePeriod"] = i == 1 ? "P1D" : "P30D");
            var bundle = await s.CreateAsync(terms, BundleSelection.Best(1, 1, RankingKeySpec.Ascending("isoSeconds(terms.revocation.noticePeriod)")));
            await PrepareAsync(s, bundle.Members[0]);
            var (x, y) = (bundle.Members[1], bundle.Members[2]);
            var (sign, decline) = (await ReadySignatureAsync(s, x), await ReadyDeclineAsync(s, y));
            var (signing, declining) = Race(round, sign, decline);
            await Task.WhenAll(signing, declining);
            var (signed, declined) = (await signing, await declining);

            signed.Ok.Should().BeTrue();
            declined.Ok.Should().BeTrue();
            declined.Value!.Status.Should().Be("declined");
            var events = await s.EventsAsync();
            var signedX = Find(events, "proposal.signed", "proposalId", x.ProposalId)!;
            var declinedY = Find(events, "proposal.declined", "proposalId", y.ProposalId)!;
            var committed = Find(events, "bundle.committed", "bundleId", bundle.BundleId)!;
            committed.Seq.Should().Be(Math.Max(signedX.Seq, declinedY.Seq) + 1, "the second of the two commits closes the bundle");
            if (signedX.Seq < declinedY.Seq)
            {
                signed.Value!.Status.Should().Be(HttpStatusCode.Accepted, "its commit only prepared X");
                signed.Value.Body!["status"]!.GetValue<string>().Should().Be("prepared");
                orders.Add("signature first");
            }
            else
            {
                signed.Value!.Status.Should().Be(HttpStatusCode.OK, "its commit closed the bundle and selected X");
                signed.Value.Body!["terms"]!["compactId"]!.GetValue<string>().Should().Be(x.CompactId);
                orders.Add("decline first");
            }
            var after = await s.Coordinator.Client.GetBundleAsync(bundle.BundleId);
            after.Status.Should().Be("committed");
            after.Selected.Should().Equal(x.ProposalId);
            after.Members.Select(m => m.Status).Should().Equal("retired", "signed", "declined");
        }
        (await s.Coordinator.Client.VerifyAsync(s.SessionId)).Ok.Should().BeTrue();
        Console.WriteLine($"best: sign X against decline Y: {string.Join(", ", orders.GroupBy(o => o).Select(g => $"{g.Key} ×{g.Count()}"))}");
    }
}
