using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pact.Core.Json;
using Pact.Core.Time;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Daemon.Webhooks;

using Pact.Store;

namespace Pact.Daemon.Tests.Webhooks;

/// <summary>Deliveries to a real receiver on loopback, through a real daemon; time-driven cases run on a FakeTimeProvider.</summary>
public class WebhookDeliveryTests
{
    /// <summary>The store the daemons of these tests run on (Postgres/OnPostgres.cs runs them again on PostgreSQL).</summary>
    protected virtual DaemonStore Store => DaemonStore.Default;

    private static readonly Dictionary<string, string> NoJitter = new() { ["Pact:Webhooks:Jitter"] = "0" };

    private sealed class Setup : IAsyncDisposable
    {
        public required DaemonHost Host { get; init; }

        public required HttpClient Http { get; set; }

        public required WebhookReceiver Receiver { get; init; }

        public required FakeTimeProvider? Clock { get; init; }

        public required string DaemonId { get; init; }

        public static async Task<Setup> StartAsync(DaemonStore store, FakeTimeProvider? clock = null, Dictionary<string, string>? settings = null)
        {
            var host = await DaemonHost.StartAsync(clock, settings, store: store);
            var http = host.CreateHttpClient();
            return new Setup
            {
                Host = host,
                Http = http,
                Receiver = await WebhookReceiver.StartAsync(),
                Clock = clock,
                DaemonId = await TestAgent.DaemonIdOf(http),
            };
        }

        public async Task<TestAgent> AgentAsync(Pact.Core.Crypto.KeyPair? key = null)
        {
            var agent = new TestAgent(Http, DaemonId, key, Clock);
            var reply = await agent.RegisterAsync();
            reply.Status.Should().BeOneOf(HttpStatusCode.Created, HttpStatusCode.OK);
            return agent;
        }

        public async Task RestartAsync()
        {
            Http.Dispose();
            await Host.RestartAsync();
            Http = Host.CreateHttpClient();
        }

        /// <summary>Moves the clock to each next scheduled attempt until nothing is pending; returns the final deliveries.</summary>
        public async Task<List<JsonObject>> DriveAsync(string subscriptionId, int expected)
        {
            for (var round = 0; round < 50; round++)
            {
                var deliveries = await WebhookTestKit.SettleAsync(Http, subscriptionId, Clock!, expected);
                var next = deliveries.Where(d => d["status"]!.GetValue<string>() == "pending")
                    .Select(d => Timestamp.Parse(d["nextAttemptAt"]!.GetValue<string>())).DefaultIfEmpty().Min();
                if (next == default) return deliveries;
                // An attempt already due is left to the daemon's own timer; the clock never goes back.
                if (next > Clock!.GetUtcNow()) Clock.SetUtcNow(next);
            }
            throw new InvalidOperationException("The schedule did not finish in 50 rounds.");
        }

        public async ValueTask DisposeAsync()
        {
            await Receiver.DisposeAsync();
            Http.Dispose();
            await Host.DisposeAsync();
        }
    }

    private static async Task<List<JsonObject>> EventsAsync(TestAgent agent, string session) =>
        (await agent.GetAsync($"/v1/sessions/{session}/events")).Json!["events"]!.AsArray().Select(e => e!.AsObject()).ToList();

