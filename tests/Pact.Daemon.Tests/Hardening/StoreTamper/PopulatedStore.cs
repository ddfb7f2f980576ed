using Microsoft.Extensions.Time.Testing;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Daemon.Tests.Webhooks;

namespace Pact.Daemon.Tests.Hardening.StoreTamper;

/// <summary>
/// A stopped daemon's data directory with a bit of everything in it: sessions (one terminated), proposals signed,
/// declined, withdrawn and expired (a failure event), compacts in force and revoked, a marker, session checkpoints, a
/// webhook subscription with delivered deliveries, log checkpoints, and bearer tokens minted while it ran. The clock
/// is frozen at the end, so every later start on a copy sees the same instant and answers the same.
/// </summary>
internal sealed class PopulatedStore
{
    public required string Directory { get; init; }

    public required FakeTimeProvider Clock { get; init; }

    /// <summary>Every GET the tamper test compares: a path, and the bearer token to send (null: none).</summary>
    public required IReadOnlyList<(string Path, string? Token, string? Accept)> Reads { get; init; }

    public static async Task<PopulatedStore> CreateAsync(string directory)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
        var reads = new List<(string, string?, string?)>();
        var admin = DaemonHost.AdminToken;
        await using var receiver = await WebhookReceiver.StartAsync();
        var host = await DaemonHost.StartAsync(clock, dataDirectory: directory, store: DaemonStore.Sqlite);
        try
        {
            using var http = host.CreateHttpClient();
            var daemonId = await TestAgent.DaemonIdOf(http);
            var a = await Negotiator.RegisterAsync(host, "A", clock: clock);
            var b = await Negotiator.RegisterAsync(host, "B", "human", clock);
            var c = await Negotiator.RegisterAsync(host, "C", clock: clock);
            await a.Client.CreateInviteAsync("P7D");
            await a.Client.CreateInviteAsync();
            var subscription = (await b.Client.CreateSubscriptionAsync(receiver.Url, description: "everything B sees")).SubscriptionId;

            var remodel = (await a.Client.CreateSessionAsync([a.Did, b.Did], "kitchen remodel", new System.Text.Json.Nodes.JsonObject { ["ref"] = "SOW-17" })).SessionId;
            var terms = await a.DraftAsync(b, from: clock.GetUtcNow().AddDays(-1));
            var remodelCompact = terms["compactId"]!.GetValue<string>();
            var signed = await a.Client.ProposeAsync(remodel, terms, a.Authority);
            await b.Client.SignProposalAsync(signed.ProposalId, b.Authority);
            var afterSigning = await a.Client.CheckpointAsync(remodel, "after signing");
            var declined = await a.Client.ProposeAsync(remodel, await a.DraftAsync(b), a.Authority);
            await b.Client.DeclineAsync(declined.ProposalId, "not now", declined.TermsHash);
            var marker = await a.Client.RecordMarkerAsync(remodelCompact, "work-complete");
            await b.Client.AcknowledgeMarkerAsync(remodelCompact, marker.MarkerId, marker.InitiationHash);
            var revocation = await a.Client.RevokeAsync(remodelCompact, 1, "moving house");
            await b.Client.AcknowledgeRevocationAsync(remodelCompact, revocation.RevocationId, revocation.InitiationHash);
            await a.Client.CheckpointAsync(remodel, "after the revocation");

            var triple = (await b.Client.CreateSessionAsync([a.Did, b.Did, c.Did], "three parties")).SessionId;
            var plumbing = await c.DraftAsync(a);
            var plumbingCompact = plumbing["compactId"]!.GetValue<string>();
            var inForce = await c.Client.ProposeAsync(triple, plumbing, c.Authority);
            await a.Client.SignProposalAsync(inForce.ProposalId, a.Authority);
            var withdrawn = await c.Client.ProposeAsync(triple, await c.DraftAsync(a), c.Authority);
            await c.Client.WithdrawAsync(withdrawn.ProposalId, withdrawn.TermsHash);
            var expired = await a.Client.ProposeAsync(triple, await a.DraftAsync(b), a.Authority);
            await b.Client.CheckpointAsync(triple, "before the expiry");
            // Past every proposal and acknowledgment deadline: the expiry and its failure events are recorded.
            clock.Advance(TimeSpan.FromDays(15));
            for (var i = 0; i < 200 && (await a.Client.GetProposalAsync(expired.ProposalId)).Status != "expired"; i++) await Task.Delay(20);

            var shortLived = (await c.Client.CreateSessionAsync([a.Did, c.Did], "short-lived")).SessionId;
            await c.Client.CheckpointAsync(shortLived);
            await c.Client.TerminateSessionAsync(shortLived);

            for (var i = 0; i < 300 && (await b.Client.ListDeliveriesAsync(subscription, status: "pending")).Deliveries.Count > 0; i++) await Task.Delay(20);
            var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var n in new[] { a, b, c }) tokens[n.Did] = await new TestAgent(http, daemonId, n.Key.KeyPair, clock).TokenAsync();
            var log = await a.Client.GetCheckpointAsync();

