using Pact.Client;
using Pact.Daemon.Tests.Infrastructure;
using static Pact.Daemon.Tests.BundleTests;

namespace Pact.Daemon.Tests;

/// <summary>
/// A best ranking needs passports (§15): it records each counterparty's as of bundle.committed's seq − 1 — the passport
/// the daemon serves for that seq, even when another bundle's commit at the same instant changed it just before — and a
/// projection that has none (a permission check at a later instant) leaves the ranking undecided instead of failing.
/// </summary>
public class BundlePassportTests
{
    /// <summary>The store the daemons of these tests run on (Postgres/OnPostgres.cs runs them again on PostgreSQL).</summary>
    protected virtual DaemonStore Store => DaemonStore.Default;

    [Fact]
    public async Task Two_best_bundles_closing_at_one_instant_rank_the_second_with_the_compacts_the_first_put_in_force()
    {
        await using var s = await Scenario.StartAsync(Store, 3);
        var byCompacts = BundleSelection.Best(1, 1, RankingKeySpec.Descend("counterparty.passport.compacts"));
        var shared = s.Others[0];
        // Member 0 of each bundle is the shared counterparty's; each bundle keeps an unanswered member, so both wait for closesAt.
        var first = await s.CreateAsync(await s.TermsAsync(2), byCompacts);
        var second = await s.CreateAsync(await s.TermsAsync(3), byCompacts);
        await shared.Client.SignMemberAsync(first.Members[0].ProposalId, shared.Authority);
        await shared.Client.SignMemberAsync(second.Members[0].ProposalId, shared.Authority);
        var other = s.CounterpartyOf(second.Members[2]);
        await other.Client.SignMemberAsync(second.Members[2].ProposalId, other.Authority);

        s.Clock.Advance(TimeSpan.FromDays(1));
        var events = await s.WaitForAsync(e => e.Count(x => x.Type == "bundle.committed") == 2);

        var commits = events.Where(e => e.Type == "bundle.committed").ToList();
        commits.Select(e => e.Data["bundleId"]!.GetValue<string>()).Should().Equal(first.BundleId, second.BundleId);
        foreach (var commit in commits)
        {
            foreach (var entry in commit.Data["ranking"]!.AsArray())
            {
                var recorded = entry!["passport"]!;
                var served = await s.Coordinator.Client.GetPassportAsync(recorded["agent"]!.GetValue<string>(), commit.Seq - 1);
                recorded["passportHash"]!.GetValue<string>().Should().Be(served.PassportHash, $"the ranking of {commit.Data["bundleId"]} records the log's passport");
            }
        }
        var sharedInSecond = commits[1].Data["ranking"]!.AsArray().Single(r => r!["passport"]!["agent"]!.GetValue<string>() == shared.Did)!;
        sharedInSecond["passport"]!["counts"]!["compacts"]!.GetValue<long>().Should().Be(1, "the first bundle's commit put the shared counterparty in a compact");
        commits[1].Data["selected"]!.AsArray().Single()!.GetValue<string>().Should().Be(second.Members[0].ProposalId);
        // The SDK reads the ranking typed: entries in rank order, each passport the one recorded.
        var entries = (await s.Coordinator.Client.GetBundleAsync(second.BundleId)).RankingEntries!;
        entries.Select(e => e.ProposalId).Should().Equal(second.Members[0].ProposalId, second.Members[2].ProposalId);
        entries.Should().OnlyContain(e => e.Excluded == null && e.Keys!.Count == 1);
        entries[0].Passport.Hash.Should().Be(sharedInSecond["passport"]!["passportHash"]!.GetValue<string>());
        entries[0].Passport.Counts.Compacts.Should().Be(1);
        (await s.Coordinator.Client.VerifyAsync(s.SessionId)).Ok.Should().BeTrue();
    }

    [Fact]
    public async Task A_permission_check_at_an_instant_after_an_open_best_bundle_closes_is_answered()
    {
        await using var s = await Scenario.StartAsync(Store, 2);
        var plumber = s.Others[0];
        var terms = await s.Coordinator.DraftAsync(plumber);
        await s.Coordinator.NegotiateAsync(plumber, s.SessionId, terms);
        var compactId = terms["compactId"]!.GetValue<string>();
        var open = await s.CreateAsync(await s.TermsAsync(2), BundleSelection.Best(1, 1, RankingKeySpec.Ascending("counterparty.passport.failures")));
        await plumber.Client.SignMemberAsync(open.Members[0].ProposalId, plumber.Authority);

        var later = Pact.Core.Time.Timestamp.ToText(Scenario.ClosesAt.AddDays(1));
        var decision = await plumber.Client.CheckAsync(compactId, "b", "retain", "work-record", at: later);

        decision.Should().NotBeNull();
        (await s.Coordinator.Client.GetBundleAsync(open.BundleId)).Status.Should().Be("open", "the check projects, it records nothing");
    }
}
