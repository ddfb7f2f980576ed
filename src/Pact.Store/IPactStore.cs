using Pact.Core.Events;

namespace Pact.Store;

/// <summary>
/// All of Pact's persistence, the one thing the daemon depends on for it: the append-only event log with its
/// Merkle tree and log checkpoints (<see cref="IEventLog"/>, <see cref="IMerkleLog"/>), and the roles the daemon
/// reads and writes besides events — read models, nonces, agents, the webhook outbox. The read models are
/// projections the store registers once and its writer runs inside each commit; nothing here speaks SQL or hands
/// out a connection, so another database can implement it without a change to the daemon.
/// </summary>
public interface IPactStore : IEventLog, IMerkleLog, IAsyncDisposable
{
    ISessionReadModel Sessions { get; }

    IProposalReadModel Proposals { get; }

    ISessionCheckpointReadModel SessionCheckpoints { get; }

    IAgentDirectory Agents { get; }

    IPassportReadModel Passports { get; }

    IPolicyStore Policies { get; }

    INonceStore Nonces { get; }

    IWebhookOutbox Webhooks { get; }

    IStateSnapshotStore StateSnapshots { get; }

    /// <summary>
    /// Appends the request's events, runs the registered projections on them, then <paramref name="respond"/>, all in
    /// one transaction; the task completes after the commit. If <paramref name="respond"/> throws, this request alone
    /// is rolled back and the exception is the task's.
    /// </summary>
    Task<AppendResult<T>> AppendAsync<T>(AppendRequest request, Func<IStoreTransaction, T> respond, CancellationToken ct = default);

    /// <summary>A unit of work with no events (registration, subscriptions, invites) through the same single writer and transaction discipline.</summary>
    Task<T> WriteAsync<T>(Func<IStoreTransaction, T> write, CancellationToken ct = default);

    /// <summary>
    /// Checks everything the store serves besides the events against the events: the read models and the Merkle tree
    /// rebuilt from the log and compared with the stored ones, each log checkpoint's root, and the database file's own
    /// structure. Reads the whole store (in one snapshot; appends go on): run it in the background.
    /// </summary>
    Task<StoreAudit> AuditAsync(CancellationToken ct = default);

    /// <summary>Settings of the underlying database as read back from it, for diagnostics and tests.</summary>
    Task<StoreDiagnostics> GetDiagnosticsAsync(CancellationToken ct = default);
}

/// <summary>The append-only event log (§8.1): single writer, group commit, reads checked against their hashes.</summary>
public interface IEventLog
{
    /// <summary>The last committed global seq (0 for an empty log).</summary>
    long HeadSeq { get; }

    /// <summary>Transactions the writer has committed since open (group commit makes this smaller than the number of requests).</summary>
    long CommitCount { get; }

    /// <summary>Why no event may be appended (the Merkle tree does not match the events), or null for a sound log.</summary>
    string? LogIntegrityFailure { get; }

    /// <summary>
    /// Raised on the writer after each commit that appended events, with that batch's events in seq order, after
    /// the callers' tasks were completed. Handlers must be quick; an exception is logged and ignored.
    /// </summary>
    event Action<IReadOnlyList<TranscriptEvent>>? Committed;

