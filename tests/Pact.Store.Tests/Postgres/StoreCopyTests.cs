using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Policies;
using Pact.Store.Postgres;
using Pact.Store.Tests.Conformance;
using Pact.Tests.Shared;

namespace Pact.Store.Tests.Postgres;

/// <summary>Moving a SQLite deployment to PostgreSQL: the same log byte for byte, the same answers, the rows no event gives.</summary>
public sealed class StoreCopyTests
{
    [PostgresFact]
    public async Task A_copied_store_has_the_same_events_roots_checkpoints_read_models_and_rows_and_audits_clean()
    {
        using var dir = new TempDirectory();
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        await using var source = await SqlitePactStore.OpenAsync(new PactStoreOptions { DatabasePath = dir.File("pact.db"), SealKey = key });
        var generator = new PassportLogGenerator(11);
        for (var i = 0; i < 150; i++) await source.AppendAsync(generator.NextRequest());
        await source.SaveLogCheckpointAsync(new SignedLogCheckpoint(40, await source.RootAsync(40), "note 40", "2026-12-06T00:00:00.000Z"));
        await source.SaveLogCheckpointAsync(new SignedLogCheckpoint(source.HeadSeq, await source.RootAsync(source.HeadSeq), "note head", "2026-12-06T00:00:01.000Z"));
        var agent = new AgentRecord(PassportLogGenerator.Agents[0], "pk", new JsonObject { ["name"] = "A" }, "A", "2026-09-01T00:00:00.000Z");
        var document = new JsonObject { ["name"] = "p", ["rules"] = new JsonArray() };
        await source.WriteAsync(t =>
        {
            t.InsertAgent(agent);
            t.RememberNonce(new NonceRecord(agent.AgentId, "n1", Requests.T0, "h", 201, "{}"));
            t.InsertPolicy(new PolicyRecord(PolicyDocument.HashOf(document), "p", document, 0, agent.AgentId, "2026-09-01T00:00:00.000Z"));
            t.InsertSubscription(new SubscriptionRecord("sub_1", agent.AgentId, "https://example.test/h", null, null, null, "2026-09-01T00:00:00.000Z",
                source.HeadSeq, SubscriptionRecord.Active, null, null, 0), "sealed");
            return 0;
        });

        var connectionString = await PostgresServer.CreateDatabaseAsync();
        await using (var target = await PostgresPactStore.OpenAsync(new PostgresStoreOptions { ConnectionString = connectionString, SealKey = key }))
        {
            var report = await StoreCopy.CopyAsync(source, target);

            report.Events.Should().Be(source.HeadSeq);
            report.LogCheckpoints.Should().Be(2);
            report.Rows.Should().Contain(new KeyValuePair<string, int>("agents", 1)).And.Contain(new KeyValuePair<string, int>("webhook_subscriptions", 1));
        }
        await using var copy = await PostgresPactStore.OpenAsync(new PostgresStoreOptions { ConnectionString = connectionString, SealKey = key });

        (await copy.ReadRowsAsync(0, 10_000)).Should().Equal(await source.ReadRowsAsync(0, 10_000));
        (await copy.ListLogCheckpointsAsync(0, 10)).Select(c => (c.TreeSize, c.Note)).Should().Equal((await source.ListLogCheckpointsAsync(0, 10)).Select(c => (c.TreeSize, c.Note)));
        foreach (var who in PassportLogGenerator.Agents)
        {
            (await copy.Passports.GetAsync(who, copy.HeadSeq, "2027-01-01T00:00:00.000Z", CancellationToken.None)).Should()
                .BeEquivalentTo(await source.Passports.GetAsync(who, source.HeadSeq, "2027-01-01T00:00:00.000Z", CancellationToken.None));
        }
        System.Text.Json.JsonSerializer.Serialize(await copy.Proposals.ListCurrentAsync(null, null, null, 1000, CancellationToken.None)).Should()
            .Be(System.Text.Json.JsonSerializer.Serialize(await source.Proposals.ListCurrentAsync(null, null, null, 1000, CancellationToken.None)));
        System.Text.Json.JsonSerializer.Serialize(await copy.Agents.GetAsync(agent.AgentId, CancellationToken.None)).Should().Be(System.Text.Json.JsonSerializer.Serialize(agent));
        (await copy.Nonces.FindAsync(agent.AgentId, "n1", CancellationToken.None))!.Status.Should().Be(201);
        copy.Webhooks.ActiveSubscriptions.Should().ContainKey("sub_1", "the copy's writer loaded it at open");
        (await copy.AuditAsync()).IsClean.Should().BeTrue();
    }

    [PostgresFact]
    public async Task A_target_that_is_not_empty_is_refused()
    {
        using var dir = new TempDirectory();
        await using var source = await SqlitePactStore.OpenAsync(new PactStoreOptions { DatabasePath = dir.File("pact.db") });
        await using var target = await PostgresPactStore.OpenAsync(new PostgresStoreOptions { ConnectionString = await PostgresServer.CreateDatabaseAsync() });
        await target.AppendAsync(Requests.Append("ses_x", 1));

        var copy = () => StoreCopy.CopyAsync(source, target);
        await copy.Should().ThrowAsync<InvalidOperationException>().WithMessage("*already holds 1 events*");
    }
}
