using Pact.Core.Events;
using Pact.Store.ReadModels;
using Pact.Store.Relational;
using Pact.Store.Webhooks;

namespace Pact.Store;

/// <summary>
/// What the SQLite and PostgreSQL stores share over their event log (<see cref="IRelationalEventLog"/>): the read models,
/// written once over <see cref="IRelationalEngine"/>; the transaction a request's own work runs in, its in-memory
/// changes undone when the commit fails; and the log's reads and proofs, forwarded. Each store adds how its log is
/// made, opened, audited and described.
/// </summary>
public abstract class RelationalPactStore : IPactStore
{
    private readonly IRelationalEventLog _log;
    private readonly NonceStore _nonces;

    /// <summary>Makes the log (<paramref name="createLog"/> is given the subscriptions its webhook projection reads), then the read models over it.</summary>
    private protected RelationalPactStore(Func<SubscriptionCache, IRelationalEventLog> createLog)
    {
        ArgumentNullException.ThrowIfNull(createLog);
        Subscriptions = new SubscriptionCache();
        _log = createLog(Subscriptions);
        _nonces = new NonceStore(_log);
        Webhooks = new WebhookOutbox(_log, Subscriptions);
        Sessions = new SessionReadModel(_log);
        Proposals = new ProposalReadModel(_log);
        SessionCheckpoints = new SessionCheckpointReadModel(_log);
        Agents = new AgentDirectory(_log);
        Passports = new PassportReadModel(_log);
        Policies = new PolicyStore(_log);
        StateSnapshots = new StateSnapshotStore(_log, _log.SealKey);
    }

    /// <summary>The engine under the read models (for a copy of the tables no event gives).</summary>
    internal IRelationalEngine Engine => _log;

    internal SubscriptionCache Subscriptions { get; }

    private protected NonceStore NonceStore => _nonces;

    public ISessionReadModel Sessions { get; }

    public IProposalReadModel Proposals { get; }

    public ISessionCheckpointReadModel SessionCheckpoints { get; }

    public IAgentDirectory Agents { get; }

    public IPassportReadModel Passports { get; }

    public IPolicyStore Policies { get; }

    public INonceStore Nonces => _nonces;

    public IWebhookOutbox Webhooks { get; }

    public IStateSnapshotStore StateSnapshots { get; }

    public long HeadSeq => _log.HeadSeq;

    public long CommitCount => _log.CommitCount;

    public string? LogIntegrityFailure => _log.LogIntegrityFailure;

    public event Action<IReadOnlyList<TranscriptEvent>>? Committed
    {
        add => _log.Committed += value;
        remove => _log.Committed -= value;
    }

    public abstract Task<StoreAudit> AuditAsync(CancellationToken ct = default);

    public abstract Task<StoreDiagnostics> GetDiagnosticsAsync(CancellationToken ct = default);

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

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return _log.DisposeAsync();
    }
}
