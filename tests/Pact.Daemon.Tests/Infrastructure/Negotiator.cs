using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Core.Contracts;
using Pact.Core.Crypto;

namespace Pact.Daemon.Tests.Infrastructure;

/// <summary>An agent driven through the SDK, with its principal's key so it can sign principal authorizations.</summary>
public sealed class Negotiator
{
    private Negotiator(PactClient client, AgentKey key, KeyPair principal, string name)
    {
        Client = client;
        Key = key;
        Principal = principal;
        Name = name;
    }

    public PactClient Client { get; }

    public AgentKey Key { get; }

    public KeyPair Principal { get; }

    public string Name { get; }

    public string Did => Key.Did;

    public PrincipalAuthority Authority => PrincipalAuthority.Signature(Principal);

    public static async Task<Negotiator> RegisterAsync(DaemonHost host, string name, string kind = "organization", TimeProvider? clock = null)
    {
        var key = AgentKey.Generate();
        var principal = KeyPair.Generate();
        var http = new HttpClient { BaseAddress = host.BaseAddress };
        var client = new PactClient(http, key, new PactClientOptions { TimeProvider = clock ?? TimeProvider.System, AdminToken = DaemonHost.AdminToken });
        await client.RegisterAsync(new Principal(principal.Did, kind, name), name);
        return new Negotiator(client, key, principal, name);
    }

    public JsonObject PartyJson(string kind = "organization") => new()
    {
        ["agent"] = Did,
        ["principal"] = new JsonObject { ["id"] = Principal.Did, ["kind"] = kind, ["name"] = Name },
    };

    /// <summary>Standard-tier kitchen-remodel terms drafted by the daemon, with this agent as party a.</summary>
    public async Task<JsonObject> DraftAsync(Negotiator other, string? compactId = null, string tier = "standard", DateTimeOffset? from = null, DateTimeOffset? until = null)
    {
        var start = from ?? new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var end = until ?? start.AddYears(1);
        return (await Client.DraftAsync(tier, "contractor-and-service",
            new JsonObject { ["a"] = PartyJson(), ["b"] = other.PartyJson("human") },
            new JsonObject
            {
                ["interaction"] = "Kitchen remodel as described in scope-of-work SOW-17",
                ["effective"] = new JsonObject
                {
                    ["from"] = Pact.Core.Time.Timestamp.ToText(start),
                    ["until"] = Pact.Core.Time.Timestamp.ToText(end),
                },
            },
            compactId: compactId ?? "cmp_" + Guid.NewGuid().ToString("N")[..12])).Terms;
    }

    /// <summary>Proposes these terms in the session and has the other party countersign: the compact goes in force.</summary>
    public async Task<CompactRecordInfo> NegotiateAsync(Negotiator other, string sessionId, JsonObject terms)
    {
        var proposal = await Client.ProposeAsync(sessionId, terms, Authority);
        return await other.Client.SignProposalAsync(proposal.ProposalId, other.Authority);
    }

    /// <summary>Version 2 of the compact whose version 1 has these <paramref name="terms"/> and <paramref name="compactHash"/>: the same terms, with its predecessor.</summary>
    public static JsonObject Successor(JsonObject terms, string compactHash)
    {
        var v2 = (JsonObject)terms.DeepClone();
        v2["version"] = 2;
        v2["predecessor"] = new JsonObject { ["version"] = 1, ["compactHash"] = compactHash };
        return v2;
    }

    /// <summary>
    /// Makes drafted <paramref name="terms"/> depend on version 1 of <paramref name="upstreamCompactId"/>, ending on
    /// <paramref name="trigger"/> ("revocation" or "expiration"), with every retained category deleted then.
    /// </summary>
    public static JsonObject DependOn(JsonObject terms, string upstreamCompactId, string trigger)
    {
        terms["upstream"] = new JsonArray(new JsonObject { ["compactId"] = upstreamCompactId, ["version"] = 1, ["on"] = new JsonArray(trigger) });
        foreach (var side in new[] { "a", "b" })
        {
            foreach (var entry in terms["retention"]![side]!.AsArray())
                entry!["disposition"]!["upstream"] = new JsonObject { ["action"] = "delete" };
        }
        return terms;
    }
}