    [Fact]
    public async Task Deliveries_arrive_in_seq_order_signed_with_the_secret_and_carrying_the_event()
    {
        await using var setup = await Setup.StartAsync(Store);
        var a = await setup.AgentAsync();
        var b = await setup.AgentAsync();
        var before = await a.CreateSessionAsync(b); // before the subscription: not delivered
        var (subscriptionId, secret) = await WebhookTestKit.SubscribeAsync(a, setup.Receiver.Url);

        var session = await a.CreateSessionAsync(b);
        for (var i = 0; i < 6; i++)
            await WebhookTestKit.ActiveSessionEventAsync(i % 2 == 0 ? a : b, session, i % 2 == 0 ? "suspend" : "resume");
        await a.PostAsync($"/v1/sessions/{before}/suspend", "session.suspend", new JsonObject { ["sessionId"] = before });

        var events = await EventsAsync(a, session);
        var expected = events.Select(e => e["seq"]!.GetValue<long>()).Append(events[^1]["seq"]!.GetValue<long>() + 1).ToList();
        await setup.Receiver.WaitForAsync(expected.Count);
        var received = setup.Receiver.Received;
        received.Select(r => r.Id).Should().Equal(expected.Select(s => "evt_" + s), "first attempts go out in seq order");
        var key = WebhookSignature.KeyOf(secret);
        foreach (var request in received)
        {
            request.ContentType.Should().StartWith("application/json");
            var timestamp = long.Parse(request.Timestamp!, System.Globalization.CultureInfo.InvariantCulture);
            request.Signature.Should().Be(WebhookSignature.Sign(key, request.Id!, timestamp, request.Body));
            global::Pact.Client.WebhookVerifier.Verify(secret, request.Id, request.Timestamp, request.Signature, request.Body, DateTimeOffset.UtcNow)
                .Should().BeNull("the sample receiver's verification accepts what the daemon sends");
        }
        foreach (var (request, e) in received.Zip(events))
        {
            request.Json["type"]!.GetValue<string>().Should().Be(e["type"]!.GetValue<string>());
            request.Json["timestamp"]!.GetValue<string>().Should().Be(e["time"]!.GetValue<string>());
            Jcs.CanonicalString(request.Json["data"]).Should().Be(Jcs.CanonicalString(e));
        }
        received[^1].Json["data"]!["stream"]!.GetValue<string>().Should().Be(before, "later events of an earlier session are delivered");

        var deliveries = await WebhookTestKit.SettleAsync(setup.Http, subscriptionId, TimeProvider.System, expected.Count);
        deliveries.Should().OnlyContain(d => d["status"]!.GetValue<string>() == "succeeded" && d["attempt"]!.GetValue<long>() == 1 && d["httpStatus"]!.GetValue<long>() == 204);
        deliveries.Select(d => d["seq"]!.GetValue<long>()).Should().Equal(expected);
    }

    [Fact]
    public async Task Only_events_of_the_owners_sessions_that_match_the_filter_are_delivered()
    {
        await using var setup = await Setup.StartAsync(Store);
        var a = await setup.AgentAsync();
        var b = await setup.AgentAsync();
        var outsider = await setup.AgentAsync();
        var first = await a.CreateSessionAsync(b);
        var (all, _) = await WebhookTestKit.SubscribeAsync(outsider, setup.Receiver.Url);
        var (filtered, _) = await WebhookTestKit.SubscribeAsync(b, setup.Receiver.Url, new JsonObject
        {
            ["types"] = new JsonArray("session.resumed", "proposal.*"),
            ["sessions"] = new JsonArray(first),
        });
        var (prefixed, _) = await WebhookTestKit.SubscribeAsync(a, setup.Receiver.Url, new JsonObject { ["types"] = new JsonArray("session.*") });

        var second = await a.CreateSessionAsync(b);
        foreach (var session in new[] { first, second })
        {
            await WebhookTestKit.ActiveSessionEventAsync(a, session, "suspend");
            await WebhookTestKit.ActiveSessionEventAsync(a, session, "resume");
        }

        (await WebhookTestKit.DeliveriesAsync(setup.Http, all)).Should().BeEmpty("the outsider takes part in none of the sessions");
        var forB = await WebhookTestKit.DeliveriesAsync(setup.Http, filtered);
        forB.Select(d => (d["stream"]!.GetValue<string>(), d["type"]!.GetValue<string>())).Should().Equal(
            [(first, "session.resumed")], "only resumptions of the first session are wanted");
        var forA = await WebhookTestKit.DeliveriesAsync(setup.Http, prefixed);
        forA.Select(d => d["type"]!.GetValue<string>()).Should().Equal("session.created", "session.suspended", "session.resumed", "session.suspended", "session.resumed");
    }

