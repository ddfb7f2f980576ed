using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Samples;
using Pact.Core.Compacts;
using Pact.Core.Contracts;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.Json;
using Pact.Core.Time;

namespace Pact.Samples.KitchenRemodel;

/// <summary>What the sample negotiated and what it checked.</summary>
/// <param name="SessionId">The session the negotiation ran in.</param>
/// <param name="CompactId">The compact's id.</param>
/// <param name="CompactHash">The in-force record's compactHash.</param>
/// <param name="Status">The compact's status as the daemon reports it afterwards ("in-force").</param>
/// <param name="CopiesIdentical">The contractor's and the homeowner's copies of the record are identical under JCS.</param>
/// <param name="RecordVerifies">The record's hash, both parties' signatures and the daemon's signature verify locally.</param>
public sealed record KitchenRemodelOutcome(string SessionId, string CompactId, string CompactHash, string Status, bool CopiesIdentical, bool RecordVerifies)
{
    /// <summary>True when the compact is in force and both checks passed.</summary>
    public bool Succeeded => Status == "in-force" && CopiesIdentical && RecordVerifies;
}

/// <summary>
/// A contractor's agent and a homeowner's agent agree on a kitchen remodel: the contractor proposes standard-tier
/// terms drafted from the contractor-and-service library, the homeowner counters once with a narrower scope, and the
/// contractor countersigns. Keys live in memory only; every run registers two new agents.
/// </summary>
public static class KitchenRemodelSample
{
    public const string OutOfScope = "Cabinet refinishing and appliance installation are not covered.";

    public static Task<int> Main(string[] args) => SampleHost.RunAsync(args, SampleOptions.ParseUrlOnly,
        "dotnet run --project samples/kitchen-remodel -- [--url http://127.0.0.1:7700]",
        daemon => daemon,
        async (daemon, stop) => (await RunAsync(daemon, Console.Out, stop)).Succeeded ? 0 : 1);

