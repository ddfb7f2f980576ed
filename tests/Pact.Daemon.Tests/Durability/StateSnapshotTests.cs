using Microsoft.Extensions.DependencyInjection;
using Pact.Client;
using Pact.Core.Negotiation;
using Pact.Daemon.Application;
using Pact.Daemon.Hosting;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;
using Pact.Store.Sqlite;

namespace Pact.Daemon.Tests.Durability;

/// <summary>
/// Restarts from state snapshots: a clean stop leaves one, so the next start folds no event; a start after a crash folds
/// only the events after the last one and keeps their deadlines; a snapshot that is not what the store wrote, or that
/// does not end at the log's event, is not used (the whole log is folded); and one that passes every check but is not
/// what the events give is found by the background check and its session quarantined.
/// </summary>
public sealed class StateSnapshotTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(T0);
    private DaemonHost _host = null!;

    public async Task InitializeAsync() => _host = await DaemonHost.StartAsync(_clock, store: DaemonStore.Sqlite);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private StateSnapshots Snapshots => _host.Services.GetRequiredService<StateSnapshots>();

    private long HeadSeq => _host.Services.GetRequiredService<IPactStore>().HeadSeq;

    /// <summary>Two parties, a compact in force in one session, an open proposal in another.</summary>
    private async Task<(Negotiator A, Negotiator B, string Negotiating, ProposalCreated Open)> NegotiateAsync()
    {
        var a = await Negotiator.RegisterAsync(_host, "A", clock: _clock);
        var b = await Negotiator.RegisterAsync(_host, "B", "human", _clock);
        var signed = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        await a.NegotiateAsync(b, signed, await a.DraftAsync(b));
        var negotiating = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var open = await a.Client.ProposeAsync(negotiating, await a.DraftAsync(b), a.Authority);
        return (a, b, negotiating, open);
    }

    [Fact]
    public async Task A_clean_stop_leaves_a_snapshot_and_the_next_start_folds_no_event()
    {
        var (_, b, _, open) = await NegotiateAsync();
        var head = HeadSeq;
        await _host.RestartAsync();

        Snapshots.Start.Should().Be(((long?)head, 0L), "the snapshot written at the stop covers every event");
        await _host.StartCheckedAsync();
        _host.Services.GetRequiredService<TranscriptQuarantine>().IsDegraded.Should().BeFalse();
        (await b.Client.SignProposalAsync(open.ProposalId, b.Authority)).Should().NotBeNull("the open proposal is in the state the snapshot gave");
    }

    [Fact]
    public async Task After_a_crash_the_start_folds_the_events_after_the_last_snapshot_and_keeps_their_deadlines()
    {
        await NegotiateAsync();
        await _host.RestartAsync();
        var snapshotSeq = HeadSeq;
        var (a, b, negotiating, expiring) = await NegotiateAsync();
        // A crash leaves the snapshot of the previous stop: the one written at this stop is put back to it.
        await _host.StopAsync();
        long headAtStop;
        await using (var store = await OpenStoppedStoreAsync())
        {
            var latest = (await store.StateSnapshots.LatestAsync(default))!;
            headAtStop = store.HeadSeq;
            latest.ThroughSeq.Should().Be(headAtStop);
            await store.StateSnapshots.SaveAsync(await SnapshotAtAsync(store, snapshotSeq), default);
        }
        _clock.Advance(TimeSpan.FromDays(15));
        await _host.RestartAsync();

        Snapshots.Start.SnapshotSeq.Should().Be(snapshotSeq);
        Snapshots.Start.EventsFolded.Should().Be(headAtStop - snapshotSeq);
        // The proposal made after the snapshot expired while the daemon was down: the timer fires it once the start is checked.
        for (var attempt = 0; attempt < 200 && (await a.Client.GetProposalAsync(expiring.ProposalId)).Status != "expired"; attempt++)
            await Task.Delay(50);
        (await a.Client.GetProposalAsync(expiring.ProposalId)).Status.Should().Be("expired");
        var again = await a.Client.ProposeAsync(negotiating, await a.DraftAsync(b), a.Authority);
        (await b.Client.SignProposalAsync(again.ProposalId, b.Authority)).Should().NotBeNull();
    }

    [Fact]
    public async Task A_deadline_in_the_snapshot_fires_after_the_restart_with_no_command_touching_its_session()
    {
        var (a, b, negotiating, open) = await NegotiateAsync();
        var head = HeadSeq;
        await _host.StopAsync();
        _clock.Advance(TimeSpan.FromDays(15));
        await _host.RestartAsync();

        // The proposal and its expiry come from the snapshot's frozen records (ADR 0016), not from a folded tail.
        Snapshots.Start.Should().Be(((long?)head, 0L));
        for (var attempt = 0; attempt < 200 && (await a.Client.GetProposalAsync(open.ProposalId)).Status != "expired"; attempt++)
            await Task.Delay(50);
        (await a.Client.GetProposalAsync(open.ProposalId)).Status.Should().Be("expired");
        _host.Services.GetRequiredService<DecisionEngine>().State.Proposal(open.ProposalId)!.Status.Should().Be(ProposalStatus.Expired);
        var again = await a.Client.ProposeAsync(negotiating, await a.DraftAsync(b), a.Authority);
        (await b.Client.SignProposalAsync(again.ProposalId, b.Authority)).Should().NotBeNull();

        // What the timer changed is in the next snapshot, and a start from it answers the same.
        await _host.RestartAsync();
        Snapshots.Start.Should().Be(((long?)HeadSeq, 0L));
        _host.Services.GetRequiredService<DecisionEngine>().State.Proposal(open.ProposalId)!.Status.Should().Be(ProposalStatus.Expired);
        _host.Services.GetRequiredService<DecisionEngine>().State.Proposal(again.ProposalId)!.Status.Should().Be(ProposalStatus.Signed);
    }

    [Fact]
    public async Task A_compact_whose_terms_come_undecoded_from_the_snapshot_is_revoked_as_one_revoked_before_the_restart()
    {
        var a = await Negotiator.RegisterAsync(_host, "A", clock: _clock);
        var b = await Negotiator.RegisterAsync(_host, "B", "human", _clock);
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var before = await a.NegotiateAsync(b, session, await a.DraftAsync(b));
        var after = await a.NegotiateAsync(b, (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId, await a.DraftAsync(b));
        var revokedBefore = await a.Client.RevokeAsync(before.Terms["compactId"]!.GetValue<string>(), 1);
        await _host.RestartAsync();

        // Its terms (notice period, acknowledgment timeout) are read for the first time by this command (ADR 0016).
        Snapshots.Start.Should().Be(((long?)HeadSeq, 0L));
        var revokedAfter = await a.Client.RevokeAsync(after.Terms["compactId"]!.GetValue<string>(), 1);
        revokedAfter.Status.Should().Be(revokedBefore.Status);
        revokedAfter.EffectiveAt.Should().Be(revokedBefore.EffectiveAt).And.NotBeNull();
        revokedAfter.AckDeadline.Should().Be(revokedBefore.AckDeadline).And.NotBeNull();
        await _host.StartCheckedAsync();
        _host.Services.GetRequiredService<TranscriptQuarantine>().IsDegraded.Should().BeFalse("the snapshot is what the log gives");
    }

    [Theory]
    [InlineData("body")]
    [InlineData("event_hash")]
    public async Task A_snapshot_row_altered_without_the_seal_key_is_not_used(string column)
    {
        var (_, b, _, open) = await NegotiateAsync();
        await _host.StopAsync();
        using (var db = new TransparencyLog.DatabaseTamperer(_host.DataDirectory))
        {
            db.Sql(column == "body"
                ? "UPDATE state_snapshots SET body = zeroblob(length(body))"
                : "UPDATE state_snapshots SET event_hash = (CASE WHEN substr(event_hash, 1, 1) = 'a' THEN 'b' ELSE 'a' END) || substr(event_hash, 2)").Should().Be(1);
        }
        await _host.RestartAsync();

        Snapshots.Start.SnapshotSeq.Should().BeNull("the whole log was folded instead");
        await _host.StartCheckedAsync();
        _host.Services.GetRequiredService<TranscriptQuarantine>().IsDegraded.Should().BeFalse();
        (await b.Client.SignProposalAsync(open.ProposalId, b.Authority)).Should().NotBeNull();

        await _host.RestartAsync();
        Snapshots.Start.Should().Be(((long?)HeadSeq, 0L), "the refused snapshot was replaced by a good one");
    }

    [Fact]
    public async Task A_sealed_snapshot_that_ends_at_another_event_or_in_another_format_is_not_used()
    {
        await NegotiateAsync();
        await _host.StopAsync();
        await using (var store = await OpenStoppedStoreAsync())
        {
            var good = await SnapshotAtAsync(store, store.HeadSeq);
            var other = (await store.ReadAllAsync(store.HeadSeq - 2, 1))[0];
            StateSnapshot.TryDecode(good.Body, out var decoded, out _);
            var body = (decoded! with { EventHash = other.Hash }).Encode();
            await store.StateSnapshots.SaveAsync(good with { EventHash = other.Hash, Body = body, BodyHash = StateSnapshot.HashOf(body) }, default);
        }
        await _host.RestartAsync();
        Snapshots.Start.SnapshotSeq.Should().BeNull("the log's event at its seq has another hash");

        await _host.StopAsync();
        await using (var store = await OpenStoppedStoreAsync())
        {
            var good = (await store.StateSnapshots.LatestAsync(default))!;
            await store.StateSnapshots.SaveAsync(good with { Format = StateSnapshot.FormatVersion + 1 }, default);
        }
        await _host.RestartAsync();
        Snapshots.Start.SnapshotSeq.Should().BeNull("a format this build does not know is never guessed at");
        await _host.StartCheckedAsync();
        _host.Services.GetRequiredService<TranscriptQuarantine>().IsDegraded.Should().BeFalse();
    }

    [Fact]
    public async Task A_sealed_snapshot_that_is_not_what_the_events_give_quarantines_its_session_once_checked_and_is_dropped()
    {
        var (a, b, negotiating, open) = await NegotiateAsync();
        var other = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        await _host.StopAsync();
        await using (var store = await OpenStoppedStoreAsync())
        {
            // Whoever holds the seal key (or a bug) wrote a state in which the open proposal was declined.
            var good = (await store.StateSnapshots.LatestAsync(default))!;
            StateSnapshot.TryDecode(good.Body, out var decoded, out _);
            var proposal = decoded!.State.Proposal(open.ProposalId)!;
            var body = (decoded with { State = decoded.State.With(proposal with { Status = ProposalStatus.Declined }) }).Encode();
            await store.StateSnapshots.SaveAsync(good with { Body = body, BodyHash = StateSnapshot.HashOf(body) }, default);
        }
        await _host.RestartAsync();
        Snapshots.Start.SnapshotSeq.Should().NotBeNull("it passes every check a start can make without reading the log");

        await _host.StartCheckedAsync();
        var found = _host.Services.GetRequiredService<TranscriptQuarantine>().Findings;
        found.Sessions.Keys.Should().Equal(negotiating);
        found.Sessions[negotiating].Check.Should().Be(StateSnapshots.SnapshotCheck);
        var refusal = (await b.Client.Invoking(c => c.SignProposalAsync(open.ProposalId, b.Authority)).Should().ThrowAsync<PactApiException>()).Which;
        refusal.Status.Should().Be(500);
        refusal.Code.Should().Be("PACT-401");
        refusal.Detail.Should().Contain(negotiating);
        (await a.Client.CheckpointAsync(other, "unaffected")).StreamSeq.Should().Be(2);
        (await _host.Services.GetRequiredService<IPactStore>().StateSnapshots.LatestAsync(default)).Should().BeNull("it is dropped");

        // The next start folds the whole log: nothing is quarantined, the proposal is open.
        await _host.RestartAsync();
        await _host.StartCheckedAsync();
        _host.Services.GetRequiredService<TranscriptQuarantine>().IsDegraded.Should().BeFalse();
        (await b.Client.SignProposalAsync(open.ProposalId, b.Authority)).Should().NotBeNull();
    }

    /// <summary>The stopped daemon's store, opened with its seal key as the daemon opens it.</summary>
    private async Task<SqlitePactStore> OpenStoppedStoreAsync() =>
        await SqlitePactStore.OpenAsync(new PactStoreOptions
        {
            DatabasePath = new DataDirectory(_host.DataDirectory).DatabasePath,
            SealKey = new DataDirectory(_host.DataDirectory).LoadOrCreateStoreSealKey(),
        });

    /// <summary>A stored snapshot of the fold of the events up to <paramref name="seq"/>, as the daemon writes one.</summary>
    private static async Task<StoredStateSnapshot> SnapshotAtAsync(IPactStore store, long seq)
    {
        var replay = await TranscriptReplay.RunAsync(store, null, seq, default);
        var snapshot = replay.ToSnapshot();
        var body = snapshot.Encode();
        return new StoredStateSnapshot(snapshot.ThroughSeq, snapshot.EventHash, StateSnapshot.FormatVersion, body, StateSnapshot.HashOf(body), "2026-11-21T12:00:00.000Z");
    }
}