    [Fact]
    public async Task A_receiver_that_fails_then_recovers_gets_every_event_and_each_retry_keeps_its_webhook_id()
    {
        var clock = new FakeTimeProvider(WebhookTestKit.Start);
        await using var setup = await Setup.StartAsync(Store, clock, NoJitter);
        setup.Receiver.Answer = (_, n) => new ReceiverAnswer(n < 5 ? 500 : 200);
        var a = await setup.AgentAsync();
        var b = await setup.AgentAsync();
        var (subscriptionId, secret) = await WebhookTestKit.SubscribeAsync(a, setup.Receiver.Url);
        var session = await a.CreateSessionAsync(b);
        await WebhookTestKit.ActiveSessionEventAsync(a, session, "suspend");
        await WebhookTestKit.ActiveSessionEventAsync(b, session, "resume");

        var deliveries = await setup.DriveAsync(subscriptionId, 3);

        deliveries.Should().OnlyContain(d => d["status"]!.GetValue<string>() == "succeeded");
        deliveries.Sum(d => d["attempt"]!.GetValue<long>()).Should().Be(8, "five failures and three successes");
        var received = setup.Receiver.Received;
        received.Should().HaveCount(8);
        received.Take(3).Select(r => r.Seq).Should().Equal([1L, 2L, 3L], "first attempts in seq order");
        received.Select(r => r.Seq).Distinct().Should().BeEquivalentTo([1L, 2L, 3L]);
        foreach (var request in received)
        {
            request.Id.Should().Be("evt_" + request.Seq, "the webhook-id is the same on every attempt");
            request.Signature.Should().Be(WebhookSignature.Sign(WebhookSignature.KeyOf(secret), request.Id!, long.Parse(request.Timestamp!, System.Globalization.CultureInfo.InvariantCulture), request.Body));
        }
        var start = WebhookTestKit.Start.ToUnixTimeSeconds();
        received.Select(r => long.Parse(r.Timestamp!, System.Globalization.CultureInfo.InvariantCulture) - start).Distinct().Order()
            .Should().Equal([0L, 5L, 305L], "attempts at 0 s, then 5 s, then 5 min later");
    }

    [Fact]
    public async Task A_restart_in_the_middle_of_the_schedule_keeps_it()
    {
        var clock = new FakeTimeProvider(WebhookTestKit.Start);
        await using var setup = await Setup.StartAsync(Store, clock, NoJitter);
        setup.Receiver.Answer = (_, n) => new ReceiverAnswer(n < 2 ? 503 : 200);
        var a = await setup.AgentAsync();
        var b = await setup.AgentAsync();
        var (subscriptionId, _) = await WebhookTestKit.SubscribeAsync(a, setup.Receiver.Url);
        await a.CreateSessionAsync(b);

        var afterFirst = await WebhookTestKit.SettleAsync(setup.Http, subscriptionId, clock, 1);
        afterFirst[0]["attempt"]!.GetValue<long>().Should().Be(1);
        clock.Advance(TimeSpan.FromSeconds(5));
        var afterSecond = await WebhookTestKit.SettleAsync(setup.Http, subscriptionId, clock, 1);
        afterSecond[0]["attempt"]!.GetValue<long>().Should().Be(2);
        var due = afterSecond[0]["nextAttemptAt"]!.GetValue<string>();
        Timestamp.Parse(due).Should().Be(WebhookTestKit.Start.AddSeconds(5).AddMinutes(5));

        await setup.RestartAsync();

        var restored = await WebhookTestKit.SettleAsync(setup.Http, subscriptionId, clock, 1);
        restored[0]["attempt"]!.GetValue<long>().Should().Be(2);
        restored[0]["status"]!.GetValue<string>().Should().Be("pending");
        restored[0]["httpStatus"]!.GetValue<long>().Should().Be(503);
        restored[0]["nextAttemptAt"]!.GetValue<string>().Should().Be(due);
        setup.Receiver.Received.Should().HaveCount(2, "nothing is sent before the attempt falls due");

        clock.SetUtcNow(Timestamp.Parse(due));
        await setup.Receiver.WaitForAsync(3);
        var done = await WebhookTestKit.SettleAsync(setup.Http, subscriptionId, clock, 1);
        done[0]["status"]!.GetValue<string>().Should().Be("succeeded");
        done[0]["attempt"]!.GetValue<long>().Should().Be(3);
        setup.Receiver.Received.Select(r => r.Id).Should().Equal("evt_1", "evt_1", "evt_1");
    }

