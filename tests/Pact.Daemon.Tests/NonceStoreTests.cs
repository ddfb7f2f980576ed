using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pact.Core.Envelopes;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;

namespace Pact.Daemon.Tests;

public sealed class NonceStoreTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero));
    private DaemonHost _host = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _host = await DaemonHost.StartAsync(_clock);
        _http = _host.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    private INonceStore Nonces => _host.Services.GetRequiredService<INonceStore>();

    [Fact]
    public async Task Pruning_forgets_only_expired_nonces_and_a_fresh_resend_still_gets_its_original_answer()
    {
        var daemonId = await TestAgent.DaemonIdOf(_http);
        var a = new TestAgent(_http, daemonId, clock: _clock);
        var b = new TestAgent(_http, daemonId, clock: _clock);
        (await a.RegisterAsync("A")).Status.Should().Be(HttpStatusCode.Created);
        (await b.RegisterAsync("B")).Status.Should().Be(HttpStatusCode.Created);
        var early = a.Sign("session.create", new JsonObject { ["participants"] = new JsonArray(a.Did, b.Did) });
        (await a.PostAsync("/v1/sessions", early)).Status.Should().Be(HttpStatusCode.Created);

        // Four minutes later a second request; then a prune at a time only the first three envelopes have expired by.
        _clock.Advance(TimeSpan.FromMinutes(4));
        var late = a.Sign("session.create", new JsonObject { ["participants"] = new JsonArray(a.Did, b.Did), ["topic"] = "later" });
        var answered = await a.PostAsync("/v1/sessions", late);
        answered.Status.Should().Be(HttpStatusCode.Created);
        var removed = await Nonces.PruneAsync(_clock.GetUtcNow() + TimeSpan.FromMinutes(2), CancellationToken.None);

        removed.Should().Be(3, "the two registrations and the first session.create expired; the later one has not");
        (await Nonces.FindAsync(a.Did, early.Nonce, CancellationToken.None)).Should().BeNull();
        (await Nonces.FindAsync(a.Did, late.Nonce, CancellationToken.None)).Should().NotBeNull();
        var resend = await a.PostAsync("/v1/sessions", late);
        resend.Status.Should().Be(HttpStatusCode.Created);
        resend.Text.Should().Be(answered.Text, "a resend inside the window replays the stored answer after a prune");
        (await Nonces.FindAsync(a.Did, early.Nonce, CancellationToken.None)).Should().BeNull();
    }
}
