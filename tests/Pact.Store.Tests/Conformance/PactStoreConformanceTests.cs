using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Events;
using Pact.Core.Negotiation;
using Pact.Core.Sessions;
using Pact.Tests.Shared;

namespace Pact.Store.Tests.Conformance;

/// <summary>
/// What every <see cref="IPactStore"/> must do, through the interface alone: an implementation runs this suite by
/// deriving from it and saying how to open its store (the SQLite fixture is <see cref="SqlitePactStoreConformanceTests"/>).
/// </summary>
public abstract partial class PactStoreConformanceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 22, 33, 31, 123, TimeSpan.Zero);
    private protected const string Session = "ses_01JD0000000000000000000001";
    private const string A = "did:key:z6MkA";
    private const string B = "did:key:z6MkB";

    private IPactStore? _store;

    /// <summary>Opens the store under test; called again in a test after the previous one was disposed, it must open the same data.</summary>
    protected abstract Task<IPactStore> OpenStoreAsync();

    protected IPactStore Store => _store ?? throw new InvalidOperationException("Not open.");

    public async Task InitializeAsync() => _store = await OpenStoreAsync();

    public virtual async Task DisposeAsync()
    {
        if (_store is not null) await _store.DisposeAsync();
    }

    private async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        _store = null;
        _store = await OpenStoreAsync();
    }

    [SkippableFact]
    public async Task Appends_get_a_gapless_global_seq_and_a_linked_chain_per_stream_that_reads_back_checked()
    {
        var first = await Store.AppendAsync(Request(new StreamAppend(Session, [Created()])));
        var second = await Store.AppendAsync(Request(new StreamAppend(Session, [Status(EventTypes.SessionSuspended)]), new StreamAppend("ses_other", [Other()])));

        first.Events.Select(e => e.Seq).Should().Equal(1);
        second.Events.Select(e => e.Seq).Should().Equal(2, 3);
        second.Events[0].PrevHash.Should().Be(first.Events[0].Hash);
        Store.HeadSeq.Should().Be(3);
        (await Store.ReadAllAsync(0, 10)).Select(e => e.Hash).Should().Equal(first.Events.Concat(second.Events).Select(e => e.Hash));
        (await Store.ReadStreamAsync(Session, 1, 10)).Should().ContainSingle().Which.Type.Should().Be(EventTypes.SessionSuspended);
        (await Store.GetStreamHeadAsync(Session)).Should().Be((2L, second.Events[0].Hash));
        (await Store.VerifyAsync()).EventCount.Should().Be(3);
        (await Store.InclusionProofAsync(0, 3)).Should().NotBeEmpty();
    }

    [SkippableFact]
    public async Task The_session_projection_runs_in_the_commit_and_its_rows_fold_to_the_same_state_as_the_events()
    {
        var created = await Store.AppendAsync(Request(new StreamAppend(Session, [Created()])));
        var seen = await Store.AppendAsync(Request(new StreamAppend(Session, [Status(EventTypes.SessionSuspended)])),
            transaction => transaction.GetSession(Session)!.Status);

        seen.Value.Should().Be("suspended", "the respond function sees the projection of its own events");
        var row = await Store.Sessions.GetAsync(Session, CancellationToken.None);
        row!.Participants.Should().Equal(A, B);
        (await Store.Sessions.SessionsOfAsync(B, CancellationToken.None)).Should().Equal(Session);
        (await Store.Sessions.ListAsync(A, null, "suspended", null, 10, CancellationToken.None)).Should().ContainSingle();
        var state = await Store.Sessions.GetStateAsync(Session, CancellationToken.None);
        state!.ToJson().ToJsonString().Should().Be(SessionState.Replay(created.Events.Concat(seen.Events)).ToJson().ToJsonString());
    }

    [SkippableFact]
    public async Task Proposals_and_compacts_take_the_statuses_Core_gives_each_event()
    {
        await Store.AppendAsync(Request(new StreamAppend(Session, [Created(), Proposal("prp_1"), Proposal("prp_2")])));
        await Store.AppendAsync(Request(new StreamAppend(Session, [ProposalEvent(EventTypes.ProposalDeclined, "prp_1"), CompactInForce()])));

        (await Store.Proposals.GetProposalAsync("prp_1", CancellationToken.None))!.Status.Should().Be(ProposalStatus.Declined.ToWire());
        var open = await Store.Proposals.GetProposalAsync("prp_2", CancellationToken.None);
        open!.Status.Should().Be("open");
        open.Proposer.Should().Be("a");
        open.History!.AsArray().Should().ContainSingle();
        var compacts = await Store.Proposals.ListCurrentAsync(B, null, null, 10, CancellationToken.None);
        compacts.Should().ContainSingle().Which.Status.Should().Be("in-force");
        (await Store.Proposals.GetRecordAsync("cmp_1", 1, CancellationToken.None)).Should().NotBeNull();
        var state = await Store.Sessions.GetStateAsync(Session, CancellationToken.None);
        state!.Proposals.Values.Select(p => p.Status).Should().Equal(ProposalStatus.Declined, ProposalStatus.Open);
        state.Compacts.Values.Should().ContainSingle().Which.Status.Should().Be(CompactVersionStatus.InForce);
    }

    [SkippableFact]
    public async Task A_session_checkpoint_snapshots_the_state_as_of_its_event()
    {
        await Store.AppendAsync(Request(new StreamAppend(Session, [Created(), Proposal("prp_1")])));
        await Store.AppendAsync(Request(new StreamAppend(Session, [new EventDraft(EventTypes.SessionCheckpointed, A, new JsonObject
        {
            ["checkpointId"] = "chk_1",
            ["stateHash"] = new string('d', 64),
            ["label"] = "before",
        })])));

        var checkpoint = await Store.SessionCheckpoints.GetAsync("chk_1", CancellationToken.None);
        checkpoint!.StreamSeq.Should().Be(3);
        checkpoint.State["proposals"]!.AsArray().Should().ContainSingle();
        (await Store.SessionCheckpoints.NearestAsync(Session, 2, CancellationToken.None)).Should().BeNull();
        (await Store.SessionCheckpoints.ListAsync(Session, CancellationToken.None)).Should().ContainSingle();
    }

    [SkippableFact]
    public async Task A_failing_respond_rolls_back_its_events_and_their_projections_alone()
    {
        var failing = Store.AppendAsync<int>(Request(new StreamAppend(Session, [Created()])), _ => throw new InvalidOperationException("refused"));
        await failing.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>();

        Store.HeadSeq.Should().Be(0);
        (await Store.Sessions.GetAsync(Session, CancellationToken.None)).Should().BeNull();
        (await Store.AppendAsync(Request(new StreamAppend(Session, [Created()])))).Events[0].Seq.Should().Be(1, "the log stays gapless");
    }

    [SkippableFact]
    public async Task A_nonce_is_remembered_with_its_response_once_and_pruned_after_its_window()
    {
        var nonce = new NonceRecord(A, "n-1", T0, new string('e', 64), 201, """{"ok":true}""");
        await Store.WriteAsync(transaction =>
        {
            transaction.RememberNonce(nonce);
            return 0;
        });

        (await Store.Nonces.FindAsync(A, "n-1", CancellationToken.None)).Should().Be(new StoredResponse(nonce.PayloadHash, 201, nonce.Body));
        (await Store.Nonces.FindAsync(B, "n-1", CancellationToken.None)).Should().BeNull();
        var twin = Store.WriteAsync(transaction =>
        {
            transaction.RememberNonce(nonce);
            return 0;
        });
        await twin.Invoking(t => t).Should().ThrowAsync<DuplicateNonceException>();

        (await Store.Nonces.PruneAsync(T0, CancellationToken.None)).Should().Be(0, "the nonce is still inside its window");
        (await Store.Nonces.PruneAsync(T0.AddMinutes(10), CancellationToken.None)).Should().Be(1);
        (await Store.Nonces.FindAsync(A, "n-1", CancellationToken.None)).Should().BeNull();
    }

    [SkippableFact]
    public async Task Agents_register_once_and_an_invite_is_consumed_once()
    {
        var agent = new AgentRecord(A, "pk", new JsonObject { ["name"] = "A" }, "Agent A", "2026-11-21T00:00:00.000Z");
        await Store.Agents.CreateInviteAsync("inv_1", "2026-12-01T00:00:00.000Z", CancellationToken.None);
        var (inserted, again, consumed, reused) = await Store.WriteAsync(transaction =>
            (transaction.InsertAgent(agent), transaction.InsertAgent(agent), transaction.ConsumeInvite("inv_1", A, T0), transaction.ConsumeInvite("inv_1", B, T0)));

        (inserted, again, consumed, reused).Should().Be((true, false, true, false));
        var stored = await Store.Agents.GetAsync(A, CancellationToken.None);
        stored!.Principal.ToJsonString().Should().Be("""{"name":"A"}""");
        (await Store.Agents.IsRegisteredAsync(B, CancellationToken.None)).Should().BeFalse();
    }

    [SkippableFact]
    public async Task The_outbox_queues_a_delivery_for_each_wanted_event_of_the_owners_sessions_and_forgets_a_deleted_subscription()
    {
        await Store.AppendAsync(Request(new StreamAppend(Session, [Created()])));
        var subscription = new SubscriptionRecord("sub_1", B, "https://example.test/hook", ["session.*"], null, null, "2026-11-21T00:00:00.000Z", 0,
            SubscriptionRecord.Active, null, null, 0);
        await Store.WriteAsync(transaction =>
        {
            transaction.InsertSubscription(subscription with { AfterSeq = transaction.HeadSeq }, "sealed");
            return 0;
        });
        Store.Webhooks.ActiveSubscriptions.Should().ContainKey("sub_1");

        await Store.AppendAsync(Request(new StreamAppend(Session, [Status(EventTypes.SessionSuspended)]), new StreamAppend("ses_other", [Other()])));

        var deliveries = await Store.Webhooks.ListDeliveriesAsync("sub_1", 0, null, 10, CancellationToken.None);
        deliveries.Should().ContainSingle().Which.Should().Match<DeliveryRecord>(d => d.Seq == 2 && d.Status == DeliveryRecord.Pending);
        (await Store.Webhooks.GetTargetAsync("sub_1", CancellationToken.None))!.SealedSecret.Should().Be("sealed");
        (await Store.Webhooks.LoadDueAsync(long.MaxValue, 10, CancellationToken.None)).FirstAttempts.Should().ContainSingle();

        (await Store.Webhooks.DeleteAsync("sub_1", CancellationToken.None)).Should().BeTrue();
        Store.Webhooks.ActiveSubscriptions.Should().BeEmpty();
        (await Store.Webhooks.ListDeliveriesAsync("sub_1", 0, null, 10, CancellationToken.None)).Should().BeEmpty();
    }

    [SkippableFact]
    public async Task A_subscription_whose_request_fails_is_not_offered_events()
    {
        await Store.AppendAsync(Request(new StreamAppend(Session, [Created()])));
        var subscription = new SubscriptionRecord("sub_1", B, "https://example.test/hook", null, null, null, "2026-11-21T00:00:00.000Z", 0,
            SubscriptionRecord.Active, null, null, 0);
        var failing = Store.WriteAsync<int>(transaction =>
        {
            transaction.InsertSubscription(subscription, "sealed");
            throw new InvalidOperationException("refused");
        });
        await failing.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>();

        Store.Webhooks.ActiveSubscriptions.Should().BeEmpty();
        (await Store.Webhooks.GetAsync("sub_1", CancellationToken.None)).Should().BeNull();
    }

    [SkippableFact]
    public async Task Everything_committed_is_there_after_a_reopen()
    {
        await Store.AppendAsync(Request(new StreamAppend(Session, [Created(), Proposal("prp_1")])));
        await Store.SaveLogCheckpointAsync(new SignedLogCheckpoint(2, await Store.RootAsync(2), "note", "2026-11-21T00:00:00.000Z"));

        await ReopenAsync();

        Store.HeadSeq.Should().Be(2);
        (await Store.LatestLogCheckpointAsync())!.TreeSize.Should().Be(2);
        (await Store.Proposals.GetProposalAsync("prp_1", CancellationToken.None)).Should().NotBeNull();
        (await Store.GetDiagnosticsAsync()).SchemaVersion.Should().BeGreaterThan(0);
    }

    private protected static AppendRequest Request(params StreamAppend[] streams) => new(T0, streams);

    private protected static EventDraft Created() => new(EventTypes.SessionCreated, A, new JsonObject
    {
        ["participants"] = new JsonArray(A, B),
        ["topic"] = "kitchen",
    });

    private protected static EventDraft Status(string type) => new(type, A, new JsonObject { ["reason"] = "test" });

    private protected static EventDraft Other() => new("test.other", TranscriptEvent.DaemonActor, new JsonObject { ["n"] = 1 });

    private static EventDraft Proposal(string proposalId) => new(EventTypes.ProposalCreated, A, new JsonObject
    {
        ["proposalId"] = proposalId,
        ["compactId"] = "cmp_1",
        ["version"] = 1,
        ["termsHash"] = new string('a', 64),
        ["envelope"] = new JsonObject
        {
            ["payload"] = new JsonObject
            {
                ["issuedAt"] = "2026-11-21T22:33:31.123Z",
                ["terms"] = new JsonObject { ["title"] = "t" },
                ["signature"] = new JsonObject { ["party"] = "a", ["sig"] = "x" },
            },
        },
    });

    private static EventDraft ProposalEvent(string type, string proposalId) => new(type, B, new JsonObject { ["proposalId"] = proposalId });

    private static EventDraft CompactInForce() => new(EventTypes.CompactInForce, TranscriptEvent.DaemonActor, new JsonObject
    {
        ["compactId"] = "cmp_1",
        ["version"] = 1,
        ["compactHash"] = new string('c', 64),
        ["record"] = new JsonObject
        {
            ["terms"] = new JsonObject { ["parties"] = new JsonObject { ["a"] = new JsonObject { ["agent"] = A }, ["b"] = new JsonObject { ["agent"] = B } } },
            ["inForceAt"] = "2026-11-21T22:33:31.123Z",
        },
    });
}