    /// <summary>Appends the request's events (and runs the projections); the task completes after the commit.</summary>
    Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken ct = default);

    /// <summary>Events of one stream with streamSeq &gt; <paramref name="afterStreamSeq"/>, in streamSeq order, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<TranscriptEvent>> ReadStreamAsync(string stream, long afterStreamSeq, int limit, CancellationToken ct = default);

    /// <summary>Events of every stream with seq &gt; <paramref name="afterSeq"/>, in seq order, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<TranscriptEvent>> ReadAllAsync(long afterSeq, int limit, CancellationToken ct = default);

    Task<TranscriptEvent?> GetBySeqAsync(long seq, CancellationToken ct = default);

    /// <summary>The stream's last committed streamSeq and hash, or null for a stream without events.</summary>
    Task<(long StreamSeq, string Hash)?> GetStreamHeadAsync(string stream, CancellationToken ct = default);

    /// <summary>Rows of one stream exactly as stored (no hash, link or JSON check), so a verifier can name a damaged row.</summary>
    Task<IReadOnlyList<StoredEventRow>> ReadStreamRowsAsync(string stream, long afterStreamSeq, int limit, CancellationToken ct = default);

    /// <summary>Rows of every stream exactly as stored: what a start-up replay reads so one damaged stream does not stop the others.</summary>
    Task<IReadOnlyList<StoredEventRow>> ReadRowsAsync(long afterSeq, int limit, CancellationToken ct = default);

    /// <summary>Scans the whole log (seq, streamSeq, links, hashes, time order); throws <see cref="TranscriptIntegrityException"/> at the first break.</summary>
    Task<TranscriptVerification> VerifyAsync(CancellationToken ct = default);
}

/// <summary>The log's Merkle tree (§9): roots, RFC 9162 proofs, and the signed log checkpoints.</summary>
public interface IMerkleLog
{
    Task<byte[]> RootAsync(long treeSize, CancellationToken ct = default);

    Task<IReadOnlyList<byte[]>> InclusionProofAsync(long leafIndex, long treeSize, CancellationToken ct = default);

    Task<IReadOnlyList<IReadOnlyList<byte[]>>> InclusionProofsAsync(IReadOnlyList<long> leafIndexes, long treeSize, CancellationToken ct = default);

    Task<IReadOnlyList<byte[]>> ConsistencyProofAsync(long size1, long size2, CancellationToken ct = default);

    Task SaveLogCheckpointAsync(SignedLogCheckpoint checkpoint, CancellationToken ct = default);

    Task<SignedLogCheckpoint?> LatestLogCheckpointAsync(CancellationToken ct = default);

    Task<SignedLogCheckpoint?> GetLogCheckpointAsync(long treeSize, CancellationToken ct = default);

    Task<IReadOnlyList<SignedLogCheckpoint>> ListLogCheckpointsAsync(long afterTreeSize, int limit, CancellationToken ct = default);
}

/// <summary>
/// What a request sees and does inside the writer's transaction: its own events (already projected), the read
/// models as the transaction sees them, and the typed writes that must commit with the events or not at all.
/// </summary>
public interface IStoreTransaction
{
    /// <summary>This request's events with seq, streamSeq, time, prevHash and hash assigned (empty for a plain write).</summary>
    IReadOnlyList<TranscriptEvent> Events { get; }

    /// <summary>The global seq of the last event this transaction sees.</summary>
    long HeadSeq { get; }

    SessionRow? GetSession(string sessionId);

    /// <summary>The §7 state of the session of <paramref name="row"/>, every event projected so far included.</summary>
    Core.Sessions.SessionState GetSessionState(SessionRow row);

    ProposalRow? GetProposal(string proposalId);

    IReadOnlyList<SessionCheckpointRow> ListSessionCheckpoints(string sessionId);

    AgentRecord? FindAgent(string did);

    /// <summary>Registers the agent; false when it already exists.</summary>
    bool InsertAgent(AgentRecord agent);

    /// <summary>Marks an unused, unexpired invite used by <paramref name="agent"/>; false when there is no such invite.</summary>
    bool ConsumeInvite(string code, string agent, DateTimeOffset now);

    /// <summary>
    /// Remembers an accepted envelope's nonce with its response. A twin already committed makes the whole request
    /// fail with <see cref="DuplicateNonceException"/>.
    /// </summary>
    void RememberNonce(NonceRecord nonce);

    PolicyRecord? FindPolicy(string policyHash);

    /// <summary>Publishes a policy; false when that hash is already published (the stored one stays).</summary>
    bool InsertPolicy(PolicyRecord policy);

    /// <summary>Stores a new active subscription with its sealed signing secret; events committed after this one are offered to it.</summary>
    void InsertSubscription(SubscriptionRecord subscription, string sealedSecret);
}
