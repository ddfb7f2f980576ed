using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests.Webhooks;

public class SubscriptionApiTests(DaemonFixture daemon) : IClassFixture<DaemonFixture>
{
    private const string Callback = "http://127.0.0.1:9/hook";

    [Fact]
    public async Task Creating_a_subscription_shows_its_secret_once_and_reads_never_do()
    {
        var agent = await daemon.RegisteredAgentAsync();

        var created = await agent.PostAsync("/v1/subscriptions", "subscription.create", new JsonObject
        {
            ["callback"] = Callback,
            ["filter"] = new JsonObject { ["types"] = new JsonArray("compact.*", "session.created") },
            ["description"] = "my agent",
        });

        created.Status.Should().Be(HttpStatusCode.Created, created.Text);
        var body = created.Json!.AsObject();
        var id = body["subscriptionId"]!.GetValue<string>();
        Pact.Core.Ids.PactIds.IsDaemonId(id, "sub_").Should().BeTrue();
        var secret = body["secret"]!.GetValue<string>();
        secret.Should().StartWith("whsec_");
        Convert.FromBase64String(secret[6..]).Should().HaveCount(32);
        body["owner"]!.GetValue<string>().Should().Be(agent.Did);
        body["callback"]!.GetValue<string>().Should().Be(Callback);
        body["status"]!.GetValue<string>().Should().Be("active");
        body["description"]!.GetValue<string>().Should().Be("my agent");
        body["filter"]!["types"]!.AsArray().Select(t => t!.GetValue<string>()).Should().Equal("compact.*", "session.created");
        body["filter"]!["sessions"].Should().BeNull();
        body["afterSeq"]!.GetValue<long>().Should().BeGreaterThanOrEqualTo(0);

        var read = await agent.GetAsync($"/v1/subscriptions/{id}");
        read.Status.Should().Be(HttpStatusCode.OK);
        read.Text.Should().NotContain("secret").And.NotContain(secret[6..]);
        read.Json!["subscriptionId"]!.GetValue<string>().Should().Be(id);
        var list = await agent.GetAsync("/v1/subscriptions");
        list.Json!["subscriptions"]!.AsArray().Select(s => s!["subscriptionId"]!.GetValue<string>()).Should().Equal(id);
        list.Text.Should().NotContain(secret[6..]);
    }

    [Fact]
    public async Task An_identical_resend_returns_the_same_secret_without_a_second_subscription()
    {
        var agent = await daemon.RegisteredAgentAsync();
        var envelope = agent.Sign("subscription.create", new JsonObject { ["callback"] = Callback });

        var first = await agent.PostAsync("/v1/subscriptions", envelope);
        var again = await agent.PostAsync("/v1/subscriptions", envelope);

        first.Status.Should().Be(HttpStatusCode.Created);
        again.Status.Should().Be(HttpStatusCode.Created);
        again.Json!["secret"]!.GetValue<string>().Should().Be(first.Json!["secret"]!.GetValue<string>());
        again.Json["subscriptionId"]!.GetValue<string>().Should().Be(first.Json["subscriptionId"]!.GetValue<string>());
        (await agent.GetAsync("/v1/subscriptions")).Json!["subscriptions"]!.AsArray().Should().HaveCount(1);
    }

