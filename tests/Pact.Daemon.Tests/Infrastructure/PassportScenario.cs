using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Pact.Store;

namespace Pact.Daemon.Tests.Infrastructure;

/// <summary>Histories that passports (§16) count, played through the SDK against a daemon on a clock the test moves.</summary>
public static class PassportScenario
{
    /// <summary>
    /// A and B enter a compact effective from the day before <paramref name="clock"/>'s now; A revokes it and B stays
    /// silent past the acknowledgment deadline: a PACT-502 in stage lifecycle counted against B.
    /// <see cref="SilentCounterparty.SeqBeforeFailure"/> is the last seq before the deadline was recorded.
    /// </summary>
    public static async Task<SilentCounterparty> SilentCounterpartyAsync(DaemonHost host, FakeTimeProvider clock)
    {
        var store = host.Services.GetRequiredService<IPactStore>();
        var a = await Negotiator.RegisterAsync(host, "A", clock: clock);
        var b = await Negotiator.RegisterAsync(host, "B", "human", clock);
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var terms = await a.DraftAsync(b, from: clock.GetUtcNow().AddDays(-1));
        await a.NegotiateAsync(b, session, terms);
        var compactId = terms["compactId"]!.GetValue<string>();
        var revocation = await a.Client.RevokeAsync(compactId, 1);
        var before = store.HeadSeq;
        // The standard tier's ackTimeout is P7D. B's acknowledgment at that instant comes too late: the request first
        // records the deadline reached (§0), as the timer would, and is refused.
        clock.Advance(TimeSpan.FromDays(7));
        var late = () => b.Client.AcknowledgeRevocationAsync(compactId, revocation.RevocationId, revocation.InitiationHash);
        (await late.Should().ThrowAsync<Pact.Client.PactApiException>()).Which.Code.Should().Be("PACT-304");
        (await store.ReadAllAsync(before, 100)).Should().Contain(e => e.Type == "failure");
        return new SilentCounterparty(a, b, before);
    }
}

/// <summary>The two agents of <see cref="PassportScenario.SilentCounterpartyAsync"/> and the last seq before B's failure.</summary>
public sealed record SilentCounterparty(Negotiator A, Negotiator B, long SeqBeforeFailure);
