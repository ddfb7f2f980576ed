using System.Text.Json.Nodes;
using Pact.Cli.Tests.Infrastructure;

namespace Pact.Cli.Tests;

[Collection(DaemonCollection.Name)]
public sealed class SubscriptionCommandTests(CliFixture fixture) : IDisposable
{
    // Nothing listens on the discard port: deliveries fail fast, which is all the delivery tests need.
    private const string Callback = "http://127.0.0.1:9/pact-hook";

    private readonly CliRunner _cli = new(fixture.Host.BaseAddress);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task A_subscription_is_created_with_its_secret_once_then_listed_shown_and_deleted()
    {
        var alice = await _cli.RegisteredAgentAsync("alice");

        var created = await _cli.OkAsync("subscribe", "--key", "alice", "--callback", Callback, "--types", "compact.*,proposal.signed", "--description", "cli test", "--json");
        var id = (string)created.Json["subscriptionId"]!;
        var listed = (await _cli.OkAsync("subscriptions", "list", "--key", "alice", "--json")).Json["subscriptions"]!.AsArray();
        var shown = await _cli.OkAsync("subscriptions", "show", id, "--key", "alice", "--json");
        var deleted = await _cli.OkAsync("subscriptions", "delete", id, "--key", "alice");
        var afterDelete = (await _cli.OkAsync("subscriptions", "list", "--key", "alice", "--json")).Json["subscriptions"]!.AsArray();
        var gone = await _cli.RunAsync("subscriptions", "show", id, "--key", "alice");

        id.Should().StartWith("sub_");
        created.Json.AsObject().Select(p => p.Key).Take(2).Should().Equal("subscriptionId", "secret");
        ((string)created.Json["secret"]!).Should().StartWith("whsec_");
        ((string)created.Json["owner"]!).Should().Be(alice);
        created.Json["filter"]!["types"]!.AsArray().Select(t => (string)t!).Should().Equal("compact.*", "proposal.signed");
        created.Stderr.Should().Contain("shown only now");
        listed.Select(s => (string)s!["subscriptionId"]!).Should().Equal(id);
        ((string)listed[0]!["callback"]!).Should().Be(Callback);
        ((string)shown.Json["description"]!).Should().Be("cli test");
        ((string)shown.Json["status"]!).Should().Be("active");
        shown.Stdout.Should().NotContain("whsec_", "no read shows the secret again");
        deleted.Stdout.Should().Contain($"Deleted subscription {id}");
        afterDelete.Should().BeEmpty();
        gone.ExitCode.Should().Be(3, gone.ToString());
        gone.Stderr.Should().StartWith("PACT-404");
    }

    [Fact]
    public async Task Subscribe_prints_the_secret_in_its_summary_and_refuses_a_metadata_address_with_exit_3()
    {
        await _cli.RegisteredAgentAsync("bob");

        var created = await _cli.OkAsync("subscribe", "--key", "bob", "--callback", Callback);
        var refused = await _cli.RunAsync("subscribe", "--key", "bob", "--callback", "http://169.254.169.254/latest/meta-data");
        var malformed = await _cli.RunAsync("subscribe", "--key", "bob", "--callback", "not a url");
        var table = await _cli.OkAsync("subscriptions", "list", "--key", "bob");

        created.Stdout.Should().StartWith("Subscription created");
        created.Stdout.Should().MatchRegex(@"secret:\s+whsec_");
        created.Stdout.Should().MatchRegex(@"types:\s+\(all\)");
        created.Stderr.Should().StartWith("warning: the secret is shown only now");
        refused.ExitCode.Should().Be(3, refused.ToString());
        refused.Stderr.Should().StartWith("PACT-101").And.Contain("/payload/callback");
        malformed.ExitCode.Should().Be(2, malformed.ToString());
        table.Stdout.Should().Contain("SUBSCRIPTION").And.Contain(Callback).And.Contain("active");
    }

    [Fact]
    public async Task Deliveries_of_a_session_event_are_listed_and_one_can_be_retried()
    {
        await _cli.RegisteredAgentAsync("carol");
        await _cli.RegisteredAgentAsync("dave");
        var id = (string)(await _cli.OkAsync("subscribe", "--key", "carol", "--callback", Callback, "--types", "session.*", "--json")).Json["subscriptionId"]!;
        var session = (string)(await _cli.OkAsync("session", "create", "--key", "carol", "--with", "dave", "--json")).Json["sessionId"]!;

        // The delivery row is written in the same transaction as the event, so it is there as soon as the session is.
        var listed = (await _cli.OkAsync("deliveries", id, "--key", "carol", "--json")).Json["deliveries"]!.AsArray();
        var delivery = listed.Should().ContainSingle().Subject!.AsObject();
        var deliveryId = (string)delivery["deliveryId"]!;
        var retried = await _cli.OkAsync("deliveries", "retry", id, deliveryId, "--key", "carol", "--json");
        var table = await _cli.OkAsync("deliveries", id, "--key", "carol");
        var unknown = await _cli.RunAsync("deliveries", "retry", id, "dlv_01J00000000000000000000000", "--key", "carol");
        var missing = await _cli.RunAsync("deliveries", "--key", "carol");
        var badStatus = await _cli.RunAsync("deliveries", id, "--status", "lost", "--key", "carol");

        ((string)delivery["type"]!).Should().Be("session.created");
        ((string)delivery["stream"]!).Should().Be(session);
        ((string)delivery["webhookId"]!).Should().Be("evt_" + (long)delivery["seq"]!);
        ((string)retried.Json["deliveryId"]!).Should().Be(deliveryId);
        table.Stdout.Should().Contain(deliveryId).And.Contain("session.created");
        unknown.ExitCode.Should().Be(3, unknown.ToString());
        unknown.Stderr.Should().StartWith("PACT-404");
        missing.ExitCode.Should().Be(2, missing.ToString());
        badStatus.ExitCode.Should().Be(2, badStatus.ToString());
    }

    [Fact]
    public async Task Another_agents_subscription_is_not_found()
    {
        await _cli.RegisteredAgentAsync("erin");
        await _cli.RegisteredAgentAsync("frank");
        var id = (string)(await _cli.OkAsync("subscribe", "--key", "erin", "--callback", Callback, "--json")).Json["subscriptionId"]!;

        var delete = await _cli.RunAsync("subscriptions", "delete", id, "--key", "frank");
        var deliveries = await _cli.RunAsync("deliveries", id, "--key", "frank");
        var stillThere = await _cli.OkAsync("subscriptions", "show", id, "--key", "erin", "--json");

        delete.ExitCode.Should().Be(3, delete.ToString());
        delete.Stderr.Should().StartWith("PACT-404");
        deliveries.ExitCode.Should().Be(3, deliveries.ToString());
        ((string)stillThere.Json["subscriptionId"]!).Should().Be(id);
        await _cli.OkAsync("subscriptions", "delete", id, "--key", "erin");
    }
}