    [Fact]
    public async Task Gone_disables_the_subscription_at_once()
    {
        await using var setup = await Setup.StartAsync(Store);
        setup.Receiver.Answer = (_, _) => new ReceiverAnswer(410);
        var a = await setup.AgentAsync();
        var b = await setup.AgentAsync();
        var (subscriptionId, _) = await WebhookTestKit.SubscribeAsync(a, setup.Receiver.Url);
        var session = await a.CreateSessionAsync(b);

        await WebhookTestKit.UntilAsync(async () =>
            (await WebhookTestKit.AdminGetAsync(setup.Http, $"/v1/subscriptions/{subscriptionId}")).Json!["status"]!.GetValue<string>() == "disabled", "the subscription to be disabled");
        var subscription = (await WebhookTestKit.AdminGetAsync(setup.Http, $"/v1/subscriptions/{subscriptionId}")).Json!;
        subscription["disabledReason"]!.GetValue<string>().Should().Be("gone");
        var deliveries = await WebhookTestKit.DeliveriesAsync(setup.Http, subscriptionId);
        deliveries.Should().ContainSingle();
        deliveries[0]["status"]!.GetValue<string>().Should().Be("failed");
        deliveries[0]["httpStatus"]!.GetValue<long>().Should().Be(410);
        deliveries[0]["nextAttemptAt"].Should().BeNull();

        await WebhookTestKit.ActiveSessionEventAsync(a, session, "suspend");
        (await WebhookTestKit.DeliveriesAsync(setup.Http, subscriptionId)).Should().HaveCount(1, "a disabled subscription queues nothing more");
        setup.Receiver.Received.Should().HaveCount(1);
    }

    [Fact]
    public async Task A_backlog_longer_than_a_page_goes_out_in_seq_order_once_each()
    {
        await using var setup = await Setup.StartAsync(Store);
        using var gate = new ManualResetEventSlim(false);
        // The first delivery waits until the backlog is queued, so the rest go out as full pages.
        setup.Receiver.Answer = (_, before) =>
        {
            if (before == 0) gate.Wait(TimeSpan.FromSeconds(10));
            return new ReceiverAnswer(204);
        };
        var a = await setup.AgentAsync();
        var b = await setup.AgentAsync();
        await WebhookTestKit.SubscribeAsync(a, setup.Receiver.Url);
        var session = await a.CreateSessionAsync(b);
        for (var i = 0; i < 79; i++) await WebhookTestKit.ActiveSessionEventAsync(a, session, i % 2 == 0 ? "suspend" : "resume");
        gate.Set();

        var events = await EventsAsync(a, session);
        events.Should().HaveCount(80);
        await setup.Receiver.WaitForAsync(80);
        await Task.Delay(200); // a duplicate would arrive right behind
        setup.Receiver.Received.Select(r => r.Id).Should().Equal(events.Select(e => "evt_" + e["seq"]!.GetValue<long>()),
            "first attempts go out in seq order, across pages, each once");
    }

