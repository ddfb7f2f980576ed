using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Pact.Client.Tests.Support;
using Pact.Core.Envelopes;
using Pact.Core.Time;

namespace Pact.Client.Tests;

public class SubscriptionRequestTests
{
    private static readonly DateTimeOffset Start = Timestamp.Parse("2026-11-21T12:00:00.000Z");

    private static JsonObject SubscriptionJson(string id = "sub_1") => new()
    {
        ["subscriptionId"] = id,
        ["owner"] = "did:key:z6MkOwner",
        ["callback"] = "http://127.0.0.1:9/hook",
        ["filter"] = new JsonObject { ["types"] = new JsonArray("compact.*"), ["sessions"] = null },
        ["description"] = "hook",
        ["createdAt"] = "2026-11-21T12:00:00.000Z",
        ["afterSeq"] = 41,
        ["status"] = "active",
        ["disabledReason"] = null,
        ["disabledAt"] = null,
        ["consecutiveFailures"] = 0,
    };

    private static JsonObject DeliveryJson(long seq) => new()
    {
        ["deliveryId"] = "dlv_" + seq,
        ["subscriptionId"] = "sub_1",
        ["webhookId"] = "evt_" + seq,
        ["seq"] = seq,
        ["type"] = "compact.in-force",
        ["stream"] = "ses_1",
        ["attempt"] = 3,
        ["status"] = "pending",
        ["httpStatus"] = 503,
        ["error"] = "HTTP 503",
        ["at"] = "2026-11-21T12:05:05.000Z",
        ["nextAttemptAt"] = null,
        ["createdAt"] = "2026-11-21T12:00:00.000Z",
    };

    [Fact]
    public async Task Subscribing_signs_a_subscription_create_envelope_and_returns_the_secret()
    {
        var clock = new FakeTimeProvider(Start);
        await using var daemon = await ScriptedDaemon.StartAsync((app, _) => app.MapPost("/v1/subscriptions", (HttpContext ctx) =>
        {
            var answer = SubscriptionJson();
            answer["secret"] = "whsec_AAAA";
            return ScriptedDaemon.WriteJsonAsync(ctx, 201, answer);
        }), clock);
        using var http = daemon.CreateHttpClient();
        var key = AgentKey.FromSeed(TestData.Key("contractor").Seed);
        var client = new PactClient(http, key, new PactClientOptions { TimeProvider = clock });

        var created = await client.CreateSubscriptionAsync("http://127.0.0.1:9/hook", ["compact.*", "proposal.signed"], null, "hook");
        var bare = await client.CreateSubscriptionAsync("http://127.0.0.1:9/hook");

        created.Secret.Should().Be("whsec_AAAA");
        created.SubscriptionId.Should().Be("sub_1");
        created.Subscription.Filter!.Types.Should().Equal("compact.*");
        created.Subscription.AfterSeq.Should().Be(41);
        created.ToString().Should().NotContain("whsec_AAAA", "a logged answer must not leak the secret");
        var requests = daemon.RequestsTo("/v1/subscriptions");
        var (envelope, error) = Envelope.Parse(requests[0].Json());
        error.Should().BeNull();
        envelope!.VerifySignature().Should().BeTrue();
        envelope.Type.Should().Be("subscription.create");
        envelope.Signer.Should().Be(key.Did);
        envelope.Payload["callback"]!.GetValue<string>().Should().Be("http://127.0.0.1:9/hook");
        envelope.Payload["filter"]!.ToJsonString().Should().Be("""{"types":["compact.*","proposal.signed"]}""", "a null filter member is left out");
        envelope.Payload["description"]!.GetValue<string>().Should().Be("hook");
        var (plain, _) = Envelope.Parse(requests[1].Json());
        plain!.Payload.Select(m => m.Key).Should().BeEquivalentTo(["type", "aud", "issuedAt", "nonce", "callback"], "no filter at all means every type and session");
    }

