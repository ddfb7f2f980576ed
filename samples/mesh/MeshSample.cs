using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Core.Contracts;
using Pact.Core.Crypto;
using Pact.Core.Time;

namespace Pact.Samples.Mesh;

/// <summary>
/// The homeowner–contractor–plumber mesh: the contractor's compact with the plumber depends on its compact with
/// the homeowner. When the homeowner revokes the remodel, the plumbing compact is revoked too, with no
/// acknowledgment awaited, and the plumber's copy of the property access details must be deleted.
/// </summary>
public static class MeshSample
{
    /// <summary>What the run ended with, for callers that check it.</summary>
    public sealed record Outcome(string RemodelCompactId, string PlumbingCompactId, string PlumbingStatus, string AccessCheckCode);

    public static async Task<Outcome> RunAsync(Uri daemon, TextWriter output, CancellationToken ct = default)
    {
        var homeowner = await Party.RegisterAsync(daemon, "Dana Homeowner", "human", ct);
        var contractor = await Party.RegisterAsync(daemon, "Acme Remodeling", "organization", ct);
        var plumber = await Party.RegisterAsync(daemon, "Pipe Pros", "organization", ct);
        output.WriteLine($"homeowner  {homeowner.Did}");
        output.WriteLine($"contractor {contractor.Did}");
        output.WriteLine($"plumber    {plumber.Did}");

        // 1. The remodel: contractor (a) and homeowner (b).
        var kitchen = (await contractor.Client.CreateSessionAsync([contractor.Did, homeowner.Did], "kitchen remodel", cancellationToken: ct)).SessionId;
        var remodel = await contractor.DraftAsync(homeowner, "Kitchen remodel, scope of work SOW-17", ct);
        var remodelId = remodel["compactId"]!.GetValue<string>();
        await Negotiate(contractor, homeowner, kitchen, remodel, ct);
        output.WriteLine($"in force: {remodelId} (remodel)");

        // 2. The plumbing subcontract names the remodel upstream: its revocation triggers this compact's end,
        //    and every category is deleted when that happens.
        var plumbingSession = (await contractor.Client.CreateSessionAsync([contractor.Did, plumber.Did], "plumbing", cancellationToken: ct)).SessionId;
        var plumbing = await contractor.DraftAsync(plumber, "Plumbing for the kitchen remodel", ct);
        plumbing["upstream"] = new JsonArray(new JsonObject { ["compactId"] = remodelId, ["version"] = 1, ["on"] = new JsonArray("revocation") });
        foreach (var side in new[] { "a", "b" })
        {
            foreach (var entry in plumbing["retention"]![side]!.AsArray())
                entry!["disposition"]!["upstream"] = new JsonObject { ["action"] = "delete" };
        }
        var plumbingId = plumbing["compactId"]!.GetValue<string>();
        await Negotiate(contractor, plumber, plumbingSession, plumbing, ct);
        output.WriteLine($"in force: {plumbingId} (plumbing, upstream {remodelId})");

        var before = await plumber.Client.CheckAsync(plumbingId, "b", "retain", "property-access-details", cancellationToken: ct);
        output.WriteLine($"plumber may keep the access details: {Yes(before.Allowed)} — {before.Explanation}");

        // 3. The homeowner revokes the remodel (an emergency revocation, which the standard tier allows) and the contractor acknowledges.
        var revocation = await homeowner.Client.RevokeAsync(remodelId, 1, "The house is being sold", emergency: true, cancellationToken: ct);
        await contractor.Client.AcknowledgeRevocationAsync(remodelId, revocation.RevocationId, revocation.InitiationHash, ct);
        output.WriteLine($"revoked: {remodelId}");

        var status = (await plumber.Client.GetCompactAsync(plumbingId, ct)).Status;
        var after = await plumber.Client.CheckAsync(plumbingId, "b", "retain", "property-access-details", cancellationToken: ct);
        output.WriteLine($"plumbing compact is now {status}");
        output.WriteLine($"plumber may keep the access details: {Yes(after.Allowed)} ({after.Code}) — {after.Explanation}");
        return new Outcome(remodelId, plumbingId, status, after.Code);
    }

    private static string Yes(bool allowed) => allowed ? "true" : "false";

    private static async Task Negotiate(Party proposer, Party other, string session, JsonObject terms, CancellationToken ct)
    {
        var proposal = await proposer.Client.ProposeAsync(session, terms, proposer.Authority, cancellationToken: ct);
        await other.Client.SignProposalAsync(proposal.ProposalId, other.Authority, ct);
    }

    /// <summary>An agent with its own key and its principal's key, both generated for the run.</summary>
    private sealed record Party(PactClient Client, AgentKey Key, KeyPair Principal, string Name, string Kind)
    {
        public string Did => Key.Did;

        public PrincipalAuthority Authority => PrincipalAuthority.Signature(Principal);

        public static async Task<Party> RegisterAsync(Uri daemon, string name, string kind, CancellationToken ct)
        {
            var key = AgentKey.Generate();
            var principal = KeyPair.Generate();
            var client = new PactClient(new HttpClient { BaseAddress = daemon }, key);
            await client.RegisterAsync(new Principal(principal.Did, kind, name), name, cancellationToken: ct);
            return new Party(client, key, principal, name, kind);
        }

        public JsonObject PartyJson() => new()
        {
            ["agent"] = Did,
            ["principal"] = new JsonObject { ["id"] = Principal.Did, ["kind"] = Kind, ["name"] = Name },
        };

        public async Task<JsonObject> DraftAsync(Party other, string interaction, CancellationToken ct)
        {
            var from = DateTimeOffset.UtcNow.Date;
            return (await Client.DraftAsync("standard", "contractor-and-service",
                new JsonObject { ["a"] = PartyJson(), ["b"] = other.PartyJson() },
                new JsonObject
                {
                    ["interaction"] = interaction,
                    ["effective"] = new JsonObject
                    {
                        ["from"] = Timestamp.ToText(new DateTimeOffset(from, TimeSpan.Zero)),
                        ["until"] = Timestamp.ToText(new DateTimeOffset(from.AddYears(1), TimeSpan.Zero)),
                    },
                },
                cancellationToken: ct)).Terms;
        }
    }
}