/// <summary>The conformance suite on the embedded SQLite store, each test in its own temp directory.</summary>
public sealed class SqlitePactStoreConformanceTests : PactStoreConformanceTests
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pact-store-conformance", Guid.NewGuid().ToString("N"));

    protected override async Task<IPactStore> OpenStoreAsync() =>
        await SqlitePactStore.OpenAsync(new PactStoreOptions { DatabasePath = Path.Combine(_dir, "pact.db") });

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>
/// The conformance suite on PostgreSQL (ADR 0011), each test on a database of its own in the test cluster; skipped
/// where no PostgreSQL server is installed (never in CI, which sets PACT_REQUIRE_POSTGRES).
/// </summary>
public sealed partial class PostgresPactStoreConformanceTests : PactStoreConformanceTests
{
    private string? _connectionString;

    protected override async Task<IPactStore> OpenStoreAsync()
    {
        Skip.If(PostgresServer.Missing is not null, PostgresServer.Missing);
        _connectionString ??= await PostgresServer.CreateDatabaseAsync();
        return await Pact.Store.Postgres.PostgresPactStore.OpenAsync(new Pact.Store.Postgres.PostgresStoreOptions { ConnectionString = _connectionString });
    }

    /// <summary>A second instance on the same database, opened as a standby that takes over quickly.</summary>
    private async Task<IPactStore> OpenStandbyAsync() =>
        await Pact.Store.Postgres.PostgresPactStore.OpenAsync(new Pact.Store.Postgres.PostgresStoreOptions
        {
            ConnectionString = _connectionString!,
            Standby = true,
            TakeOverInterval = TimeSpan.FromMilliseconds(200),
        });

    /// <summary>Terminates the backend holding the writer's advisory lock (a bigint key: its halves are classid and objid).</summary>
    private async Task KillWriterSessionAsync()
    {
        await using var admin = new Npgsql.NpgsqlConnection(_connectionString);
        await admin.OpenAsync();
        await using var kill = new Npgsql.NpgsqlCommand("""
            SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND classid = $1 AND objid = $2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """, admin);
        kill.Parameters.Add(new Npgsql.NpgsqlParameter<long> { TypedValue = Pact.Store.Postgres.PostgresLocks.Writer >> 32 });
        kill.Parameters.Add(new Npgsql.NpgsqlParameter<long> { TypedValue = Pact.Store.Postgres.PostgresLocks.Writer & 0xFFFF_FFFF });
        (await kill.ExecuteScalarAsync()).Should().Be(1L, "one backend holds the writer role");
    }
}
