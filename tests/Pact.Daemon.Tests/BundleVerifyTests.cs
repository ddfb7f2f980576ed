using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pact.Client;
using Pact.Client.Verification;
using Pact.Core.Bundles;
using Pact.Core.Encoding;
using Pact.Core.Events;
using Pact.Core.Negotiation;
using Pact.Core.Passport;
using Pact.Daemon.Application;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;
using static Pact.Daemon.Tests.BundleTests;

namespace Pact.Daemon.Tests;

/// <summary>
/// A daemon that records a best bundle's commit its ranking does not justify (it plays a lying daemon: appends through the
/// store, past every check) is caught by GET verify, by GET verify from a checkpoint before the commit, and by the offline
/// verifier of the export — each recomputing the ranking from the transcript (§15).
/// </summary>
public class BundleVerifyTests
{
    protected virtual DaemonStore Store => DaemonStore.Default;

    [Fact]
    public async Task A_commit_selecting_a_member_its_ranking_puts_second_fails_every_verifier_as_bundle_ranking()
    {
        await using var s = await Scenario.StartAsync(Store, 3);
        var notices = new[] { "P30D", "P10D", "P20D" };
        var bundle = await s.CreateAsync(await s.TermsAsync(3, (i, t) => t["revocation"]!["noticePeriod"] = notices[i]),
            BundleSelection.Best(1, 1, RankingKeySpec.Ascending("isoSeconds(terms.revocation.noticePeriod)")));
        // Members 0 and 1 prepared; member 2 unanswered keeps the bundle open.
        foreach (var m in bundle.Members.Take(2)) await s.CounterpartyOf(m).Client.SignMemberAsync(m.ProposalId, s.CounterpartyOf(m).Authority);
        var checkpoint = await s.Coordinator.Client.CheckpointAsync(s.SessionId);
        var daemonKey = Base64Url.Decode((await s.Coordinator.Client.GetDaemonAsync()).PublicKey);
        (await s.Coordinator.Client.VerifyAsync(s.SessionId)).Ok.Should().BeTrue();

        var streamSeq = await ForgeCommitAsync(s, bundle.BundleId, [(bundle.Members[0], null), (bundle.Members[1], null)], bundle.Members[0].ProposalId);

        var online = await s.Coordinator.Client.VerifyAsync(s.SessionId);
        online.Ok.Should().BeFalse();
        online.FirstError!.Check.Should().Be(BundleRankingVerifier.Check, online.FirstError.Message);
        online.FirstError.StreamSeq.Should().Be(streamSeq);
        var fromCheckpoint = await s.Coordinator.Client.VerifyAsync(s.SessionId, checkpoint.CheckpointId);
        fromCheckpoint.Ok.Should().BeFalse("the commit after the checkpoint is recomputed from the stream's first event");
        fromCheckpoint.FirstError!.Check.Should().Be(BundleRankingVerifier.Check, fromCheckpoint.FirstError.Message);
        fromCheckpoint.FirstError.StreamSeq.Should().Be(streamSeq);
        var offline = ExportVerifier.Verify(await s.Coordinator.Client.ExportSessionAsync(s.SessionId), daemonKey);
        offline.Ok.Should().BeFalse();
        offline.FirstFailure!.Check.Should().Be(ExportChecks.BundleRanking, offline.FirstFailure.Message);
        offline.FirstFailure.StreamSeq.Should().Be(streamSeq);
    }

