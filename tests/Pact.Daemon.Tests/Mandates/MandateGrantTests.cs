using System.Text.Json.Nodes;
using Pact.Core.Mandates;
using Pact.Core.Time;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;

namespace Pact.Daemon.Tests.Mandates;

/// <summary>Grant, revocation and reading of mandates over REST (§14), the mandate stream, its expiry (kind 7) and replay at start.</summary>
public class MandateGrantTests
{
    /// <summary>The store the daemons of these tests run on (Postgres/OnPostgres.cs runs them again on PostgreSQL).</summary>
    protected virtual DaemonStore Store => DaemonStore.Default;

    private static readonly DateTimeOffset Start = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static IPactStore PactStoreOf(DaemonHost host) => (IPactStore)host.Services.GetService(typeof(IPactStore))!;

    internal static string Canonical<T>(T value) => Pact.Core.Json.Jcs.CanonicalString(value.ToJsonObject());

    internal static async Task<string> PublishAsync(Negotiator agent) => (await agent.Client.PublishPolicyAsync(PolicyTests.Intake())).Policy.PolicyHash;

    [Fact]
    public async Task A_grant_records_its_stream_reads_back_to_its_granter_only_and_revokes_once()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = await DaemonHost.StartAsync(clock, store: Store);
        var a = await Negotiator.RegisterAsync(host, "A", clock: clock);
        var b = await Negotiator.RegisterAsync(host, "B", "human", clock);
        var policyHash = await PublishAsync(a);

        var mandate = await a.Client.GrantMandateAsync(policyHash, new JsonObject { ["counterparties"] = new JsonArray(b.Did) }, ["withdrawal"], Start.AddDays(30));

        mandate.MandateId.Should().StartWith("mnd_");
        mandate.Status.Should().Be("active");
        mandate.Agent.Should().Be(a.Did);
        mandate.Actions.Should().Be(0);
        mandate.MandateHash.Should().Be(MandateCrypto.MandateHash(mandate.Grant["payload"]!));
        mandate.Grant["signer"]!.GetValue<string>().Should().Be(a.Did);
        Canonical(await a.Client.GetMandateAsync(mandate.MandateId)).Should().Be(Canonical(mandate));
        (await a.Client.ListMandatesAsync()).Mandates.Select(m => m.MandateId).Should().Equal(mandate.MandateId);
        (await b.Client.ListMandatesAsync()).Mandates.Should().BeEmpty();
        (await PolicyTests.Refused(() => b.Client.GetMandateAsync(mandate.MandateId))).Code.Should().Be("PACT-404");
        (await PolicyTests.Refused(() => b.Client.RevokeMandateAsync(mandate.MandateId))).Code.Should().Be("PACT-404");

        var events = (await a.Client.GetMandateEventsAsync(mandate.MandateId)).Events;
        var granted = events.Should().ContainSingle().Which;
        granted.Type.Should().Be("mandate.granted");
        granted.Stream.Should().Be(mandate.MandateId);
        granted.Actor.Should().Be(a.Did);
        granted.Data.Select(m => m.Key).Should().BeEquivalentTo("envelope", "mandateId", "mandateHash", "policyHash", "scope", "acknowledge", "expiresAt");
        granted.Data["expiresAt"]!.GetValue<string>().Should().Be(Timestamp.ToText(Start.AddDays(30)));

