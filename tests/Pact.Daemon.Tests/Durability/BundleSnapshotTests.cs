using Microsoft.Extensions.DependencyInjection;
using Pact.Client;
using Pact.Daemon.Application;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;

namespace Pact.Daemon.Tests.Durability;

/// <summary>
/// Bundles (§15) across a start from the state snapshot a clean stop wrote (no event folded): an open bundle keeps its
/// prepared member, so a later countersignature commits it, and a close that fell due while the daemon was down fires.
/// </summary>
public class BundleSnapshotTests
{
    /// <summary>The store the daemons of these tests run on (Postgres/OnPostgres.cs runs them again on PostgreSQL).</summary>
    protected virtual DaemonStore Store => DaemonStore.Default;

    [Fact]
    public async Task An_open_bundle_survives_a_restart_from_the_snapshot_and_an_overdue_close_still_fires()
    {
        await using var s = await BundleTests.Scenario.StartAsync(Store);
        var committing = await s.CreateAsync(await s.TermsAsync(2), BundleSelection.All());
        var expiring = await s.CreateAsync(await s.TermsAsync(2), BundleSelection.All());
        foreach (var member in new[] { committing.Members[0], expiring.Members[0] })
            await s.CounterpartyOf(member).Client.SignMemberAsync(member.ProposalId, s.CounterpartyOf(member).Authority);

        await RestartFromSnapshotAsync(s);

        var open = await s.Coordinator.Client.GetBundleAsync(committing.BundleId);
        open.Status.Should().Be("open");
        open.Members.Select(m => m.Status).Should().Equal("prepared", "open");
        var last = committing.Members[1];
        var committed = await s.CounterpartyOf(last).Client.SignMemberAsync(last.ProposalId, s.CounterpartyOf(last).Authority);
        committed.InForce.Should().BeTrue("the member prepared before the restart is still prepared, so the last countersignature commits both");
        var after = await s.Coordinator.Client.GetBundleAsync(committing.BundleId);
        after.Status.Should().Be("committed");
        after.Selected.Should().Equal(committing.Members.Select(m => m.ProposalId));

        await RestartFromSnapshotAsync(s, whileDown: () => s.Clock.Advance(TimeSpan.FromDays(2)));

        var events = await s.WaitForAsync(e => e.Any(x => x.Type == "bundle.aborted"));
        var aborted = events.Single(e => e.Type == "bundle.aborted");
        aborted.Data["bundleId"]!.GetValue<string>().Should().Be(expiring.BundleId);
        aborted.Data["cause"]!["kind"]!.GetValue<string>().Should().Be("expired");
        aborted.Data["dueAt"]!.GetValue<string>().Should().Be(Pact.Core.Time.Timestamp.ToText(BundleTests.Scenario.ClosesAt));
        (await s.Coordinator.Client.GetBundleAsync(expiring.BundleId)).Status.Should().Be("aborted");
        s.Host.Services.GetRequiredService<TranscriptQuarantine>().IsDegraded.Should().BeFalse("the snapshot's bundles are what the log gives");
        (await s.Coordinator.Client.VerifyAsync(s.SessionId)).Ok.Should().BeTrue();
    }

    /// <summary>A clean stop and a start that folds no event: the state comes from the snapshot the stop wrote, and the background check agrees with it.</summary>
    private static async Task RestartFromSnapshotAsync(BundleTests.Scenario s, Action? whileDown = null)
    {
        var head = s.Host.Services.GetRequiredService<IPactStore>().HeadSeq;
        await s.Host.StopAsync();
        whileDown?.Invoke();
        await s.Host.RestartAsync();
        s.Host.Services.GetRequiredService<StateSnapshots>().Start.Should().Be(((long?)head, 0L), "the start is from the snapshot the clean stop wrote");
        await s.Host.StartCheckedAsync();
        s.Host.Services.GetRequiredService<TranscriptQuarantine>().IsDegraded.Should().BeFalse();
    }
}