    [Fact]
    public async Task A_commit_whose_ranking_recomputes_but_records_a_passport_with_forged_counts_fails_both_verifiers_alike()
    {
        await using var s = await Scenario.StartAsync(Store, 3);
        var notices = new[] { "P30D", "P10D", "P20D" };
        var bundle = await s.CreateAsync(await s.TermsAsync(3, (i, t) => t["revocation"]!["noticePeriod"] = notices[i]),
            BundleSelection.Best(1, 1, RankingKeySpec.Ascending("isoSeconds(terms.revocation.noticePeriod)")));
        foreach (var m in bundle.Members.Take(2)) await s.CounterpartyOf(m).Client.SignMemberAsync(m.ProposalId, s.CounterpartyOf(m).Authority);
        var daemonKey = Base64Url.Decode((await s.Coordinator.Client.GetDaemonAsync()).PublicKey);

        // The right order and selection (10 days before 30), but member 0's counterparty is credited five compacts it never
        // entered; the document holds by itself (its hash, score and confidence are its counts'), only the log says otherwise.
        var streamSeq = await ForgeCommitAsync(s, bundle.BundleId, [(bundle.Members[1], null), (bundle.Members[0], null)],
            (m, p) => m.ProposalId == bundle.Members[0].ProposalId ? p with { Counts = p.Counts with { Compacts = 5, Active = 5 } } : p,
            bundle.Members[1].ProposalId);

        var online = await s.Coordinator.Client.VerifyAsync(s.SessionId);
        online.Ok.Should().BeFalse();
        online.FirstError!.Check.Should().Be(BundleRankingVerifier.Check, online.FirstError.Message);
        online.FirstError.StreamSeq.Should().Be(streamSeq);
        online.FirstError.Message.Should().Contain("not the log's as of seq");
        var offline = ExportVerifier.Verify(await s.Coordinator.Client.ExportSessionAsync(s.SessionId), daemonKey);
        offline.Ok.Should().BeFalse();
        offline.FirstFailure!.Check.Should().Be(ExportChecks.BundleRanking, offline.FirstFailure.Message);
        offline.FirstFailure.StreamSeq.Should().Be(streamSeq);
        offline.FirstFailure.Message.Should().Be(online.FirstError.Message);
    }

    [Fact]
    public async Task A_best_commit_before_its_close_while_a_member_is_still_open_fails_both_verifiers_alike()
    {
        await using var s = await Scenario.StartAsync(Store, 3);
        var notices = new[] { "P30D", "P10D", "P20D" };
        var bundle = await s.CreateAsync(await s.TermsAsync(3, (i, t) => t["revocation"]!["noticePeriod"] = notices[i]),
            BundleSelection.Best(1, 1, RankingKeySpec.Ascending("isoSeconds(terms.revocation.noticePeriod)")));
        foreach (var m in bundle.Members.Take(2)) await s.CounterpartyOf(m).Client.SignMemberAsync(m.ProposalId, s.CounterpartyOf(m).Authority);
        var daemonKey = Base64Url.Decode((await s.Coordinator.Client.GetDaemonAsync()).PublicKey);

        // The ranking of the two prepared members is right, but member 2 may still sign (with the shortest notice) and the
        // close has not come: dueAt null claims every member was prepared or ended.
        var streamSeq = await ForgeCommitAsync(s, bundle.BundleId, [(bundle.Members[1], null), (bundle.Members[0], null)], bundle.Members[1].ProposalId);

        var online = await s.Coordinator.Client.VerifyAsync(s.SessionId);
        online.Ok.Should().BeFalse();
        online.FirstError!.Check.Should().Be(BundleRankingVerifier.Check, online.FirstError.Message);
        online.FirstError.StreamSeq.Should().Be(streamSeq);
        online.FirstError.Message.Should().Contain($"member {bundle.Members[2].ProposalId} is still open");
        var offline = ExportVerifier.Verify(await s.Coordinator.Client.ExportSessionAsync(s.SessionId), daemonKey);
        offline.Ok.Should().BeFalse();
        offline.FirstFailure!.Check.Should().Be(ExportChecks.BundleRanking, offline.FirstFailure.Message);
        offline.FirstFailure.StreamSeq.Should().Be(streamSeq);
        offline.FirstFailure.Message.Should().Be(online.FirstError.Message);
    }