    [Fact]
    public async Task A_delivery_with_no_attempt_left_ends_its_page_so_nothing_goes_out_after_the_subscription_is_disabled()
    {
        await using var setup = await Setup.StartAsync(Store, settings: new Dictionary<string, string>
        {
            ["Pact:Webhooks:RetrySchedule"] = "PT0S",
            ["Pact:Webhooks:DisableAfterFailedDeliveries"] = "3",
        });
        using var gate = new ManualResetEventSlim(false);
        setup.Receiver.Answer = (_, before) =>
        {
            if (before > 0) return new ReceiverAnswer(500);
            gate.Wait(TimeSpan.FromSeconds(10)); // the next five are queued meanwhile and read as one page
            return new ReceiverAnswer(204);
        };
        var a = await setup.AgentAsync();
        var b = await setup.AgentAsync();
        var (subscriptionId, _) = await WebhookTestKit.SubscribeAsync(a, setup.Receiver.Url);
        var session = await a.CreateSessionAsync(b);
        for (var i = 0; i < 5; i++) await WebhookTestKit.ActiveSessionEventAsync(a, session, i % 2 == 0 ? "suspend" : "resume");
        gate.Set();

        await WebhookTestKit.UntilAsync(async () =>
            (await WebhookTestKit.AdminGetAsync(setup.Http, $"/v1/subscriptions/{subscriptionId}")).Json!["status"]!.GetValue<string>() == "disabled", "the subscription to be disabled");
        await Task.Delay(200); // a delivery sent past the disabling one would arrive right behind
        var subscription = (await WebhookTestKit.AdminGetAsync(setup.Http, $"/v1/subscriptions/{subscriptionId}")).Json!;
        subscription["disabledReason"]!.GetValue<string>().Should().Be("failing");
        setup.Receiver.Received.Should().HaveCount(4, "one success, then three failed deliveries disable the subscription");
        var deliveries = await WebhookTestKit.DeliveriesAsync(setup.Http, subscriptionId);
        deliveries.Select(d => (d["status"]!.GetValue<string>(), d["attempt"]!.GetValue<long>())).Should().Equal(
            ("succeeded", 1), ("failed", 1), ("failed", 1), ("failed", 1), ("pending", 0), ("pending", 0));
    }

    [Fact]
    public async Task Ten_failed_deliveries_in_a_row_disable_the_subscription_after_ten_attempts_each()
    {
        var clock = new FakeTimeProvider(WebhookTestKit.Start);
        await using var setup = await Setup.StartAsync(Store, clock, NoJitter);
        setup.Receiver.Answer = (_, _) => new ReceiverAnswer(500);
        var a = await setup.AgentAsync();
        var b = await setup.AgentAsync();
        var (subscriptionId, _) = await WebhookTestKit.SubscribeAsync(a, setup.Receiver.Url);
        var session = await a.CreateSessionAsync(b);
        for (var i = 0; i < 9; i++) await WebhookTestKit.ActiveSessionEventAsync(a, session, i % 2 == 0 ? "suspend" : "resume");

        var deliveries = await setup.DriveAsync(subscriptionId, 10);

        deliveries.Should().HaveCount(10);
        deliveries.Should().OnlyContain(d => d["status"]!.GetValue<string>() == "failed" && d["attempt"]!.GetValue<long>() == 10 && d["nextAttemptAt"] == null);
        var subscription = (await WebhookTestKit.AdminGetAsync(setup.Http, $"/v1/subscriptions/{subscriptionId}")).Json!;
        subscription["status"]!.GetValue<string>().Should().Be("disabled");
        subscription["disabledReason"]!.GetValue<string>().Should().Be("failing");
        subscription["consecutiveFailures"]!.GetValue<long>().Should().Be(10);
        var start = WebhookTestKit.Start.ToUnixTimeSeconds();
        var attemptsOfFirst = setup.Receiver.Received.Where(r => r.Seq == 1)
            .Select(r => long.Parse(r.Timestamp!, System.Globalization.CultureInfo.InvariantCulture) - start).ToList();
        attemptsOfFirst.Should().Equal(0, 5, 305, 2105, 9305, 27305, 63305, 113705, 185705, 272105);
        setup.Receiver.Received.Should().HaveCount(100);
    }