    /// <summary>Runs the whole negotiation against the daemon at <paramref name="daemon"/>, narrating to <paramref name="output"/>.</summary>
    /// <param name="daemon">The daemon's base URL.</param>
    /// <param name="output">Where the narration goes.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <exception cref="HttpRequestException">The daemon cannot be reached.</exception>
    /// <exception cref="PactApiException">The daemon refused a step.</exception>
    public static async Task<KitchenRemodelOutcome> RunAsync(Uri daemon, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(daemon);
        ArgumentNullException.ThrowIfNull(output);
        var baseAddress = daemon.AbsoluteUri.EndsWith('/') ? daemon : new Uri(daemon.AbsoluteUri + "/");
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

        var info = await new PactClient(http).GetDaemonAsync(cancellationToken);
        output.WriteLine($"Daemon      {info.DaemonId} ({info.Origin}, {info.Protocol}, library {string.Join(", ", info.Stdlib)})");

        var contractor = await Party.RegisterAsync(http, "Acme Remodeling", PrincipalKinds.Organization, cancellationToken);
        output.WriteLine($"Contractor  {contractor.Did} acting for {contractor.Name} ({contractor.Kind})");
        var homeowner = await Party.RegisterAsync(http, "Dana Homeowner", PrincipalKinds.Human, cancellationToken);
        output.WriteLine($"Homeowner   {homeowner.Did} acting for {homeowner.Name} ({homeowner.Kind})");

        var sessionId = (await contractor.Client.CreateSessionAsync([contractor.Did, homeowner.Did], "Kitchen remodel", cancellationToken: cancellationToken)).SessionId;
        output.WriteLine($"Session     {sessionId}");

        // The library turns a tier and a scope into complete, explicit terms; the work starts next month and runs a year.
        var start = TimeProvider.System.GetUtcNow();
        var from = new DateTimeOffset(start.Year, start.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
        var terms = (await contractor.Client.DraftAsync("standard", "contractor-and-service",
            new JsonObject { ["a"] = contractor.PartyJson(), ["b"] = homeowner.PartyJson() },
            new JsonObject
            {
                ["interaction"] = "Kitchen remodel: demolition, cabinets, counters and lighting per scope-of-work SOW-17",
                ["effective"] = new JsonObject { ["from"] = Timestamp.ToText(from), ["until"] = Timestamp.ToText(from.AddYears(1)) },
            },
            cancellationToken: cancellationToken)).Terms;
        var compactId = terms["compactId"]!.GetValue<string>();
        var proposal = await contractor.Client.ProposeAsync(sessionId, terms, contractor.Authority, cancellationToken: cancellationToken);
        output.WriteLine($"Proposal    {proposal.ProposalId} by the contractor: standard tier, compact {compactId}, termsHash {proposal.TermsHash}");

        // The homeowner narrows the scope once; a counter-proposal replaces the open one.
        var countered = (JsonObject)terms.DeepClone();
        countered["scope"]!["outOfScope"] = OutOfScope;
        var counter = await homeowner.Client.ProposeAsync(sessionId, countered, homeowner.Authority, replaces: proposal.ProposalId, cancellationToken: cancellationToken);
        output.WriteLine($"Counter     {counter.ProposalId} by the homeowner: outOfScope \"{OutOfScope}\"");

        var record = await contractor.Client.SignProposalAsync(counter.ProposalId, contractor.Authority, cancellationToken);
        var compactHash = record.CompactHash;
        var compact = await homeowner.Client.GetCompactAsync(compactId, cancellationToken);
        output.WriteLine($"Signed      by the contractor: compact {compactId} version {compact.CurrentVersion} is {compact.Status}");
        output.WriteLine($"compactHash {compactHash}");

        // Each party fetches its own copy; both must be the record the signer was handed, byte for byte under JCS.
        var contractorCopy = Jcs.CanonicalString((await contractor.Client.GetCompactVersionAsync(compactId, 1, cancellationToken)).ToJson());
        var homeownerCopy = Jcs.CanonicalString((await homeowner.Client.GetCompactVersionAsync(compactId, 1, cancellationToken)).ToJson());
        var identical = contractorCopy == homeownerCopy && contractorCopy == Jcs.CanonicalString(record.ToJson());
        output.WriteLine($"Copies      contractor's and homeowner's records identical: {(identical ? "yes" : "NO")}");

        var (parsed, error) = SignedCompactRecord.FromJson(record.ToJson());
        var verification = parsed?.Verify(Base64Url.Decode(info.PublicKey));
        var verifies = error is null && verification is { IsValid: true } && parsed!.ComputeCompactHash() == compactHash;
        output.WriteLine($"Verified    compactHash, both signatures and the daemon's signature: {(verifies ? "yes" : "NO " + (error?.Detail ?? verification?.Failure?.Message))}");

        return new KitchenRemodelOutcome(sessionId, compactId, compactHash, compact.Status, identical, verifies);
    }

    /// <summary>An agent with its principal's key, so it can authorize compact signatures by principal signature.</summary>
    private sealed record Party(PactClient Client, KeyPair Principal, string Name, string Kind)
    {
        public string Did => Client.AgentId!;

        public PrincipalAuthority Authority => PrincipalAuthority.Signature(Principal);

        public static async Task<Party> RegisterAsync(HttpClient http, string name, string kind, CancellationToken cancellationToken)
        {
            var principal = KeyPair.Generate();
            var client = new PactClient(http, AgentKey.Generate());
            await client.RegisterAsync(new Principal(principal.Did, kind, name), name, cancellationToken: cancellationToken);
            return new Party(client, principal, name, kind);
        }

        public JsonObject PartyJson() => new()
        {
            ["agent"] = Did,
            ["principal"] = new JsonObject { ["id"] = Principal.Did, ["kind"] = Kind, ["name"] = Name },
        };
    }
}