    [Fact]
    public async Task Subscription_reads_deletes_and_retries_use_the_bearer_token_and_the_right_paths()
    {
        await using var daemon = await ScriptedDaemon.StartAsync((app, _) =>
        {
            app.MapGet("/v1/subscriptions", (HttpContext ctx) => ScriptedDaemon.WriteJsonAsync(ctx, 200,
                new JsonObject { ["subscriptions"] = new JsonArray(SubscriptionJson("sub_1"), SubscriptionJson("sub_2")), ["next"] = "sub_2" }));
            app.MapGet("/v1/subscriptions/{id}", (HttpContext ctx, string id) => ScriptedDaemon.WriteJsonAsync(ctx, 200, SubscriptionJson(id)));
            app.MapDelete("/v1/subscriptions/{id}", () => Results.NoContent());
            app.MapGet("/v1/subscriptions/{id}/deliveries", (HttpContext ctx) => ScriptedDaemon.WriteJsonAsync(ctx, 200,
                new JsonObject { ["deliveries"] = new JsonArray(DeliveryJson(42), DeliveryJson(43)), ["next"] = 43 }));
            app.MapPost("/v1/subscriptions/{id}/deliveries/{deliveryId}/retry", (HttpContext ctx) => ScriptedDaemon.WriteJsonAsync(ctx, 202, DeliveryJson(42)));
        });
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.FromSeed(TestData.Key("homeowner").Seed));

        var page = await client.ListSubscriptionsAsync(after: "sub_0", limit: 2);
        var one = await client.GetSubscriptionAsync("sub_9");
        await client.DeleteSubscriptionAsync("sub_9");
        var deliveries = await client.ListDeliveriesAsync("sub_9", status: "pending", after: 41, limit: 2);
        var retried = await client.RetryDeliveryAsync("sub_9", "dlv_42");

        page.Subscriptions.Select(s => s.SubscriptionId).Should().Equal("sub_1", "sub_2");
        page.Next.Should().Be("sub_2");
        one.SubscriptionId.Should().Be("sub_9");
        one.CreatedAt.Should().Be(Start);
        deliveries.Deliveries.Select(d => d.Seq).Should().Equal(42, 43);
        deliveries.Next.Should().Be(43);
        deliveries.Deliveries[0].HttpStatus.Should().Be(503);
        deliveries.Deliveries[0].NextAttemptAt.Should().BeNull();
        retried.DeliveryId.Should().Be("dlv_42");
        var reads = daemon.Requests.Where(r => r.Path.StartsWith("/v1/subscriptions", StringComparison.Ordinal)).ToList();
        reads.Select(r => $"{r.Method} {r.Path}{r.Query}").Should().Equal(
            "GET /v1/subscriptions?after=sub_0&limit=2",
            "GET /v1/subscriptions/sub_9",
            "DELETE /v1/subscriptions/sub_9",
            "GET /v1/subscriptions/sub_9/deliveries?after=41&status=pending&limit=2",
            "POST /v1/subscriptions/sub_9/deliveries/dlv_42/retry");
        reads.Should().OnlyContain(r => r.Header("Authorization") == "Bearer token-1");
    }

    [Fact]
    public async Task Listing_compacts_asks_for_the_agents_own_and_the_admin_for_all()
    {
        await using var daemon = await ScriptedDaemon.StartAsync((app, _) => app.MapGet("/v1/compacts", (HttpContext ctx) => ScriptedDaemon.WriteJsonAsync(ctx, 200, new JsonObject
        {
            ["compacts"] = new JsonArray(new JsonObject
            {
                ["compactId"] = "cmp_kitchen-2026",
                ["currentVersion"] = 2,
                ["status"] = "in-force",
                ["compactHash"] = new string('a', 64),
                ["sessionId"] = "ses_1",
                ["parties"] = new JsonObject { ["a"] = "did:key:z6MkA", ["b"] = "did:key:z6MkB" },
            }),
            ["next"] = null,
        })));
        using var http = daemon.CreateHttpClient();
        var agent = new PactClient(http, AgentKey.FromSeed(TestData.Key("homeowner").Seed));
        var admin = new PactClient(http, options: new PactClientOptions { AdminToken = "admin-secret" });

        var page = await agent.ListCompactsAsync(status: "in-force", limit: 5);
        await admin.ListCompactsAsync();

        page.Compacts.Should().ContainSingle().Which.Should().Be(new CompactSummary("cmp_kitchen-2026", 2, "in-force", new string('a', 64), "ses_1",
            new CompactPartyAgents("did:key:z6MkA", "did:key:z6MkB")));
        page.Next.Should().BeNull();
        daemon.RequestsTo("/v1/compacts").Select(r => r.Query).Should().Equal("?party=me&status=in-force&limit=5", "");
    }
}