    [Fact]
    public async Task Retry_after_on_429_is_honoured_and_a_redirect_counts_as_a_failure()
    {
        var clock = new FakeTimeProvider(WebhookTestKit.Start);
        await using var setup = await Setup.StartAsync(Store, clock, NoJitter);
        setup.Receiver.Answer = (_, n) => n switch
        {
            0 => new ReceiverAnswer(429, "120"),
            1 => new ReceiverAnswer(302),
            _ => new ReceiverAnswer(200),
        };
        var a = await setup.AgentAsync();
        var b = await setup.AgentAsync();
        var (subscriptionId, _) = await WebhookTestKit.SubscribeAsync(a, setup.Receiver.Url);
        await a.CreateSessionAsync(b);

        var limited = await WebhookTestKit.SettleAsync(setup.Http, subscriptionId, clock, 1);
        limited[0]["httpStatus"]!.GetValue<long>().Should().Be(429);
        Timestamp.Parse(limited[0]["nextAttemptAt"]!.GetValue<string>()).Should().Be(WebhookTestKit.Start.AddSeconds(120), "Retry-After beats the 5 s of the schedule");
        clock.Advance(TimeSpan.FromSeconds(119));
        (await WebhookTestKit.SettleAsync(setup.Http, subscriptionId, clock, 1))[0]["attempt"]!.GetValue<long>().Should().Be(1);
        clock.Advance(TimeSpan.FromSeconds(1));
        var redirected = await WebhookTestKit.SettleAsync(setup.Http, subscriptionId, clock, 1);
        redirected[0]["attempt"]!.GetValue<long>().Should().Be(2);
        redirected[0]["httpStatus"]!.GetValue<long>().Should().Be(302);
        redirected[0]["status"]!.GetValue<string>().Should().Be("pending");

        var done = await setup.DriveAsync(subscriptionId, 1);
        done[0]["status"]!.GetValue<string>().Should().Be("succeeded");
        setup.Receiver.Received.Should().HaveCount(3);
    }

    [Fact]
    public async Task An_attempt_without_an_answer_in_15_seconds_fails()
    {
        var clock = new FakeTimeProvider(WebhookTestKit.Start);
        await using var setup = await Setup.StartAsync(Store, clock, NoJitter);
        var hang = new TaskCompletionSource<ReceiverAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        setup.Receiver.Answer = (_, n) => n == 0 ? hang.Task.GetAwaiter().GetResult() : new ReceiverAnswer(200);
        var a = await setup.AgentAsync();
        var b = await setup.AgentAsync();
        var (subscriptionId, _) = await WebhookTestKit.SubscribeAsync(a, setup.Receiver.Url);
        await a.CreateSessionAsync(b);
        await setup.Receiver.WaitForAsync(1);

        clock.Advance(TimeSpan.FromSeconds(14));
        (await WebhookTestKit.DeliveriesAsync(setup.Http, subscriptionId))[0]["attempt"]!.GetValue<long>().Should().Be(0);
        clock.Advance(TimeSpan.FromSeconds(1));
        var timedOut = await WebhookTestKit.SettleAsync(setup.Http, subscriptionId, clock, 1);
        hang.SetResult(new ReceiverAnswer(200));

        timedOut[0]["attempt"]!.GetValue<long>().Should().Be(1);
        timedOut[0]["httpStatus"].Should().BeNull();
        timedOut[0]["error"]!.GetValue<string>().Should().Contain("15 s");
    }

