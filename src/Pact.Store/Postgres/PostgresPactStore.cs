using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pact.Core.Events;
using Pact.Store.Projections;
using Pact.Store.ReadModels;
using Pact.Store.Relational;
using Pact.Store.Webhooks;

namespace Pact.Store.Postgres;

/// <summary>
/// <see cref="IPactStore"/> on a PostgreSQL database (ADR 0011): the same single writer and inline projections as the
/// embedded SQLite store, the same read models (written once over <see cref="IRelationalEngine"/>).
/// </summary>
public sealed class PostgresPactStore : IPactStore, ISharedStore
{
    private readonly PostgresEventLog _log;
    private readonly NonceStore _nonces;
    private readonly PostgresStoreOptions _options;

    /// <summary>The engine under the read models (for a copy of the tables no event gives).</summary>
    internal IRelationalEngine Engine => _log;

    /// <summary>Creates the store; nothing is opened until <see cref="OpenAsync(CancellationToken)"/>.</summary>
    public PostgresPactStore(PostgresStoreOptions options, ILogger<PostgresPactStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options with { Migrations = PostgresReadModelSchema.Migrations };
        Subscriptions = new SubscriptionCache();
        _log = new PostgresEventLog(_options with { Projections = [.. LogProjections(), new WebhookOutboxProjection(Subscriptions)] },
            (ILogger?)logger ?? NullLogger.Instance);
        _nonces = new NonceStore(_log);
        Webhooks = new WebhookOutbox(_log, Subscriptions);
        Sessions = new SessionReadModel(_log);
        Proposals = new ProposalReadModel(_log);
        SessionCheckpoints = new SessionCheckpointReadModel(_log);
        Agents = new AgentDirectory(_log);
        Passports = new PassportReadModel(_log);
        Policies = new PolicyStore(_log);
        StateSnapshots = new StateSnapshotStore(_log, _options.SealKey);
    }

    /// <summary>The projections whose tables are a function of the log alone (what an audit rebuilds), in the writer's order.</summary>
    internal static IReadOnlyList<IRelationalProjection> LogProjections() =>
        [new SessionProjection(), new ProposalProjection(), new CompactProjection(), new PassportProjection(), new LogClockProjection()];

    /// <summary>Creates the store and opens it.</summary>
    public static async Task<PostgresPactStore> OpenAsync(PostgresStoreOptions options, ILogger<PostgresPactStore>? logger = null, CancellationToken ct = default)
    {
        var store = new PostgresPactStore(options, logger);
        try
        {
            await store.OpenAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return store;
    }

    /// <summary>Connects, takes the writer role, migrates and loads the active subscriptions through the writer.</summary>
    /// <remarks>A standby (<see cref="PostgresStoreOptions.Standby"/>) loads them, and forgets the nonces it may have seen, when it takes over.</remarks>
    public Task OpenAsync(CancellationToken ct = default) => _log.OpenAsync(context =>
    {
        _nonces.Forget();
        return Subscriptions.Load(context);
    }, ct);

    public bool IsWriter => _log.IsWriter;

    public Task BecameWriter => _log.BecameWriter;

    public event Action<IReadOnlyList<TranscriptEvent>>? Followed
    {
        add => _log.Followed += value;
        remove => _log.Followed -= value;
    }

    public void Follow(long afterSeq) => _log.Follow(afterSeq);

    public Task AdvertiseAsync(string url, DateTimeOffset now, CancellationToken ct = default) => _log.AdvertiseAsync(url, now, ct);

    public Task<string?> WriterUrlAsync(CancellationToken ct = default) => _log.WriterUrlAsync(ct);

    public Task<string> ClaimIdentityAsync(string daemonId, DateTimeOffset now, CancellationToken ct = default) => _log.ClaimIdentityAsync(daemonId, now, ct);

    public ISessionReadModel Sessions { get; }

    public IProposalReadModel Proposals { get; }

    public ISessionCheckpointReadModel SessionCheckpoints { get; }

    public IAgentDirectory Agents { get; }

    public IPassportReadModel Passports { get; }

    public IPolicyStore Policies { get; }

    public INonceStore Nonces => _nonces;

    public IWebhookOutbox Webhooks { get; }

    public IStateSnapshotStore StateSnapshots { get; }

    internal SubscriptionCache Subscriptions { get; }

    public long HeadSeq => _log.HeadSeq;

    public long CommitCount => _log.CommitCount;

    public string? LogIntegrityFailure => _log.LogIntegrityFailure;

    public event Action<IReadOnlyList<TranscriptEvent>>? Committed
    {
        add => _log.Committed += value;
        remove => _log.Committed -= value;
    }

    public Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default) => _log.AppendAsync(request, ct);

    public async Task<AppendResult<T>> AppendAsync<T>(AppendRequest request, Func<IStoreTransaction, T> respond, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(respond);
        StoreTransaction? transaction = null;
        try
        {
            var result = await _log.AppendAsync(request, context => respond(transaction = new StoreTransaction(context, _nonces, Subscriptions)), ct).ConfigureAwait(false);
            return new AppendResult<T>(result.Events, (T)result.Value!);
        }
        catch
        {
            transaction?.Undo();
            throw;
        }
    }