            reads.Add(("/v1/daemon", null, null));
            reads.Add(("/v1/stdlib", null, null));
            reads.Add(("/v1/sessions", admin, null));
            reads.Add(("/v1/compacts", admin, null));
            foreach (var n in new[] { a, b, c })
            {
                var token = tokens[n.Did];
                reads.Add(($"/v1/agents/{n.Did}", token, null));
                reads.Add(($"/v1/agents/{n.Did}/passport", token, null));
                reads.Add(("/v1/agents/me/pending", token, null));
                reads.Add(("/v1/sessions", token, null));
                reads.Add(("/v1/compacts?party=me", token, null));
            }
            foreach (var session in new[] { remodel, triple, shortLived })
            {
                foreach (var tail in new[] { "", "/state", "/state?at=1", "/state?at=2", "/events", "/verify", "/export" })
                    reads.Add(($"/v1/sessions/{session}{tail}", admin, null));
            }
            reads.Add(($"/v1/sessions/{remodel}/state?at={afterSigning.StreamSeq}", admin, null));
            reads.Add(($"/v1/sessions/{remodel}/state?at={afterSigning.StreamSeq + 1}", admin, null));
            foreach (var proposal in new[] { signed.ProposalId, declined.ProposalId, inForce.ProposalId, withdrawn.ProposalId, expired.ProposalId })
                reads.Add(($"/v1/proposals/{proposal}", admin, null));
            foreach (var compact in new[] { remodelCompact, plumbingCompact })
            {
                foreach (var tail in new[] { "", "/versions/1", "/dispositions" })
                    reads.Add(($"/v1/compacts/{compact}{tail}", admin, null));
            }
            reads.Add(($"/v1/compacts/{remodelCompact}/revocations/{revocation.RevocationId}", admin, null));
            reads.Add(($"/v1/compacts/{remodelCompact}/markers/{marker.MarkerId}", admin, null));
            reads.Add(("/v1/subscriptions", tokens[b.Did], null));
            reads.Add(($"/v1/subscriptions/{subscription}", tokens[b.Did], null));
            reads.Add(($"/v1/subscriptions/{subscription}/deliveries", tokens[b.Did], null));
            reads.Add(("/v1/log/checkpoint", null, null));
            reads.Add(("/v1/log/checkpoint", null, "application/json"));
            foreach (var seq in new[] { 1, log.TreeSize / 2, log.TreeSize })
                reads.Add(($"/v1/log/proof/inclusion?seq={seq}&treeSize={log.TreeSize}", null, null));
        }
        finally
        {
            // A graceful stop signs the last checkpoint and folds the WAL into pact.db.
            await host.StopAsync();
        }
        return new PopulatedStore { Directory = directory, Clock = clock, Reads = reads };
    }
}