    [Fact]
    public async Task Others_subscriptions_are_not_found_and_the_operator_sees_and_deletes_all()
    {
        var owner = await daemon.RegisteredAgentAsync();
        var other = await daemon.RegisteredAgentAsync();
        var (id, _) = await WebhookTestKit.SubscribeAsync(owner, Callback);
        var (otherId, _) = await WebhookTestKit.SubscribeAsync(other, Callback);

        foreach (var path in new[] { $"/v1/subscriptions/{id}", $"/v1/subscriptions/{id}/deliveries" })
        {
            var reply = await other.GetAsync(path);
            reply.Status.Should().Be(HttpStatusCode.NotFound);
            reply.Code.Should().Be("PACT-404");
        }
        var retry = await WebhookTestKit.SendAsync(daemon.Http, HttpMethod.Post, $"/v1/subscriptions/{id}/deliveries/dlv_01JD0000000000000000000000/retry", await other.TokenAsync());
        retry.Code.Should().Be("PACT-404");
        var delete = await WebhookTestKit.SendAsync(daemon.Http, HttpMethod.Delete, $"/v1/subscriptions/{id}", await other.TokenAsync());
        delete.Status.Should().Be(HttpStatusCode.NotFound);
        delete.Code.Should().Be("PACT-404");
        (await other.GetAsync("/v1/subscriptions")).Json!["subscriptions"]!.AsArray().Select(s => s!["subscriptionId"]!.GetValue<string>()).Should().Equal(otherId);

        var all = await WebhookTestKit.AdminGetAsync(daemon.Http, "/v1/subscriptions?limit=1000");
        all.Json!["subscriptions"]!.AsArray().Select(s => s!["subscriptionId"]!.GetValue<string>()).Should().Contain([id, otherId]);
        (await WebhookTestKit.AdminGetAsync(daemon.Http, $"/v1/subscriptions/{id}")).Status.Should().Be(HttpStatusCode.OK);

        var byAdmin = await WebhookTestKit.SendAsync(daemon.Http, HttpMethod.Delete, $"/v1/subscriptions/{otherId}", DaemonHost.AdminToken);
        byAdmin.Status.Should().Be(HttpStatusCode.NoContent);
        var byOwner = await WebhookTestKit.SendAsync(daemon.Http, HttpMethod.Delete, $"/v1/subscriptions/{id}", await owner.TokenAsync());
        byOwner.Status.Should().Be(HttpStatusCode.NoContent);
        byOwner.Text.Should().BeEmpty();
        (await owner.GetAsync($"/v1/subscriptions/{id}")).Code.Should().Be("PACT-404");
        (await WebhookTestKit.SendAsync(daemon.Http, HttpMethod.Delete, $"/v1/subscriptions/{id}", await owner.TokenAsync())).Code.Should().Be("PACT-404");
    }