    [Fact]
    public async Task An_all_commit_after_a_members_upstream_left_force_or_with_a_member_unprepared_fails_every_verifier_as_bundle_ranking()
    {
        await using var s = await Scenario.StartAsync(Store);
        var upstream = await s.Coordinator.DraftAsync(s.Others[0]);
        var upstreamId = upstream["compactId"]!.GetValue<string>();
        await s.Coordinator.NegotiateAsync(s.Others[0], s.SessionId, upstream);
        var bundle = await s.CreateAsync(await s.TermsAsync(2, (i, t) => { if (i == 0) Negotiator.DependOn(t, upstreamId, "revocation"); }), BundleSelection.All());
        await s.CounterpartyOf(bundle.Members[0]).Client.SignMemberAsync(bundle.Members[0].ProposalId, s.CounterpartyOf(bundle.Members[0]).Authority);
        await BundleUpstreamTests.RevokeAsync(s, upstreamId);
        var daemonKey = Base64Url.Decode((await s.Coordinator.Client.GetDaemonAsync()).PublicKey);
        (await s.Coordinator.Client.VerifyAsync(s.SessionId)).Ok.Should().BeTrue();

        // The lying daemon commits every member although member 0's upstream was revoked and member 1 never signed.
        var store = s.Host.Services.GetRequiredService<IPactStore>();
        var forged = EventDraft.ByDaemon(EventTypes.BundleCommitted, new JsonObject
        {
            ["bundleId"] = bundle.BundleId,
            ["selected"] = new JsonArray([.. bundle.Members.Select(m => (JsonNode)JsonValue.Create(m.ProposalId))]),
            ["ranking"] = null,
            ["dueAt"] = null,
        });
        var streamSeq = (await store.AppendAsync(new AppendRequest(DateTimeOffset.UtcNow, [new StreamAppend(s.SessionId, [forged])]))).Events[0].StreamSeq;

        var online = await s.Coordinator.Client.VerifyAsync(s.SessionId);
        online.Ok.Should().BeFalse();
        online.FirstError!.Check.Should().Be(BundleRankingVerifier.Check, online.FirstError.Message);
        online.FirstError.StreamSeq.Should().Be(streamSeq);
        online.FirstError.Message.Should().Contain("left force");
        var offline = ExportVerifier.Verify(await s.Coordinator.Client.ExportSessionAsync(s.SessionId), daemonKey);
        offline.Ok.Should().BeFalse();
        offline.FirstFailure!.Check.Should().Be(ExportChecks.BundleRanking, offline.FirstFailure.Message);
        offline.FirstFailure.Message.Should().Be(online.FirstError.Message, "both verifiers recompute the commit the same way");
    }

    /// <summary>
    /// Appends bundle.committed with the given ranking (each entry's key the member's revocation notice in seconds, or null keys
    /// when <c>Excluded</c> names why) and selection, with valid passports as of the seq before it; returns its streamSeq.
    /// </summary>
    internal static Task<long> ForgeCommitAsync(Scenario s, string bundleId, IEnumerable<(BundleMemberInfo Member, string? Excluded)> ranked, params string[] selected) =>
        ForgeCommitAsync(s, bundleId, ranked, null, selected);

    /// <summary>As above, each entry's passport passed through <paramref name="forge"/> (its hash then the forged content's).</summary>
    internal static async Task<long> ForgeCommitAsync(Scenario s, string bundleId, IEnumerable<(BundleMemberInfo Member, string? Excluded)> ranked,
        Func<BundleMemberInfo, AgentPassport, AgentPassport>? forge, params string[] selected)
    {
        var store = s.Host.Services.GetRequiredService<IPactStore>();
        var passports = s.Host.Services.GetRequiredService<PassportService>();
        var head = store.HeadSeq;
        var ranking = new JsonArray();
        foreach (var (m, excluded) in ranked)
        {
            var proposal = await s.Coordinator.Client.GetProposalAsync(m.ProposalId);
            var days = int.Parse(proposal.Terms!["revocation"]!["noticePeriod"]!.GetValue<string>()[1..^1], System.Globalization.CultureInfo.InvariantCulture);
            ranking.Add(new JsonObject
            {
                ["proposalId"] = m.ProposalId,
                ["keys"] = excluded is null ? new JsonArray(days * 86_400L) : null,
                ["excluded"] = excluded,
                ["passport"] = (forge ?? ((_, p) => p))(m, await passports.AsOfSeqAsync(m.Counterparty, head, CancellationToken.None)).ToJson(),
            });
        }
        var forged = EventDraft.ByDaemon(EventTypes.BundleCommitted, new JsonObject
        {
            ["bundleId"] = bundleId, ["selected"] = new JsonArray([.. selected.Select(id => (JsonNode)JsonValue.Create(id))]), ["ranking"] = ranking, ["dueAt"] = null,
        });
        var appended = await store.AppendAsync(new AppendRequest(DateTimeOffset.UtcNow, [new StreamAppend(s.SessionId, [forged])]));
        appended.Events[0].Seq.Should().Be(head + 1, "nothing else appended meanwhile, so the passports are as of the seq before it");
        return appended.Events[0].StreamSeq;
    }
}
