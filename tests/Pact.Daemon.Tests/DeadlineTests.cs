using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests;

public class DeadlineTests
{
    /// <summary>The store the daemons of these tests run on (Postgres/OnPostgres.cs runs them again on PostgreSQL).</summary>
    protected virtual DaemonStore Store => DaemonStore.Default;

    private static readonly DateTimeOffset Start = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_proposal_expires_at_its_negotiation_timeout_with_a_failure_event_that_records_its_prevHash()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = await DaemonHost.StartAsync(clock, store: Store);
        var a = await Negotiator.RegisterAsync(host, "A", clock: clock);
        var b = await Negotiator.RegisterAsync(host, "B", "human", clock);
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var proposal = await a.Client.ProposeAsync(session, await a.DraftAsync(b), a.Authority);
        proposal.ExpiresAt.Should().NotBeNull();

        clock.Advance(TimeSpan.FromDays(14));
        var events = await WaitForAsync(a, session, e => e.Any(x => x.Type == "failure"));
        var expired = events.Single(e => e.Type == "proposal.expired");
        expired.Data["dueAt"]!.GetValue<string>().Should().Be(Pact.Core.Time.Timestamp.ToText(Start.AddDays(14)));
        var failure = events.Single(e => e.Type == "failure");
        failure.Data["code"]!.GetValue<string>().Should().Be("PACT-501");
        failure.Data["agent"]!.GetValue<string>().Should().Be(b.Did, "the party that had to answer (§16)");
        failure.Data["transcriptHash"]!.GetValue<string>().Should().Be(failure.PrevHash);
        failure.RecomputeHash().Should().Be(failure.Hash);
        (await a.Client.GetProposalAsync(proposal.ProposalId)).Status.Should().Be("expired");
    }

    [Fact]
    public async Task The_timer_is_woken_by_a_commit_that_changes_the_earliest_deadline_and_not_by_one_that_leaves_it()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = await DaemonHost.StartAsync(clock, store: Store);
        var engine = host.Services.GetRequiredService<Pact.Daemon.Application.DecisionEngine>();
        var wakes = 0;
        engine.StateChanged += () => Interlocked.Increment(ref wakes);
        var a = await Negotiator.RegisterAsync(host, "A", clock: clock);
        var b = await Negotiator.RegisterAsync(host, "B", "human", clock);
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        async Task SuspendAndResumeAsync()
        {
            await a.Client.SuspendSessionAsync(session);
            await a.Client.ResumeSessionAsync(session);
        }
        async Task<Pact.Core.Contracts.Responses.ProposalCreated> ProposeExpiringInAsync(string negotiationTimeout)
        {
            var terms = await a.DraftAsync(b);
            terms["negotiationTimeout"] = negotiationTimeout;
            return await a.Client.ProposeAsync(session, terms, a.Authority);
        }
        await SuspendAndResumeAsync();
        Volatile.Read(ref wakes).Should().Be(0, "creating, suspending and resuming a session plan no deadline");

        // Both expiries are under the timer's longest sleep (6 h), so only a wake-up can make it fire the sooner one on time.
        var first = await ProposeExpiringInAsync("PT5H");
        Volatile.Read(ref wakes).Should().Be(1, "the first proposal's expiry is the new earliest deadline");
        await SuspendAndResumeAsync();
        Volatile.Read(ref wakes).Should().Be(1, "a suspension and a resumption leave that expiry the earliest deadline");

        var second = await ProposeExpiringInAsync("PT1H");
        Volatile.Read(ref wakes).Should().Be(2, "an expiry sooner than the one the timer sleeps towards is the new earliest deadline");

        clock.Advance(TimeSpan.FromHours(1));
        await WaitForAsync(a, session, e => e.Any(x => x.Type == "proposal.expired"));
        (await a.Client.GetProposalAsync(second.ProposalId)).Status.Should().Be("expired");
        (await a.Client.GetProposalAsync(first.ProposalId)).Status.Should().Be("open");
    }

    [Fact]
    public async Task A_deadline_reached_while_the_daemon_was_down_fires_on_start()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = await DaemonHost.StartAsync(clock, store: Store);
        var a = await Negotiator.RegisterAsync(host, "A", clock: clock);
        var b = await Negotiator.RegisterAsync(host, "B", "human", clock);
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var proposal = await a.Client.ProposeAsync(session, await a.DraftAsync(b), a.Authority);

        await host.StopAsync();
        clock.Advance(TimeSpan.FromDays(15));
        await host.RestartAsync();
        var after = await Negotiator.RegisterAsync(host, "C", clock: clock);
        _ = after;
        await WaitForAsync(a, session, e => e.Any(x => x.Type == "proposal.expired"));
        (await a.Client.GetProposalAsync(proposal.ProposalId)).Status.Should().Be("expired");
    }

    [Fact]
    public async Task A_request_after_the_deadline_is_judged_as_if_the_timer_had_fired()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = await DaemonHost.StartAsync(clock, store: Store);
        var a = await Negotiator.RegisterAsync(host, "A", clock: clock);
        var b = await Negotiator.RegisterAsync(host, "B", "human", clock);
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var proposal = await a.Client.ProposeAsync(session, await a.DraftAsync(b), a.Authority);
        clock.Advance(TimeSpan.FromDays(14));
        var sign = () => b.Client.SignProposalAsync(proposal.ProposalId, b.Authority);
        (await sign.Should().ThrowAsync<Pact.Client.PactApiException>()).Which.Code.Should().Be("PACT-301");
    }

    [Fact]
    public async Task An_acknowledgment_arriving_at_the_ack_deadline_loses_to_the_escalation()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = await DaemonHost.StartAsync(clock, store: Store);
        var a = await Negotiator.RegisterAsync(host, "A", clock: clock);
        var b = await Negotiator.RegisterAsync(host, "B", "human", clock);
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var terms = await a.DraftAsync(b, from: Start.AddDays(-1));
        var compactId = terms["compactId"]!.GetValue<string>();
        await a.NegotiateAsync(b, session, terms);
        var revocation = await a.Client.RevokeAsync(compactId, 1);

        // The standard tier's ackTimeout is P7D: at that very instant the deadline is reached (time >= D).
        clock.Advance(TimeSpan.FromDays(7));
        var ack = () => b.Client.AcknowledgeRevocationAsync(compactId, revocation.RevocationId, revocation.InitiationHash);
        (await ack.Should().ThrowAsync<Pact.Client.PactApiException>()).Which.Code.Should().Be("PACT-304");
        var events = await WaitForAsync(a, session, e => e.Any(x => x.Type == "compact.revocation.escalated"));
        var failure = events.Last(e => e.Type == "failure");
        failure.Data["code"]!.GetValue<string>().Should().Be("PACT-502");
        failure.Data["agent"]!.GetValue<string>().Should().Be(b.Did, "the party that had to acknowledge (§16)");
        var state = await a.Client.GetRevocationAsync(compactId, revocation.RevocationId);
        state.Status.Should().Be("escalated");
    }

    private static async Task<IReadOnlyList<Pact.Core.Events.TranscriptEvent>> WaitForAsync(Negotiator reader, string session,
        Func<IReadOnlyList<Pact.Core.Events.TranscriptEvent>, bool> condition)
    {
        // The timer fires on the daemon's own task; poll the transcript, bounded.
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var events = (await reader.Client.GetEventsAsync(session, limit: 1000)).Events;
            if (condition(events)) return events;
            await Task.Delay(50);
        }
        throw new TimeoutException("The expected events did not appear.");
    }
}