    [Fact]
    public async Task The_openapi_document_describes_the_subscription_endpoints()
    {
        var document = Pact.Core.Json.StrictJson.Parse(await daemon.Http.GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject();

        paths.Select(p => p.Key).Should().Contain([
            "/v1/subscriptions", "/v1/subscriptions/{subscriptionId}", "/v1/subscriptions/{subscriptionId}/deliveries",
            "/v1/subscriptions/{subscriptionId}/deliveries/{deliveryId}/retry"]);
        paths["/v1/subscriptions"]!.AsObject().Select(m => m.Key).Should().BeEquivalentTo(["get", "post"]);
        paths["/v1/subscriptions/{subscriptionId}"]!.AsObject().Select(m => m.Key).Should().BeEquivalentTo(["get", "delete"]);
        paths["/v1/subscriptions/{subscriptionId}/deliveries/{deliveryId}/retry"]!["post"]!["responses"]!.AsObject().Select(r => r.Key).Should().Contain("202");
    }

    [Fact]
    public async Task Reads_need_a_bearer_token()
    {
        var reply = await daemon.Http.GetAsync("/v1/subscriptions");
        reply.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await Reply.From(reply)).Code.Should().Be("PACT-207");
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/hook", "absolute http or https")]
    [InlineData("/relative/hook", "absolute http or https")]
    [InlineData("http://user:pw@127.0.0.1/hook", "credentials")]
    [InlineData("http://127.0.0.1/hook#frag", "fragment")]
    [InlineData("http://169.254.169.254/latest/meta-data", "metadata")]
    [InlineData("http://[fe80::1]/hook", "link-local")]
    [InlineData("http://10.0.0.1/hook", "private")]
    [InlineData("http://[::ffff:192.168.0.1]/hook", "private")]
    [InlineData("http://0.0.0.0:7700/hook", "unspecified")]
    public async Task A_bad_callback_is_refused_with_a_pointer(string callback, string why)
    {
        var agent = await daemon.RegisteredAgentAsync();

        var reply = await agent.PostAsync("/v1/subscriptions", "subscription.create", new JsonObject { ["callback"] = callback });

        reply.Status.Should().Be((HttpStatusCode)422, reply.Text);
        reply.Code.Should().Be("PACT-101");
        var error = reply.Json!["errors"]![0]!;
        error["pointer"]!.GetValue<string>().Should().Be("/payload/callback");
        error["message"]!.GetValue<string>().Should().Contain(why);
    }

    [Fact]
    public async Task Every_bad_filter_entry_is_reported_with_its_pointer()
    {
        var agent = await daemon.RegisteredAgentAsync();

        var reply = await agent.PostAsync("/v1/subscriptions", "subscription.create", new JsonObject
        {
            ["callback"] = Callback,
            ["filter"] = new JsonObject
            {
                ["types"] = new JsonArray("compact.*", "Bad Type", "*", 3),
                ["sessions"] = new JsonArray("ses_01JD0000000000000000000000", "prp_01JD0000000000000000000000"),
                ["agents"] = new JsonArray(),
            },
            ["description"] = new string('x', 1001),
        });

        reply.Code.Should().Be("PACT-101");
        reply.Json!["errors"]!.AsArray().Select(e => e!["pointer"]!.GetValue<string>()).Should().Equal(
            "/payload/description", "/payload/filter/agents", "/payload/filter/sessions/1",
            "/payload/filter/types/1", "/payload/filter/types/2", "/payload/filter/types/3");
    }

    [Fact]
    public async Task Empty_filter_lists_are_refused_and_unknown_payload_members_fail_the_envelope_check()
    {
        var agent = await daemon.RegisteredAgentAsync();

        var empty = await agent.PostAsync("/v1/subscriptions", "subscription.create", new JsonObject
        {
            ["callback"] = Callback,
            ["filter"] = new JsonObject { ["types"] = new JsonArray() },
        });
        empty.Code.Should().Be("PACT-101");
        empty.Json!["errors"]![0]!["pointer"]!.GetValue<string>().Should().Be("/payload/filter/types");

        var unknown = await agent.PostAsync("/v1/subscriptions", "subscription.create", new JsonObject { ["callback"] = Callback, ["secret"] = "mine" });
        unknown.Code.Should().Be("PACT-101");
        unknown.Json!["errors"]![0]!["pointer"]!.GetValue<string>().Should().Be("/payload/secret");

        var missing = await agent.PostAsync("/v1/subscriptions", "subscription.create", new JsonObject());
        missing.Json!["errors"]![0]!["pointer"]!.GetValue<string>().Should().Be("/payload/callback");
    }

    [Fact]
    public async Task The_database_holds_the_signing_key_only_sealed_and_the_sealing_key_file_is_owner_only()
    {
        // A daemon of its own on SQLite: the test reads pact.db's bytes.
        await using var sqlite = await DaemonHost.StartAsync(store: DaemonStore.Sqlite);
        using var http = sqlite.CreateHttpClient();
        var agent = new TestAgent(http, await TestAgent.DaemonIdOf(http));
        (await agent.RegisterAsync()).Status.Should().Be(System.Net.HttpStatusCode.Created);
        var (_, secret) = await WebhookTestKit.SubscribeAsync(agent, Callback);
        var key = Convert.FromBase64String(secret[6..]);

        var files = Directory.GetFiles(sqlite.DataDirectory, "pact.db*").Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)).ToList();
        files.Should().NotBeEmpty();
        foreach (var file in files)
        {
            byte[] bytes;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var copy = new MemoryStream())
            {
                stream.CopyTo(copy);
                bytes = copy.ToArray();
            }
            bytes.AsSpan().IndexOf(key).Should().Be(-1, $"{file} must not hold the raw key");
            bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(secret[6..])).Should().Be(-1, $"{file} must not hold the secret");
            bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Pact.Core.Encoding.Base64Url.Encode(key))).Should().Be(-1, $"{file} must not hold the key in base64url");
        }
        var keyFile = Path.Combine(sqlite.DataDirectory, "webhook.key");
        File.Exists(keyFile).Should().BeTrue();
        if (!OperatingSystem.IsWindows()) File.GetUnixFileMode(keyFile).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}

public class SubscriptionAddressPolicyTests
{
    [Theory]
    [InlineData("http://[::ffff:127.0.0.1]:8080/hook")]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://[::1]:8080/hook")]
    [InlineData("http://localhost:8080/hook")]
    public async Task Loopback_callbacks_are_refused_when_loopback_is_turned_off(string callback)
    {
        await using var host = await DaemonHost.StartAsync(settings: new Dictionary<string, string> { ["Pact:Webhooks:AllowLoopback"] = "false" });
        using var http = host.CreateHttpClient();
        var agent = new TestAgent(http, await TestAgent.DaemonIdOf(http));
        await agent.RegisterAsync();

        var reply = await agent.PostAsync("/v1/subscriptions", "subscription.create", new JsonObject { ["callback"] = callback });

        reply.Code.Should().Be("PACT-101", reply.Text);
        reply.Json!["errors"]![0]!["message"]!.GetValue<string>().Should().Contain("loopback");
    }
}
