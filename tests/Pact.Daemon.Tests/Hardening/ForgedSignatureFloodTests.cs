using System.Net;
using System.Text.Json.Nodes;
using Pact.Core.Envelopes;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests.Hardening;

/// <summary>
/// Signatures that do not verify spend a budget per client address, checked before verifying: a flood of forgeries
/// gets 429s that cost no verification, while valid signatures never spend it.
/// </summary>
public class ForgedSignatureFloodTests
{
    [Fact]
    public async Task An_address_past_its_invalid_signature_budget_is_refused_before_verification()
    {
        await using var host = await DaemonHost.StartAsync(settings: new Dictionary<string, string>
        {
            ["Pact:Limits:InvalidSignaturesPerWindow"] = "5",
            ["Pact:Limits:RateWindowSeconds"] = "3600",
        });
        using var http = host.CreateHttpClient();
        var agent = new TestAgent(http, await TestAgent.DaemonIdOf(http));
        (await agent.RegisterAsync()).Status.Should().Be(HttpStatusCode.Created);

        // Valid signatures spend nothing of it.
        for (var i = 0; i < 8; i++) (await agent.PostAsync("/v1/auth/token", "auth.token")).Status.Should().Be(HttpStatusCode.OK);

        for (var i = 0; i < 5; i++)
        {
            var forged = await agent.PostRawAsync("/v1/auth/token", Forged(agent));
            forged.Code.Should().Be("PACT-201", $"forgery {i + 1} is within the budget and gets verified");
        }
        var flooded = await agent.PostRawAsync("/v1/auth/token", Forged(agent));
        flooded.Status.Should().Be(HttpStatusCode.TooManyRequests);
        flooded.Code.Should().Be("PACT-429");
        flooded.Headers.Headers.RetryAfter.Should().NotBeNull();

        // The address is refused before verification, whoever signs.
        (await agent.PostAsync("/v1/auth/token", "auth.token")).Code.Should().Be("PACT-429");
    }

    private static string Forged(TestAgent agent)
    {
        var json = agent.Sign("auth.token").ToJson();
        var sig = json["sig"]!.GetValue<string>();
        json["sig"] = (sig[0] == 'A' ? "B" : "A") + sig[1..];
        return json.ToJsonString();
    }
}