    public async Task<T> WriteAsync<T>(Func<IStoreTransaction, T> write, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        StoreTransaction? transaction = null;
        try
        {
            return await _log.WriteAsync(context => write(transaction = new StoreTransaction(context, _nonces, Subscriptions)), ct).ConfigureAwait(false);
        }
        catch
        {
            transaction?.Undo();
            throw;
        }
    }

    /// <summary>Rebuilds the read models and the Merkle tree from the events in a scratch schema and compares them (see <see cref="PostgresStoreAudit"/>).</summary>
    public Task<StoreAudit> AuditAsync(CancellationToken ct = default) =>
        PostgresStoreAudit.RunAsync(_log, _options.SealKey, PostgresSchema.StoreMigrations.Concat(PostgresReadModelSchema.Migrations).ToList(), LogProjections(), ct);

    public async Task<StoreDiagnostics> GetDiagnosticsAsync(CancellationToken ct = default)
    {
        await using var connection = await _log.OpenReadConnectionAsync(ct).ConfigureAwait(false);
        var settings = new Dictionary<string, string>(StringComparer.Ordinal) { ["database"] = connection.Database };
        foreach (var name in new[] { "server_version", "synchronous_commit", "fsync", "data_checksums", "default_transaction_isolation" })
        {
            await using var show = new NpgsqlCommand("SELECT current_setting($1)", connection);
            show.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
            settings[name] = (string)(await show.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }
        await using var version = new NpgsqlCommand("SELECT count(*) FROM schema_migrations", connection);
        return new StoreDiagnostics("postgres", (long)(await version.ExecuteScalarAsync(ct).ConfigureAwait(false))!, settings);
    }

    public Task<IReadOnlyList<TranscriptEvent>> ReadStreamAsync(string stream, long afterStreamSeq, int limit, CancellationToken ct = default) =>
        _log.ReadStreamAsync(stream, afterStreamSeq, limit, ct);

    public Task<IReadOnlyList<TranscriptEvent>> ReadAllAsync(long afterSeq, int limit, CancellationToken ct = default) => _log.ReadAllAsync(afterSeq, limit, ct);

    public Task<TranscriptEvent?> GetBySeqAsync(long seq, CancellationToken ct = default) => _log.GetBySeqAsync(seq, ct);

    public Task<(long StreamSeq, string Hash)?> GetStreamHeadAsync(string stream, CancellationToken ct = default) => _log.GetStreamHeadAsync(stream, ct);

    public Task<IReadOnlyList<StoredEventRow>> ReadStreamRowsAsync(string stream, long afterStreamSeq, int limit, CancellationToken ct = default) =>
        _log.ReadStreamRowsAsync(stream, afterStreamSeq, limit, ct);

    public Task<IReadOnlyList<StoredEventRow>> ReadRowsAsync(long afterSeq, int limit, CancellationToken ct = default) => _log.ReadRowsAsync(afterSeq, limit, ct);

    public Task<TranscriptVerification> VerifyAsync(CancellationToken ct = default) => _log.VerifyAsync(ct);

    public Task<byte[]> RootAsync(long treeSize, CancellationToken ct = default) => _log.RootAsync(treeSize, ct);

    public Task<IReadOnlyList<byte[]>> InclusionProofAsync(long leafIndex, long treeSize, CancellationToken ct = default) =>
        _log.InclusionProofAsync(leafIndex, treeSize, ct);

    public Task<IReadOnlyList<IReadOnlyList<byte[]>>> InclusionProofsAsync(IReadOnlyList<long> leafIndexes, long treeSize, CancellationToken ct = default) =>
        _log.InclusionProofsAsync(leafIndexes, treeSize, ct);

    public Task<IReadOnlyList<byte[]>> ConsistencyProofAsync(long size1, long size2, CancellationToken ct = default) => _log.ConsistencyProofAsync(size1, size2, ct);

    public Task SaveLogCheckpointAsync(SignedLogCheckpoint checkpoint, CancellationToken ct = default) => _log.SaveLogCheckpointAsync(checkpoint, ct);

    public Task<SignedLogCheckpoint?> LatestLogCheckpointAsync(CancellationToken ct = default) => _log.LatestLogCheckpointAsync(ct);

    public Task<SignedLogCheckpoint?> GetLogCheckpointAsync(long treeSize, CancellationToken ct = default) => _log.GetLogCheckpointAsync(treeSize, ct);

    public Task<IReadOnlyList<SignedLogCheckpoint>> ListLogCheckpointsAsync(long afterTreeSize, int limit, CancellationToken ct = default) =>
        _log.ListLogCheckpointsAsync(afterTreeSize, limit, ct);

    public ValueTask DisposeAsync() => _log.DisposeAsync();
}
