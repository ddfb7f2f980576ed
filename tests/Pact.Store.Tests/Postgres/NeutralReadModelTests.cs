using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Events;
using Pact.Core.Negotiation;
using Pact.Core.Policies;
using Pact.Store.Postgres;
using Pact.Store.Projections;
using Pact.Store.ReadModels;
using Pact.Store.Relational;
using Pact.Store.Webhooks;
using static Pact.Store.Tests.Requests;
using Pact.Tests.Shared;

namespace Pact.Store.Tests.Postgres;

/// <summary>
/// The engine-neutral read models (sessions, checkpoints, agents, invites, nonces, policies, passports, the log clock)
/// give the same answers on PostgreSQL as on SQLite for the same writes: one scenario, run on both, compared whole.
/// </summary>
public sealed class NeutralReadModelTests
{
    private const string A = "did:key:z6MkA";
    private const string B = "did:key:z6MkB";

    [PostgresFact]
    public async Task Every_neutral_read_model_answers_the_same_on_PostgreSQL_as_on_SQLite()
    {
        using var dir = new TempDirectory();
        var sqliteSubscriptions = new SubscriptionCache();
        var postgresSubscriptions = new SubscriptionCache();
        await using var sqlite = await SqliteEventLog.OpenAsync(Options(dir) with
        {
            Migrations = Sqlite.ReadModelSchema.Migrations,
            Projections = [new NeutralProjection(new SessionProjection()), new NeutralProjection(new ProposalProjection()),
                new NeutralProjection(new CompactProjection()), new NeutralProjection(new PassportProjection()), new NeutralProjection(new LogClockProjection()),
                new NeutralProjection(new WebhookOutboxProjection(sqliteSubscriptions))],
        });
        await using var postgres = await PostgresEventLog.OpenAsync(new PostgresStoreOptions
        {
            ConnectionString = await PostgresServer.CreateDatabaseAsync(),
            Migrations = PostgresReadModelSchema.Migrations,
            Projections = [new SessionProjection(), new ProposalProjection(), new CompactProjection(), new PassportProjection(), new LogClockProjection(), new WebhookOutboxProjection(postgresSubscriptions)],
        });

        var onSqlite = await RunScenarioAsync(sqlite, r => sqlite.AppendAsync(r), sqliteSubscriptions);
        var onPostgres = await RunScenarioAsync(postgres, r => postgres.AppendAsync(r), postgresSubscriptions);

        onPostgres.Should().Be(onSqlite);
        onSqlite.Should().Contain("\"kitchen\"").And.Contain("chk_1").And.Contain("\"refused-twin\"").And.Contain("\"Retries\":[{");
    }