    [Fact]
    public async Task A_manual_retry_attempts_a_failed_delivery_now()
    {
        await using var setup = await Setup.StartAsync(Store, settings: new Dictionary<string, string> { ["Pact:Webhooks:RetrySchedule"] = "PT0S" });
        setup.Receiver.Answer = (_, n) => new ReceiverAnswer(n == 0 ? 500 : 200);
        var a = await setup.AgentAsync();
        var b = await setup.AgentAsync();
        var (subscriptionId, _) = await WebhookTestKit.SubscribeAsync(a, setup.Receiver.Url);
        await a.CreateSessionAsync(b);
        await WebhookTestKit.UntilAsync(async () => (await WebhookTestKit.DeliveriesAsync(setup.Http, subscriptionId))[0]["status"]!.GetValue<string>() == "failed", "the only attempt to fail");
        var delivery = (await WebhookTestKit.DeliveriesAsync(setup.Http, subscriptionId))[0];
        var deliveryId = delivery["deliveryId"]!.GetValue<string>();

        var retry = await WebhookTestKit.SendAsync(setup.Http, HttpMethod.Post, $"/v1/subscriptions/{subscriptionId}/deliveries/{deliveryId}/retry", await a.TokenAsync());

        retry.Status.Should().Be(HttpStatusCode.Accepted, retry.Text);
        retry.Json!["deliveryId"]!.GetValue<string>().Should().Be(deliveryId);
        await WebhookTestKit.UntilAsync(async () => (await WebhookTestKit.DeliveriesAsync(setup.Http, subscriptionId))[0]["status"]!.GetValue<string>() == "succeeded", "the retry to succeed");
        var after = (await WebhookTestKit.DeliveriesAsync(setup.Http, subscriptionId))[0];
        after["attempt"]!.GetValue<long>().Should().Be(2);
        after["httpStatus"]!.GetValue<long>().Should().Be(200);
        setup.Receiver.Received.Select(r => r.Id).Should().Equal("evt_1", "evt_1");
        var unknown = await WebhookTestKit.SendAsync(setup.Http, HttpMethod.Post, $"/v1/subscriptions/{subscriptionId}/deliveries/dlv_01JD0000000000000000000000/retry", await a.TokenAsync());
        unknown.Code.Should().Be("PACT-404");
    }

    [Fact]
    public async Task A_lost_sealing_key_fails_attempts_on_schedule_without_sending_anything()
    {
        var clock = new FakeTimeProvider(WebhookTestKit.Start);
        await using var setup = await Setup.StartAsync(Store, clock, NoJitter);
        var a = await setup.AgentAsync();
        var b = await setup.AgentAsync();
        var (subscriptionId, _) = await WebhookTestKit.SubscribeAsync(a, setup.Receiver.Url);
        await setup.Host.StopAsync();
        File.Delete(Path.Combine(setup.Host.DataDirectory, "webhook.key"));
        await setup.RestartAsync();

        var again = await setup.AgentAsync(a.Key);
        await again.CreateSessionAsync(new TestAgent(setup.Http, setup.DaemonId, b.Key, clock));

        var deliveries = await WebhookTestKit.SettleAsync(setup.Http, subscriptionId, clock, 1);
        deliveries[0]["attempt"]!.GetValue<long>().Should().Be(1);
        deliveries[0]["status"]!.GetValue<string>().Should().Be("pending");
        deliveries[0]["error"]!.GetValue<string>().Should().StartWith("cannot be prepared");
        Timestamp.Parse(deliveries[0]["nextAttemptAt"]!.GetValue<string>()).Should().Be(WebhookTestKit.Start.AddSeconds(5));
        setup.Receiver.Received.Should().BeEmpty();
    }

    [Fact]
    public async Task Deleting_a_subscription_stops_queuing_for_it()
    {
        await using var setup = await Setup.StartAsync(Store);
        var a = await setup.AgentAsync();
        var b = await setup.AgentAsync();
        var (subscriptionId, _) = await WebhookTestKit.SubscribeAsync(a, setup.Receiver.Url);
        var session = await a.CreateSessionAsync(b);
        await setup.Receiver.WaitForAsync(1);

        (await WebhookTestKit.SendAsync(setup.Http, HttpMethod.Delete, $"/v1/subscriptions/{subscriptionId}", await a.TokenAsync())).Status.Should().Be(HttpStatusCode.NoContent);
        await WebhookTestKit.ActiveSessionEventAsync(a, session, "suspend");

        var outbox = setup.Host.Services.GetRequiredService<IWebhookOutbox>();
        (await outbox.ListDeliveriesAsync(subscriptionId, 0, null, 100, CancellationToken.None)).Should().BeEmpty();
        outbox.ActiveSubscriptions.Should().NotContainKey(subscriptionId);
        setup.Receiver.Received.Should().HaveCount(1);
    }
}
