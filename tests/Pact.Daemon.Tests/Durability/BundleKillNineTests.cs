using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Core.Contracts;
using Pact.Core.Crypto;
using Xunit.Abstractions;

namespace Pact.Daemon.Tests.Durability;

/// <summary>
/// §15's atomicity under a real crash: the commit of an <c>all</c> bundle (its last proposal.signed, bundle.committed and
/// every compact.in-force) is one transaction, so a SIGKILL at any moment leaves either none of a bundle's compacts in
/// force or all of them — and every commit a client was told of (200) survives.
/// </summary>
public sealed class BundleKillNineTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Bundles = 16;
    private const int Members = 6;
    private const int Counterparties = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(45);

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "pact-bundle-kill9-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS temp cleaner.
        }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_kill_9_during_last_countersignatures_leaves_each_bundle_wholly_in_force_or_not_at_all()
    {
        var bundles = new List<(BundleView Bundle, BundleMemberInfo Last)>();
        var acknowledged = new ConcurrentBag<string>();
        await using (var first = await DaemonProcess.StartAsync(_dataDirectory, StartTimeout))
        {
            using var http = new HttpClient { BaseAddress = first.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            var coordinator = await Party.RegisterAsync(http, "General Contractor", PrincipalKinds.Organization);
            var others = new List<Party>();
            for (var i = 0; i < Counterparties; i++) others.Add(await Party.RegisterAsync(http, $"Trade {i}", PrincipalKinds.Human));
            var templates = new List<JsonObject>();
            foreach (var other in others) templates.Add(await DraftAsync(coordinator, other));

            for (var b = 0; b < Bundles; b++)
            {
                var session = (await coordinator.Client.CreateSessionAsync([coordinator.Key.Did, .. others.Select(o => o.Key.Did)])).SessionId;
                var terms = Enumerable.Range(0, Members).Select(m =>
                {
                    var t = (JsonObject)templates[m % Counterparties].DeepClone();
                    t["compactId"] = $"cmp_kill9-{b:D2}-{m:D2}-{Guid.NewGuid():N}"[..32];
                    return t;
                }).ToList();
                var bundle = await coordinator.Client.CreateBundleAsync(session, terms, PrincipalAuthority.Signature(coordinator.Principal),
                    BundleSelection.All(), DateTimeOffset.UtcNow.AddHours(12));
                foreach (var member in bundle.Members.Take(Members - 1))
                {
                    var signer = others.Single(o => o.Key.Did == member.Counterparty);
                    (await signer.Client.SignMemberAsync(member.ProposalId, PrincipalAuthority.Signature(signer.Principal))).InForce.Should().BeFalse();
                }
                bundles.Add((bundle, bundle.Members[^1]));
            }

            // Every bundle's last countersignature at once; the kill lands once the first commit was answered.
            var finals = bundles.Select(x => Task.Run(async () =>
            {
                var signer = others.Single(o => o.Key.Did == x.Last.Counterparty);
                try
                {
                    if ((await signer.Client.SignMemberAsync(x.Last.ProposalId, PrincipalAuthority.Signature(signer.Principal))).InForce)
                        acknowledged.Add(x.Bundle.BundleId);
                }
                catch (Exception e) when (e is HttpRequestException or PactApiException or TaskCanceledException or IOException)
                {
                    // The daemon died with this request in flight.
                }
            })).ToList();
            while (acknowledged.IsEmpty && !finals.All(t => t.IsCompleted)) await Task.Delay(5);
            (await first.KillHardAsync()).Should().Be(137);
            await Task.WhenAll(finals);
        }

        await using var second = await DaemonProcess.StartAsync(_dataDirectory, StartTimeout);
        using var readHttp = new HttpClient { BaseAddress = second.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var admin = new PactClient(readHttp, key: null, new PactClientOptions { AdminToken = DaemonProcess.AdminToken, MaxAttempts = 3 });
        var committed = 0;
        foreach (var (bundle, last) in bundles)
        {
            var after = await admin.GetBundleAsync(bundle.BundleId);
            // The restarted daemon's transcript holds: every chain, proof and recomputed commit (§15) verifies.
            var verified = await admin.VerifyAsync(bundle.SessionId);
            verified.Ok.Should().BeTrue($"session {bundle.SessionId} verifies after the kill: {verified.FirstError?.Message}");
            // The last countersignature is in the commit's transaction: without the commit it was never recorded.
            var signedLast = (await admin.GetEventsAsync(bundle.SessionId, limit: 1000)).Events
                .Any(e => e.Type == "proposal.signed" && e.Data["proposalId"]?.GetValue<string>() == last.ProposalId);
            signedLast.Should().Be(after.Status == "committed", $"bundle {bundle.BundleId}'s last proposal.signed is recorded exactly when it committed");
            var inForce = 0;
            foreach (var member in after.Members)
            {
                try
                {
                    if ((await admin.GetCompactAsync(member.CompactId)).Status == "in-force") inForce++;
                }
                catch (PactApiException e) when (e.Status == 404)
                {
                    // Never in force.
                }
            }
            inForce.Should().BeOneOf([0, Members], $"bundle {bundle.BundleId} is all or nothing");
            (after.Status == "committed").Should().Be(inForce == Members);
            if (acknowledged.Contains(bundle.BundleId)) after.Status.Should().Be("committed", "its commit was acknowledged");
            if (inForce == Members) committed++;
        }
        output.WriteLine($"{acknowledged.Count} commits acknowledged before the kill; {committed} of {Bundles} bundles in force after restart");
        acknowledged.Should().NotBeEmpty();
    }

    private static async Task<JsonObject> DraftAsync(Party a, Party b) => (await a.Client.DraftAsync("standard", "contractor-and-service",
        new JsonObject { ["a"] = a.PartyJson(), ["b"] = b.PartyJson() },
        new JsonObject
        {
            ["interaction"] = "Renovation trade, durability run",
            ["effective"] = new JsonObject { ["from"] = "2026-12-01T00:00:00.000Z", ["until"] = "2027-12-01T00:00:00.000Z" },
        })).Terms;

    private sealed record Party(PactClient Client, AgentKey Key, KeyPair Principal, string Name, string Kind)
    {
        public static async Task<Party> RegisterAsync(HttpClient http, string name, string kind)
        {
            var key = AgentKey.Generate();
            var principal = KeyPair.Generate();
            var client = new PactClient(http, key, new PactClientOptions { MaxAttempts = 1 });
            await client.RegisterAsync(new Principal(principal.Did, kind, name), name);
            return new Party(client, key, principal, name, kind);
        }

        public JsonObject PartyJson() => new()
        {
            ["agent"] = Key.Did,
            ["principal"] = new JsonObject { ["id"] = Principal.Did, ["kind"] = Kind, ["name"] = Name },
        };
    }
}