    /// <summary>Writes through every neutral read model and reads every answer back, as one JSON text.</summary>
    private static async Task<string> RunScenarioAsync(IRelationalEngine engine, Func<AppendRequest, Task<AppendResult>> append, SubscriptionCache subscriptions)
    {
        var answers = new JsonObject();
        var ct = CancellationToken.None;
        await append(new AppendRequest(T0, [new StreamAppend("ses_1", [Created(A, B)]), new StreamAppend("ses_2", [Created(B, "did:key:z6MkC")])]));
        await append(new AppendRequest(T0.AddSeconds(2), [new StreamAppend("ses_1", [new EventDraft(EventTypes.SessionSuspended, A, new JsonObject { ["reason"] = "r" })])]));
        // An event decided earlier than the last one: the log clock keeps it ordered by time.
        await append(new AppendRequest(T0.AddSeconds(1), [new StreamAppend("ses_2", [Checkpointed("chk_1")])]));

        var sessions = new SessionReadModel(engine);
        answers["ses_1"] = Json(await sessions.GetAsync("ses_1", ct));
        answers["state_1"] = (await sessions.GetStateAsync("ses_1", ct))!.ToJson();
        answers["list_b"] = Json(await sessions.ListAsync(B, null, null, null, 10, ct));
        answers["list_suspended"] = Json(await sessions.ListAsync(null, null, "suspended", null, 10, ct));
        answers["list_after"] = Json(await sessions.ListAsync(null, A, null, "ses_0", 1, ct));
        answers["of_b"] = Json((await sessions.SessionsOfAsync(B, ct)).Order(StringComparer.Ordinal));
        var checkpoints = new SessionCheckpointReadModel(engine);
        answers["checkpoints"] = Json(await checkpoints.ListAsync("ses_2", ct));
        answers["nearest"] = Json(await checkpoints.NearestAsync("ses_2", 5, ct));
        answers["checkpoint"] = Json(await checkpoints.GetAsync("chk_1", ct));

        var agents = new AgentDirectory(engine);
        var agent = new AgentRecord(A, "pk", new JsonObject { ["name"] = "Ann" }, null, "2026-11-21T00:00:00.000Z");
        answers["inserted"] = await engine.WriteAsync(c => AgentDirectory.Insert(c, agent));
        answers["inserted_again"] = await engine.WriteAsync(c => AgentDirectory.Insert(c, agent with { PublicKey = "other" }));
        answers["agent"] = Json(await agents.GetAsync(A, ct));
        answers["unknown_agent"] = await agents.IsRegisteredAsync(B, ct);
        await agents.CreateInviteAsync("inv_1", "2026-12-01T00:00:00.000Z", ct);
        answers["consumed"] = await engine.WriteAsync(c => AgentDirectory.ConsumeInvite(c, "inv_1", A, T0));
        answers["consumed_again"] = await engine.WriteAsync(c => AgentDirectory.ConsumeInvite(c, "inv_1", B, T0));

        var nonces = new NonceStore(engine);
        var nonce = new NonceRecord(A, "n1", T0, "h", 201, "{\"ok\":true}");
        await engine.WriteAsync(c => { nonces.Remember(c, nonce); return 0; });
        try
        {
            await engine.WriteAsync(c => { nonces.Remember(c, nonce with { Body = "twin" }); return 0; });
        }
        catch (DuplicateNonceException)
        {
            answers["twin"] = "refused-twin";
        }
        answers["nonce"] = Json(await nonces.FindAsync(A, "n1", ct));
        answers["pruned"] = await nonces.PruneAsync(T0.AddHours(1), ct);
        answers["nonce_after_prune"] = Json(await new NonceStore(engine).FindAsync(A, "n1", ct));

        var document = new JsonObject { ["name"] = "p", ["rules"] = new JsonArray() };
        var policy = new PolicyRecord(PolicyDocument.HashOf(document), "p", document, 0, A, "2026-11-21T00:00:00.000Z");
        answers["published"] = await engine.WriteAsync(c => PolicyStore.Insert(c, policy));
        answers["published_again"] = await engine.WriteAsync(c => PolicyStore.Insert(c, policy));
        answers["policy"] = Json(await new PolicyStore(engine).GetAsync(policy.PolicyHash, ct));

        var passports = new PassportReadModel(engine);
        answers["clock"] = new JsonArray(await Task.WhenAll(new[] { -1, 0, 1, 2, 3 }.Select(async s =>
            (JsonNode?)await passports.LastSeqAtOrBeforeAsync(Pact.Core.Time.Timestamp.ToText(T0.AddSeconds(s)), ct))));
        answers["time_of_2"] = await passports.TimeOfAsync(2, ct);
        answers["passport"] = Json(await passports.GetAsync(A, 4, Pact.Core.Time.Timestamp.ToText(T0.AddSeconds(3)), ct));

        var outbox = new WebhookOutbox(engine, subscriptions);
        var subscription = new SubscriptionRecord("sub_1", A, "https://example.test/hook", ["session.*"], null, "all of A's", "2026-11-21T00:00:00.000Z",
            4, SubscriptionRecord.Active, null, null, 0);
        await engine.WriteAsync(c =>
        {
            WebhookOutbox.Insert(c, subscription, "sealed");
            subscriptions.Put(ActiveSubscription.From(subscription));
            return 0;
        });
        await append(new AppendRequest(T0.AddSeconds(3), [new StreamAppend("ses_1", [new EventDraft(EventTypes.SessionResumed, A, new JsonObject())]),
            new StreamAppend("ses_2", [new EventDraft(EventTypes.SessionSuspended, B, new JsonObject { ["reason"] = "not A's" })])]));
        var nowMs = T0.AddSeconds(10).ToUnixTimeMilliseconds();
        var due = await outbox.LoadDueAsync(nowMs, 10, ct);
        answers["due"] = Json(due);
        answers["first"] = Json(await outbox.LoadFirstAttemptsAsync("sub_1", 0, nowMs, 10, ct));
        var retry = new RetryPolicy((attempt, now, _) => now.AddSeconds(attempt), 3);
        answers["recorded"] = Json(await outbox.RecordAsync(new AttemptOutcome(due.FirstAttempts[0].DeliveryId, T0.AddSeconds(10), T0.AddSeconds(11),
            new AttemptResult(500, null, "server error")), retry, ct));
        answers["due_later"] = Json(await outbox.LoadDueAsync(T0.AddSeconds(20).ToUnixTimeMilliseconds(), 10, ct));
        answers["deliveries"] = Json(await outbox.ListDeliveriesAsync("sub_1", 0, null, 10, ct));
        answers["subscription"] = Json(await outbox.GetAsync("sub_1", ct));
        answers["subscriptions"] = Json(await outbox.ListAsync(A, null, 10, ct));
        answers["target"] = Json(await outbox.GetTargetAsync("sub_1", ct));
        answers["deleted"] = await outbox.DeleteAsync("sub_1", ct);
        answers["after_delete"] = Json(await outbox.ListDeliveriesAsync("sub_1", 0, null, 10, ct));
        // Delivery ids are new random ids on each engine; everything else must match.
        return System.Text.RegularExpressions.Regex.Replace(answers.ToJsonString(), "dlv_[0-9A-Za-z]+", "dlv_*");
    }

    private static JsonNode? Json<T>(T value) => JsonSerializer.SerializeToNode(value);

    private static EventDraft Created(params string[] participants) => new(EventTypes.SessionCreated, participants[0], new JsonObject
    {
        ["participants"] = new JsonArray([.. participants.Select(p => (JsonNode?)p)]),
        ["topic"] = "kitchen",
        ["metadata"] = new JsonObject { ["z"] = 1, ["a"] = new JsonArray("x", null) },
    });

    private static EventDraft Checkpointed(string id) => new(EventTypes.SessionCheckpointed, B, new JsonObject
    {
        ["checkpointId"] = id,
        ["stateHash"] = new string('5', 64),
        ["label"] = "before",
    });
}
