using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pact.Daemon.Instances;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Tests.Shared;

namespace Pact.Daemon.Tests.Postgres;

/// <summary>Two daemons on one PostgreSQL database and one data directory (ADR 0013): one writer, one standby.</summary>
public sealed class MultiInstanceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [PostgresFact]
    public async Task A_write_sent_to_the_standby_is_forwarded_and_an_event_appended_through_one_appears_on_the_others_SSE_stream()
    {
        await using var pair = await Pair.StartAsync();
        pair.Writer.Services.GetRequiredService<InstanceRole>().IsWriter.Should().BeTrue();
        pair.Standby.Services.GetRequiredService<InstanceRole>().IsWriter.Should().BeFalse();
        // Registered, a session created and a proposal made through the standby: each forwarded and acknowledged.
        var a = await Negotiator.RegisterAsync(pair.Standby, "A");
        var b = await Negotiator.RegisterAsync(pair.Writer, "B", "human");
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var first = await a.Client.ProposeAsync(session, await a.DraftAsync(b), a.Authority);

        using var onStandby = await SseReader.OpenAsync(pair.Standby, $"/v1/sessions/{session}/events/stream", (await b.Client.GetTokenAsync()).Token);
        using var onWriter = await SseReader.OpenAsync(pair.Writer, $"/v1/sessions/{session}/events/stream", (await a.Client.GetTokenAsync()).Token);
        (await onStandby.NextEventAsync(Patience)).Type.Should().Be("session.created");
        (await onStandby.NextEventAsync(Patience)).Type.Should().Be("proposal.created");
        (await onWriter.NextEventAsync(Patience)).Type.Should().Be("session.created");
        (await onWriter.NextEventAsync(Patience)).Type.Should().Be("proposal.created");

        // Appended through the writer, seen live on the standby; appended through the standby, seen live on the writer.
        await b.Client.SignProposalAsync(first.ProposalId, b.Authority);
        (await onStandby.NextEventAsync(Patience)).Type.Should().Be("proposal.signed");
        (await onWriter.NextEventAsync(Patience)).Type.Should().Be("proposal.signed");
        await a.Client.ProposeAsync(session, await a.DraftAsync(b), a.Authority);
        (await onWriter.NextEventAsync(Patience)).Type.Should().Be("compact.in-force");
        (await onWriter.NextEventAsync(Patience)).Type.Should().Be("proposal.created");
        (await onStandby.NextEventAsync(Patience)).Type.Should().Be("compact.in-force");
        (await onStandby.NextEventAsync(Patience)).Type.Should().Be("proposal.created");

        // The standby's decision state followed: it serves the session's state as the writer does.
        using (var http = pair.Standby.CreateHttpClient())
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", (await a.Client.GetTokenAsync()).Token);
            var report = await http.GetStringAsync(new Uri($"/v1/sessions/{session}/verify", UriKind.Relative));
            JsonNode.Parse(report)!["ok"]!.GetValue<bool>().Should().BeTrue(report);
        }
        pair.Standby.Services.GetRequiredService<Pact.Daemon.Application.DecisionEngine>().State.Proposals.Count
            .Should().Be(pair.Writer.Services.GetRequiredService<Pact.Daemon.Application.DecisionEngine>().State.Proposals.Count);
    }

    [PostgresFact]
    public async Task A_deadline_fires_once_and_the_standby_learns_of_it()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
        await using var pair = await Pair.StartAsync(clock);
        var a = await Negotiator.RegisterAsync(pair.Standby, "A", clock: clock);
        var b = await Negotiator.RegisterAsync(pair.Standby, "B", "human", clock);
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var proposal = await a.Client.ProposeAsync(session, await a.DraftAsync(b), a.Authority);

        clock.Advance(TimeSpan.FromDays(15));
        var standbyEngine = pair.Standby.Services.GetRequiredService<Pact.Daemon.Application.DecisionEngine>();
        for (var i = 1; i <= 200 && standbyEngine.State.Proposals.GetValueOrDefault(proposal.ProposalId)?.Status != Pact.Core.Negotiation.ProposalStatus.Expired; i++)
        {
            await Task.Delay(100);
            // A timer planned from the clock read just before the jump waits its whole delay after it: move on again.
            if (i % 20 == 0) clock.Advance(TimeSpan.FromDays(15));
        }
        var recorded = (await a.Client.GetEventsAsync(session, limit: 1000)).Events.Select(e => e.Type).ToList();
        recorded.Should().Contain("proposal.expired");
        standbyEngine.State.Proposals[proposal.ProposalId].Status.Should().Be(Pact.Core.Negotiation.ProposalStatus.Expired, string.Join(", ", recorded));
        // Another tick of the clock on both instances: still one expiry, one failure.
        clock.Advance(TimeSpan.FromSeconds(1));
        await Task.Delay(1500);
        var events = (await a.Client.GetEventsAsync(session, limit: 1000)).Events;
        events.Count(e => e.Type == "proposal.expired").Should().Be(1);
        events.Count(e => e.Type == "failure").Should().Be(1);
    }

    [PostgresFact]
    public async Task A_webhook_is_delivered_once_whichever_instance_took_the_writes()
    {
        await using var pair = await Pair.StartAsync();
        await using var receiver = await Webhooks.WebhookReceiver.StartAsync();
        using var standbyHttp = pair.Standby.CreateHttpClient();
        using var writerHttp = pair.Writer.CreateHttpClient();
        var daemonId = await TestAgent.DaemonIdOf(writerHttp);
        var a = new TestAgent(standbyHttp, daemonId);
        var b = new TestAgent(writerHttp, daemonId);
        (await a.RegisterAsync()).Status.Should().Be(HttpStatusCode.Created);
        (await b.RegisterAsync()).Status.Should().Be(HttpStatusCode.Created);
        await Webhooks.WebhookTestKit.SubscribeAsync(a, receiver.Url);

        var session = await a.CreateSessionAsync(b);
        for (var i = 0; i < 6; i++)
            await Webhooks.WebhookTestKit.ActiveSessionEventAsync(i % 2 == 0 ? a : b, session, i % 2 == 0 ? "suspend" : "resume");

        await receiver.WaitForAsync(7);
        // Time for a second dispatcher, were one running, to send its copies.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var received = receiver.Received;
        received.Select(r => r.Seq).Should().Equal(Enumerable.Range(1, 7).Select(i => (long)i), "each event once, in seq order");
    }

    [PostgresFact]
    public async Task When_the_writer_stops_the_standby_takes_over_and_takes_writes_itself()
    {
        await using var pair = await Pair.StartAsync();
        var a = await Negotiator.RegisterAsync(pair.Standby, "A");
        var b = await Negotiator.RegisterAsync(pair.Standby, "B", "human");
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var proposal = await a.Client.ProposeAsync(session, await a.DraftAsync(b), a.Authority);

        await pair.Writer.StopAsync();
        var role = pair.Standby.Services.GetRequiredService<InstanceRole>();
        await role.WhenWriter.WaitAsync(TimeSpan.FromSeconds(10));

        var record = await b.Client.SignProposalAsync(proposal.ProposalId, b.Authority);
        record.Should().NotBeNull();
        var events = (await a.Client.GetEventsAsync(session, limit: 1000)).Events;
        events.Select(e => e.Type).Should().Equal("session.created", "proposal.created", "proposal.signed", "compact.in-force");
        (await a.Client.VerifyAsync(session)).Ok.Should().BeTrue();
    }

    [PostgresFact]
    public async Task A_standby_with_no_writer_to_reach_answers_503_PACT_503()
    {
        await using var pair = await Pair.StartAsync();
        // The writer's advertised address now points where nothing listens.
        await ((Pact.Store.ISharedStore)pair.Writer.Services.GetRequiredService<Pact.Store.IPactStore>())
            .AdvertiseAsync(ChildProgram.ClosedLoopbackUrl().ToString().TrimEnd('/'), DateTimeOffset.UtcNow);
        using var http = pair.Standby.CreateHttpClient();
        using var response = await http.PostAsync(new Uri("/v1/sessions", UriKind.Relative), new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        problem["code"]!.GetValue<string>().Should().Be("PACT-503");
        response.Headers.RetryAfter.Should().NotBeNull();
    }

    /// <summary>A writer and a standby sharing one database and one data directory (so one daemon key and token secret).</summary>
    private sealed class Pair : IAsyncDisposable
    {
        private Pair(DaemonHost writer, DaemonHost standby)
        {
            Writer = writer;
            Standby = standby;
        }

        public DaemonHost Writer { get; }

        public DaemonHost Standby { get; }

        public static async Task<Pair> StartAsync(TimeProvider? clock = null)
        {
            var settings = new Dictionary<string, string>
            {
                ["Pact:Store:Provider"] = "postgres",
                ["Pact:Store:ConnectionString"] = await PostgresServer.CreateDatabaseAsync(),
            };
            var writer = await DaemonHost.StartAsync(clock, settings);
            var standby = await DaemonHost.StartAsync(clock, settings, dataDirectory: writer.DataDirectory);
            // The writer advertises its address once it listens.
            for (var i = 0; i < 100 && await AdvertisedAsync(standby) is null; i++) await Task.Delay(100);
            return new Pair(writer, standby);
        }

        private static Task<string?> AdvertisedAsync(DaemonHost host) =>
            host.Services.GetRequiredService<InstanceRole>().WriterUrlAsync(CancellationToken.None);

        public async ValueTask DisposeAsync()
        {
            await Standby.StopAsync();
            await Writer.DisposeAsync();
        }
    }
}
