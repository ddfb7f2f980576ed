using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pact.Core.Events;
using Pact.Store.Projections;
using Pact.Store.ReadModels;
using Pact.Store.Webhooks;

namespace Pact.Store.Sqlite;

/// <summary>
/// The embedded default implementation of <see cref="IPactStore"/>: one SQLite file in WAL mode, one writer
/// (<see cref="SqliteEventLog"/>, group commit) that runs the read models' inline projections inside each commit.
/// </summary>
public sealed class SqlitePactStore : IPactStore
{
    private readonly SqliteEventLog _log;
    private readonly NonceStore _nonces;
    private readonly ILogger _logger;

    /// <summary>The engine under the read models (for a copy of the tables no event gives).</summary>
    internal Relational.IRelationalEngine Engine => _log;

    /// <summary>Creates the store over the file <paramref name="options"/> names; nothing is opened until <see cref="OpenAsync(CancellationToken)"/>.</summary>
    public SqlitePactStore(PactStoreOptions options, ILogger<SqlitePactStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Subscriptions = new SubscriptionCache();
        _log = new SqliteEventLog(options with { Migrations = ReadModelSchema.Migrations, Projections = ReadModelProjections(Subscriptions) }, logger);
        Webhooks = new WebhookOutbox(_log, Subscriptions);
        _nonces = new NonceStore(_log);
        Sessions = new SessionReadModel(_log);
        Proposals = new ProposalReadModel(_log);
        SessionCheckpoints = new SessionCheckpointReadModel(_log);
        Agents = new AgentDirectory(_log);
        Passports = new PassportReadModel(_log);
        Policies = new PolicyStore(_log);
        StateSnapshots = new StateSnapshotStore(_log, _log.SealKey);
    }

    /// <summary>
    /// The projections every SQLite store registers, run in this order: sessions (whose participants the outbox
    /// checks), proposals, compacts, passports (which read the compacts' parties), the log clock, then the webhook
    /// outbox of this store's active subscriptions.
    /// </summary>
    private static IReadOnlyList<IInlineProjection> ReadModelProjections(SubscriptionCache subscriptions) =>
        [.. LogProjections(), new NeutralProjection(new WebhookOutboxProjection(subscriptions))];

    /// <summary>The projections whose tables are a function of the log alone: what an audit rebuilds and compares.</summary>
    private static IReadOnlyList<IInlineProjection> LogProjections() =>
        [new NeutralProjection(new SessionProjection()), new NeutralProjection(new ProposalProjection()), new NeutralProjection(new CompactProjection()), new NeutralProjection(new PassportProjection()), new NeutralProjection(new LogClockProjection())];

    /// <summary>
    /// Rebuilds the read models and the Merkle tree from the events in a scratch database and compares them with the
    /// stored ones, checks each log checkpoint's root and runs SQLite's integrity_check, all in one snapshot (appends
    /// go on meanwhile). Reads the whole file: minutes for a large log, so a daemon runs it in the background.
    /// </summary>
    public Task<StoreAudit> AuditAsync(CancellationToken ct = default)
    {
        var path = _log.DatabasePath;
        var key = _log.SealKey;
        _log.ThrowIfNotOpen();
        return Task.Run(() => SqliteStoreAudit.Run(path, key, ReadModelSchema.Migrations, LogProjections(), ct), ct);
    }

    /// <summary>Creates the store and opens it (see <see cref="OpenAsync(CancellationToken)"/>).</summary>
    public static async Task<SqlitePactStore> OpenAsync(PactStoreOptions options, ILogger<SqlitePactStore>? logger = null, CancellationToken ct = default)
    {
        var store = new SqlitePactStore(options, logger);
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

    /// <summary>
    /// Opens (creating or migrating) the database file and starts the writer; until then every read and write throws.
    /// Once only: after a failed open the store is only disposed.
    /// </summary>
    public async Task OpenAsync(CancellationToken ct = default)
    {
        // The subscriptions load through the writer before any request can: none is created between load and use.
        await _log.OpenAsync(context => Subscriptions.Load(context), ct).ConfigureAwait(false);
        // A log written before the passport tables existed is folded into them once.
        await ProjectionBackfill.RunAsync(_log, "passport", new NeutralProjection(new PassportProjection()), _logger, ct).ConfigureAwait(false);
    }

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
            var result = await _log.AppendAsync(request with { Apply = context => respond(transaction = new StoreTransaction(context, _nonces, Subscriptions)) }, ct).ConfigureAwait(false);
            return new AppendResult<T>(result.Events, (T)result.Value!);
        }
        catch
        {
            transaction?.Undo();
            throw;
        }
    }

    public Task<T> WriteAsync<T>(Func<IStoreTransaction, T> write, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        return WriteCoreAsync(write, ct);
    }

    private async Task<T> WriteCoreAsync<T>(Func<IStoreTransaction, T> write, CancellationToken ct)
    {
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

    public async Task<StoreDiagnostics> GetDiagnosticsAsync(CancellationToken ct = default)
    {
        var pragmas = await _log.GetPragmasAsync(ct).ConfigureAwait(false);
        return new StoreDiagnostics("sqlite", pragmas.UserVersion, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["path"] = _log.DatabasePath,
            ["journal_mode"] = pragmas.JournalMode,
            ["synchronous"] = pragmas.Synchronous.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["foreign_keys"] = pragmas.ForeignKeys ? "1" : "0",
            ["busy_timeout"] = pragmas.BusyTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["temp_store"] = pragmas.TempStore.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
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
