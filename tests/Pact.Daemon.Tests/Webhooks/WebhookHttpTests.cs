using System.Net;
using Pact.Daemon.Webhooks;

namespace Pact.Daemon.Tests.Webhooks;

/// <summary>
/// The delivery client's connect-time check. No test here lets a packet leave for a non-loopback address:
/// every such case must be refused by the check, before a socket exists.
/// </summary>
public class WebhookHttpTests
{
    private sealed class FakeResolver(Func<string, IPAddress[]> answer) : IWebhookHostResolver
    {
        public List<string> Asked { get; } = [];

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct)
        {
            lock (Asked) Asked.Add(host);
            return Task.FromResult(answer(host));
        }
    }

    private static readonly AddressPolicy LoopbackOnly = new(allowLoopback: true, allowPrivate: false);

    private static async Task<Exception> RefusedAsync(HttpClient client, string url)
    {
        var act = () => client.PostAsync(url, new StringContent("{}"));
        var thrown = await act.Should().ThrowAsync<HttpRequestException>();
        return thrown.Which;
    }

    private static WebhookAddressRefusedException? RefusalIn(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
            if (inner is WebhookAddressRefusedException refused) return refused;
        return null;
    }

    [Fact]
    public async Task A_host_name_resolving_to_a_private_address_is_refused_before_connecting()
    {
        var resolver = new FakeResolver(_ => [IPAddress.Parse("10.0.0.1")]);
        using var client = WebhookHttp.CreateClient(resolver, LoopbackOnly);

        var error = await RefusedAsync(client, "http://hooks.internal.example/deliver");

        resolver.Asked.Should().Equal("hooks.internal.example");
        RefusalIn(error)!.Message.Should().Contain("10.0.0.1").And.Contain("private");
    }

    [Fact]
    public async Task Every_resolved_address_is_checked_so_one_internal_answer_refuses_the_whole_name()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var resolver = new FakeResolver(_ => [IPAddress.Loopback, IPAddress.Parse("169.254.169.254")]);
        using var client = WebhookHttp.CreateClient(resolver, LoopbackOnly);

        var error = await RefusedAsync(client, $"http://mixed.example:{receiver.Port}/hook");

        RefusalIn(error)!.Message.Should().Contain("169.254.169.254").And.Contain("metadata");
        receiver.Received.Should().BeEmpty("the loopback address that would have worked is not tried either");
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[fd00:ec2::254]/latest/meta-data/")]
    [InlineData("http://10.0.0.1/hook")]
    [InlineData("http://[fe80::1]/hook")]
    [InlineData("http://0.0.0.0:8080/hook")]
    public async Task A_literal_address_is_checked_without_asking_the_resolver(string url)
    {
        var resolver = new FakeResolver(host => throw new InvalidOperationException("a literal address must not be resolved: " + host));
        using var client = WebhookHttp.CreateClient(resolver, LoopbackOnly);

        var error = await RefusedAsync(client, url);

        RefusalIn(error).Should().NotBeNull();
        resolver.Asked.Should().BeEmpty();
    }

    [Fact]
    public async Task An_ipv4_mapped_loopback_literal_is_refused_when_loopback_is_off_and_connects_when_on()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var url = $"http://[::ffff:127.0.0.1]:{receiver.Port}/hook";
        var resolver = new FakeResolver(_ => throw new InvalidOperationException("not expected"));

        using (var strict = WebhookHttp.CreateClient(resolver, new AddressPolicy(allowLoopback: false, allowPrivate: false)))
        {
            var error = await RefusedAsync(strict, url);
            RefusalIn(error)!.Message.Should().Contain("loopback");
        }
        receiver.Received.Should().BeEmpty();

        using var allowed = WebhookHttp.CreateClient(resolver, LoopbackOnly);
        using var response = await allowed.PostAsync(url, new StringContent("{}"));
        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        receiver.Received.Should().HaveCount(1);
    }

    [Fact]
    public async Task A_name_is_connected_to_the_address_the_check_passed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var resolver = new FakeResolver(_ => [IPAddress.Loopback]);
        using var client = WebhookHttp.CreateClient(resolver, LoopbackOnly);

        using var response = await client.PostAsync($"http://agent.example:{receiver.Port}/hook", new StringContent("{}"));

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        resolver.Asked.Should().Equal("agent.example");
        receiver.Received.Should().HaveCount(1);
    }

    [Fact]
    public async Task Redirects_are_not_followed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (_, n) => n == 0 ? new ReceiverAnswer(307) : new ReceiverAnswer(204);
        using var client = WebhookHttp.CreateClient(new FakeResolver(_ => [IPAddress.Loopback]), LoopbackOnly);

        using var response = await client.PostAsync(receiver.Url, new StringContent("{}"));

        response.StatusCode.Should().Be(HttpStatusCode.TemporaryRedirect);
        receiver.Received.Should().HaveCount(1);
    }
}