        var revoked = await a.Client.RevokeMandateAsync(mandate.MandateId);
        revoked.Status.Should().Be("revoked");
        (await PolicyTests.Refused(() => a.Client.RevokeMandateAsync(mandate.MandateId))).Code.Should().Be("PACT-306");
        (await a.Client.GetMandateEventsAsync(mandate.MandateId)).Events.Select(e => e.Type).Should().Equal("mandate.granted", "mandate.revoked");
    }

    [Fact]
    public async Task The_granters_webhook_receives_its_mandate_stream_and_nobody_elses()
    {
        await using var host = await DaemonHost.StartAsync(store: Store);
        await using var receiver = await Webhooks.WebhookReceiver.StartAsync();
        using var http = host.CreateHttpClient();
        var daemonId = await TestAgent.DaemonIdOf(http);
        var a = await Negotiator.RegisterAsync(host, "A");
        var other = new TestAgent(http, daemonId);
        await other.RegisterAsync();
        var granter = new TestAgent(http, daemonId, a.Key.KeyPair);
        var filter = new JsonObject { ["types"] = new JsonArray("mandate.*") };
        await Webhooks.WebhookTestKit.SubscribeAsync(granter, receiver.Url, (JsonObject)filter.DeepClone());
        await Webhooks.WebhookTestKit.SubscribeAsync(other, receiver.Url, (JsonObject)filter.DeepClone());

        var mandate = await a.Client.GrantMandateAsync(await PublishAsync(a), [], [], DateTimeOffset.UtcNow.AddDays(1));
        await a.Client.RevokeMandateAsync(mandate.MandateId);

        await receiver.WaitForAsync(2);
        await Task.Delay(300);
        receiver.Received.Select(r => r.Json["type"]!.GetValue<string>()).Should().Equal("mandate.granted", "mandate.revoked");
        receiver.Received.Should().OnlyContain(r => r.Json["data"]!["stream"]!.GetValue<string>() == mandate.MandateId);
    }

    [Fact]
    public async Task Every_refusal_is_a_problem_at_its_pointer_and_records_nothing()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = await DaemonHost.StartAsync(clock, store: Store);
        var a = await Negotiator.RegisterAsync(host, "A", clock: clock);
        var b = await Negotiator.RegisterAsync(host, "B", "human", clock);
        var c = await Negotiator.RegisterAsync(host, "C", clock: clock);
        var policyHash = await PublishAsync(a);
        var hidden = (await b.Client.CreateSessionAsync([b.Did, c.Did])).SessionId;
        var head = PactStoreOf(host).HeadSeq;

        async Task<Pact.Client.PactApiException> Refused(string hash, JsonObject scope, string[] acknowledge, DateTimeOffset expiresAt) =>
            await PolicyTests.Refused(() => a.Client.GrantMandateAsync(hash, scope, acknowledge, expiresAt));

        var unpublished = await Refused(new string('0', 64), [], [], Start.AddDays(1));
        (unpublished.Status, unpublished.Code).Should().Be((422, "PACT-120"));
        unpublished.Errors.Should().ContainSingle().Which.Pointer.Should().Be("/payload/policyHash");

        var past = await Refused(policyHash, [], [], Start.AddSeconds(-1));
        (past.Code, past.Errors.Single().Pointer).Should().Be(("PACT-101", "/payload/expiresAt"));
        (await Refused(policyHash, [], [], Start.AddYears(1).AddDays(1))).Code.Should().Be("PACT-101");
        (await Refused(policyHash, [], ["approval"], Start.AddDays(1))).Code.Should().Be("PACT-101");

        var badScope = await Refused(policyHash, new JsonObject { ["counterparties"] = new JsonArray("nobody"), ["extra"] = 1 }, [], Start.AddDays(1));
        badScope.Code.Should().Be("PACT-101");
        badScope.Errors.Select(e => e.Pointer).Should().Equal("/payload/scope/counterparties/0", "/payload/scope/extra");

        var invisible = await Refused(new string('0', 64), new JsonObject { ["sessions"] = new JsonArray(hidden) }, [], Start.AddDays(1));
        (invisible.Status, invisible.Code).Should().Be((404, "PACT-404"), "visibility is judged before the policy and the expiry (§11)");

        PactStoreOf(host).HeadSeq.Should().Be(head, "nothing is recorded for a refused request");
        (await a.Client.ListMandatesAsync()).Mandates.Should().BeEmpty();
    }

    [Fact]
    public async Task A_mandate_expires_at_expiresAt_as_deadline_kind_7_and_survives_a_restart()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = await DaemonHost.StartAsync(clock, store: Store);
        var a = await Negotiator.RegisterAsync(host, "A", clock: clock);
        var policyHash = await PublishAsync(a);
        var lasting = await a.Client.GrantMandateAsync(policyHash, [], [], Start.AddDays(30));
        var brief = await a.Client.GrantMandateAsync(policyHash, new JsonObject { ["compactIdPrefix"] = "cmp_brief-" }, [], Start.AddDays(1));

        await host.RestartAsync();
        (await a.Client.GetMandateAsync(lasting.MandateId)).Status.Should().Be("active");

        clock.Advance(TimeSpan.FromDays(1));
        (await a.Client.GetMandateAsync(brief.MandateId)).Status.Should().Be("expired", "a reached expiry reads expired at once");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        IReadOnlyList<Pact.Core.Events.TranscriptEvent> events;
        do
        {
            events = (await a.Client.GetMandateEventsAsync(brief.MandateId)).Events;
            if (events.Count == 2) break;
            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        var expired = events[^1];
        expired.Type.Should().Be("mandate.expired");
        expired.Actor.Should().Be("daemon");
        expired.Data["dueAt"]!.GetValue<string>().Should().Be(Timestamp.ToText(Start.AddDays(1)));
        (await PolicyTests.Refused(() => a.Client.RevokeMandateAsync(brief.MandateId))).Code.Should().Be("PACT-306");
        (await a.Client.GetMandateAsync(lasting.MandateId)).Status.Should().Be("active");
    }

    [Fact]
    public async Task Over_HTTP_a_resent_grant_or_revocation_is_replayed_and_a_new_revocation_of_an_ended_mandate_is_409_PACT_306()
    {
        await using var host = await DaemonHost.StartAsync(store: Store);
        var a = await Negotiator.RegisterAsync(host, "A");
        var policyHash = await PublishAsync(a);
        var grant = await a.Client.CreateEnvelopeAsync(new Pact.Core.Contracts.MandateGrantPayload(policyHash, [], [],
            Timestamp.ToText(Timestamp.Truncate(DateTimeOffset.UtcNow.AddDays(30))), null));

        var first = await a.Client.SendEnvelopeAsync("v1/mandates", grant);
        var head = PactStoreOf(host).HeadSeq;
        var again = await a.Client.SendEnvelopeAsync("v1/mandates", grant);

        ((int)first.Status, (int)again.Status).Should().Be((201, 201));
        Pact.Core.Json.Jcs.CanonicalString(again.Body).Should().Be(Pact.Core.Json.Jcs.CanonicalString(first.Body), "§2: the original answer");
        PactStoreOf(host).HeadSeq.Should().Be(head, "a replay records nothing");
        var mandateId = first.Body!["mandateId"]!.GetValue<string>();
        (await a.Client.ListMandatesAsync()).Mandates.Should().ContainSingle();

        var revoke = await a.Client.CreateEnvelopeAsync(new Pact.Core.Contracts.MandateRevokePayload(mandateId));
        var revoked = await a.Client.SendEnvelopeAsync($"v1/mandates/{mandateId}/revoke", revoke);
        head = PactStoreOf(host).HeadSeq;
        var revokedAgain = await a.Client.SendEnvelopeAsync($"v1/mandates/{mandateId}/revoke", revoke);
        ((int)revoked.Status, (int)revokedAgain.Status).Should().Be((200, 200), "the identical revocation is replayed, not judged again");
        Pact.Core.Json.Jcs.CanonicalString(revokedAgain.Body).Should().Be(Pact.Core.Json.Jcs.CanonicalString(revoked.Body));

        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var fresh = await a.Client.CreateEnvelopeAsync(new Pact.Core.Contracts.MandateRevokePayload(mandateId));
        using var response = await http.PostAsync($"v1/mandates/{mandateId}/revoke",
            new StringContent(fresh.ToJson().ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        ((int)response.StatusCode).Should().Be(409);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        problem["code"]!.GetValue<string>().Should().Be("PACT-306");
        problem["status"]!.GetValue<int>().Should().Be(409);
        PactStoreOf(host).HeadSeq.Should().Be(head, "nothing is recorded for a refused request");
        (await a.Client.GetMandateEventsAsync(mandateId)).Events.Select(e => e.Type).Should().Equal("mandate.granted", "mandate.revoked");
    }
}
