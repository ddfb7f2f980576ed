using System.Text;
using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Core.Crypto;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Samples.TriggerRunner;
using Pact.Samples.WebhookReceiver;

namespace Pact.Daemon.Tests.Webhooks;

public class SampleTests
{
    private static JsonNode Vector(int index) => WebhookTestKit.PactVectors["webhook"]![index]!;

    private static (string Secret, string Id, string Timestamp, string Signature, byte[] Body, DateTimeOffset At) Parts(int index)
    {
        var v = Vector(index);
        var timestamp = v["timestamp"]!.GetValue<long>();
        return (v["secret"]!.GetValue<string>(), v["id"]!.GetValue<string>(), timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            v["signature"]!.GetValue<string>(), Encoding.UTF8.GetBytes(v["body"]!.GetValue<string>()), DateTimeOffset.FromUnixTimeSeconds(timestamp));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void The_receiver_verifies_the_standard_webhooks_vectors(int index)
    {
        var (secret, id, timestamp, signature, body, at) = Parts(index);

        WebhookVerifier.Verify(secret, id, timestamp, signature, body, at).Should().BeNull();
        WebhookVerifier.Verify(secret, id, timestamp, "v1,bm9wZQ== " + signature, body, at).Should().BeNull("any one listed signature may match");
    }

    [Fact]
    public void The_receiver_refuses_altered_bodies_wrong_secrets_other_ids_and_stale_timestamps()
    {
        var (secret, id, timestamp, signature, body, at) = Parts(0);
        var altered = Encoding.UTF8.GetBytes("{\"test\": 2432232315}");

        WebhookVerifier.Verify(secret, id, timestamp, signature, altered, at).Should().Be("no signature matches");
        WebhookVerifier.Verify("whsec_" + Convert.ToBase64String(new byte[24]), id, timestamp, signature, body, at).Should().Be("no signature matches");
        WebhookVerifier.Verify(secret, id + "x", timestamp, signature, body, at).Should().Be("no signature matches");
        WebhookVerifier.Verify(secret, id, timestamp, signature, body, at.AddMinutes(6)).Should().Contain("too far");
        WebhookVerifier.Verify(secret, id, timestamp, signature, body, at.AddMinutes(-6)).Should().Contain("too far");
        WebhookVerifier.Verify(secret, id, timestamp, signature, body, at.AddMinutes(4)).Should().BeNull();
        WebhookVerifier.Verify(secret, id, "soon", signature, body, at).Should().Contain("not a number");
        WebhookVerifier.Verify(secret, null, timestamp, signature, body, at).Should().Contain("missing");
    }

    [Fact]
    public void The_receiver_handles_each_webhook_id_once_and_only_after_verifying_it()
    {
        var (secret, _, _, _, _, _) = Parts(1);
        var v = Vector(1);
        var body = Encoding.UTF8.GetBytes(v["body"]!.GetValue<string>());
        var at = DateTimeOffset.FromUnixTimeSeconds(v["timestamp"]!.GetValue<long>());
        var handler = new WebhookHandler(secret, new FakeTimeProvider(at));
        var timestamp = v["timestamp"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var forged = handler.Handle("evt_4", timestamp, "v1,AAAA", body);
        var first = handler.Handle("evt_4", timestamp, v["signature"]!.GetValue<string>(), body);
        var again = handler.Handle("evt_4", timestamp, v["signature"]!.GetValue<string>(), body);

        forged.Status.Should().Be(401);
        first.Status.Should().Be(204, "a forged request must not mark the id as seen");
        first.Event!["type"]!.GetValue<string>().Should().Be("compact.in-force");
        first.Event["seq"]!.GetValue<long>().Should().Be(4);
        again.Status.Should().Be(200);
        again.Event.Should().BeNull();
    }

    [Fact]
    public void The_deduplicator_forgets_the_oldest_ids_beyond_its_capacity()
    {
        var seen = new DeliveryDeduplicator(capacity: 2);
        seen.FirstTime("evt_1").Should().BeTrue();
        seen.FirstTime("evt_2").Should().BeTrue();
        seen.FirstTime("evt_1").Should().BeFalse();
        seen.FirstTime("evt_3").Should().BeTrue();
        seen.FirstTime("evt_1").Should().BeTrue("evt_1 was the oldest and was forgotten");
        seen.FirstTime("evt_3").Should().BeFalse();
    }

    [Fact]
    public void A_trigger_rule_matches_exact_types_prefixes_and_sessions()
    {
        var rule = new TriggerRule(["compact.*", "session.created"], new HashSet<string> { "ses_A" }, "/bin/echo", []);
        JsonObject Event(string type, string stream) => new() { ["type"] = type, ["stream"] = stream };

        rule.Matches(Event("compact.in-force", "ses_A")).Should().BeTrue();
        rule.Matches(Event("compact.revocation.initiated", "ses_A")).Should().BeTrue();
        rule.Matches(Event("session.created", "ses_A")).Should().BeTrue();
        rule.Matches(Event("session.suspended", "ses_A")).Should().BeFalse();
        rule.Matches(Event("compactor", "ses_A")).Should().BeFalse("'compact.*' needs the dot");
        rule.Matches(Event("compact.in-force", "ses_B")).Should().BeFalse();
        new TriggerRule([], null, "x", []).Matches(Event("anything", "ses_Z")).Should().BeTrue();
    }

    [Fact]
    public async Task A_trigger_starts_its_command_with_the_event_in_its_arguments_and_input()
    {
        if (!File.Exists("/bin/echo") || !File.Exists("/bin/sh")) return; // the commands below are POSIX ones
        var e = new JsonObject { ["seq"] = 42, ["type"] = "compact.in-force", ["stream"] = "ses_X", ["actor"] = "daemon" };

        var echo = await TriggerLauncher.RunAsync(new TriggerRule(["compact.*"], null, "/bin/echo", ["{type}", "seq={seq}", "in {stream}"]), e, captureOutput: true, CancellationToken.None);
        var shell = await TriggerLauncher.RunAsync(new TriggerRule(["compact.*"], null, "/bin/sh", ["-c", "read line; echo \"$PACT_EVENT_SEQ $line\"; exit 3"]), e, captureOutput: true, CancellationToken.None);

        echo.ExitCode.Should().Be(0);
        echo.Output.Should().Be("compact.in-force seq=42 in ses_X\n");
        shell.ExitCode.Should().Be(3);
        shell.Output!.Trim().Should().Be("42 " + e.ToJsonString());
    }

    private static string KeyFile(KeyPair key, string directory)
    {
        var path = Path.Combine(directory, "agent.key");
        AgentKey.FromSeed(key.Seed).Save(path);
        return path;
    }

    [Fact]
    public async Task The_receiver_sample_subscribes_receives_its_sessions_events_and_deletes_its_subscription()
    {
        await using var host = await DaemonHost.StartAsync();
        using var http = host.CreateHttpClient();
        var daemonId = await TestAgent.DaemonIdOf(http);
        var key = KeyPair.Generate();
        var events = new List<JsonObject>();
        var got = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new ReceiverOptions { Daemon = host.BaseAddress, Listen = "http://127.0.0.1:0", KeyFile = KeyFile(key, host.DataDirectory) };

        var running = ReceiverApp.RunAsync(options, e =>
        {
            lock (events) events.Add(e);
            got.Release();
            return Task.CompletedTask;
        }, _ => { }, stop.Token, callback => ready.TrySetResult(callback));
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var agent = new TestAgent(http, daemonId, key);
        var other = new TestAgent(http, daemonId);
        await other.RegisterAsync();
        var session = await agent.CreateSessionAsync(other);
        (await got.WaitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue("the session.created event should be delivered");
        var subscriptions = (await agent.GetAsync("/v1/subscriptions")).Json!["subscriptions"]!.AsArray();
        subscriptions.Should().ContainSingle();
        stop.Cancel();
        await running;

        events.Should().ContainSingle().Which["stream"]!.GetValue<string>().Should().Be(session);
        (await new TestAgent(http, daemonId, key).GetAsync("/v1/subscriptions")).Json!["subscriptions"]!.AsArray().Should().BeEmpty("the sample deletes its subscription when stopped");
    }

    [Theory]
    [InlineData("sse")]
    [InlineData("webhook")]
    public async Task The_trigger_runner_starts_its_command_when_a_matching_event_arrives(string via)
    {
        if (!File.Exists("/bin/echo")) return;
        await using var host = await DaemonHost.StartAsync();
        using var http = host.CreateHttpClient();
        var daemonId = await TestAgent.DaemonIdOf(http);
        var key = KeyPair.Generate();
        var runs = new List<TriggerRun>();
        var ran = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new TriggerOptions
        {
            Rule = new TriggerRule(["session.suspended"], null, "/bin/echo", ["{type}", "{seq}"]),
            Via = via,
            CaptureOutput = true,
            Receiver = new ReceiverOptions { Daemon = host.BaseAddress, Listen = "http://127.0.0.1:0", KeyFile = KeyFile(key, host.DataDirectory) },
        };

        var running = TriggerRunnerApp.RunAsync(options, run =>
        {
            lock (runs) runs.Add(run);
            ran.Release();
        }, _ => { }, stop.Token, _ => ready.TrySetResult());
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var agent = new TestAgent(http, daemonId, key);
        var other = new TestAgent(http, daemonId);
        await other.RegisterAsync();
        var session = await agent.CreateSessionAsync(other);
        await WebhookTestKit.ActiveSessionEventAsync(other, session, "suspend");
        (await ran.WaitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue("the command should run for session.suspended");
        stop.Cancel();
        await running;

        runs.Should().ContainSingle("session.created does not match the rule");
        runs[0].ExitCode.Should().Be(0);
        runs[0].Output.Should().Be("session.suspended 2\n");
    }
}
