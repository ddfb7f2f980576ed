using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Client.Verification;
using Pact.Core.Bundles;
using Pact.Core.Encoding;
using Pact.Daemon.Tests.Infrastructure;
using static Pact.Daemon.Tests.BundleTests;

namespace Pact.Daemon.Tests;

/// <summary>
/// A best bundle whose first member is version 2 of a compact negotiated in another session (§15): whether that member's
/// predecessor was still in force at the commit is in the other session's stream. GET verify, which has the whole log, folds
/// that stream and recomputes the ranking (so a lying daemon's commit excluding the member as "upstream" fails); the offline
/// verifier, which has only this session's export, reports the commit as not recomputed — neither passed nor failed.
/// </summary>
public class BundleSuccessorVerifyTests
{
    protected virtual DaemonStore Store => DaemonStore.Default;

    /// <summary>Version 1 in force in a session of its own; a best bundle (shortest notice first) whose member 0 is its version 2.</summary>
    internal static async Task<(Scenario S, BundleView Bundle, string EarlierSession)> OpenAsync(DaemonStore store)
    {
        var s = await Scenario.StartAsync(store, 3);
        var earlier = (await s.Coordinator.Client.CreateSessionAsync([s.Coordinator.Did, s.Others[0].Did], "earlier work")).SessionId;
        var v1 = await s.Coordinator.DraftAsync(s.Others[0]);
        var record = await s.Coordinator.NegotiateAsync(s.Others[0], earlier, v1);
        var v2 = Negotiator.Successor(v1, record.CompactHash);
        var terms = await s.TermsAsync(3);
        terms[0] = v2;
        string[] notices = ["P10D", "P20D", "P30D"];
        for (var i = 0; i < 3; i++) terms[i]["revocation"]!["noticePeriod"] = notices[i];
        var bundle = await s.CreateAsync(terms, BundleSelection.Best(1, 1, RankingKeySpec.Ascending("isoSeconds(terms.revocation.noticePeriod)")));
        return (s, bundle, earlier);
    }

    private static async Task<ExportVerification> OfflineAsync(Scenario s)
    {
        var daemonKey = Base64Url.Decode((await s.Coordinator.Client.GetDaemonAsync()).PublicKey);
        return ExportVerifier.Verify(await s.Coordinator.Client.ExportSessionAsync(s.SessionId), daemonKey);
    }

    private static async Task SignAsync(Scenario s, BundleMemberInfo m) =>
        await s.CounterpartyOf(m).Client.SignMemberAsync(m.ProposalId, s.CounterpartyOf(m).Authority);

    [Fact]
    public async Task The_honest_commit_verifies_online_and_the_offline_verifier_reports_it_not_recomputed()
    {
        var (s, bundle, _) = await OpenAsync(Store);
        await using var _ = s;
        foreach (var m in bundle.Members) await SignAsync(s, m);
        var after = await s.Coordinator.Client.GetBundleAsync(bundle.BundleId);
        after.Status.Should().Be("committed");
        after.Selected.Should().Equal(bundle.Members[0].ProposalId);

        var online = await s.Coordinator.Client.VerifyAsync(s.SessionId);
        online.Ok.Should().BeTrue(online.FirstError?.Message);
        var offline = await OfflineAsync(s);
        offline.Ok.Should().BeTrue("a commit the export cannot recompute is not a failure");
        var committed = (await s.EventsAsync()).Single(e => e.Type == "bundle.committed");
        var notice = offline.NotChecked.Should().ContainSingle().Which;
        notice.Check.Should().Be(ExportChecks.BundleRanking);
        notice.Seq.Should().Be(committed.Seq);
        notice.StreamSeq.Should().Be(committed.StreamSeq);
        notice.Reason.Should().Contain(bundle.Members[0].ProposalId).And.Contain(bundle.Members[0].CompactId);
    }

    [Fact]
    public async Task A_commit_excluding_the_successor_as_upstream_while_its_predecessor_is_in_force_fails_GET_verify()
    {
        var (s, bundle, earlier) = await OpenAsync(Store);
        await using var _ = s;
        await SignAsync(s, bundle.Members[0]);
        await SignAsync(s, bundle.Members[1]);
        (await s.Coordinator.Client.VerifyAsync(s.SessionId)).Ok.Should().BeTrue();
        (await s.Coordinator.Client.GetCompactAsync(bundle.Members[0].CompactId)).Status.Should().Be("in-force", "version 1 still stands");

        // The lying daemon claims member 0's predecessor left force and commits member 1, which its ranking would put second.
        var streamSeq = await BundleVerifyTests.ForgeCommitAsync(s, bundle.BundleId,
            [(bundle.Members[1], null), (bundle.Members[0], BundleRanking.Upstream)], bundle.Members[1].ProposalId);

        var online = await s.Coordinator.Client.VerifyAsync(s.SessionId);
        online.Ok.Should().BeFalse("the predecessor's stream shows version 1 in force at the commit");
        online.FirstError!.Check.Should().Be(BundleRankingVerifier.Check, online.FirstError.Message);
        online.FirstError.StreamSeq.Should().Be(streamSeq);
        (await s.Coordinator.Client.VerifyAsync(earlier)).Ok.Should().BeTrue("the other session is untouched");

        var offline = await OfflineAsync(s);
        offline.Ok.Should().BeTrue(offline.FirstFailure?.Message);
        offline.NotChecked.Should().ContainSingle().Which.StreamSeq.Should().Be(streamSeq);
    }
}
