namespace Pact.Store;

/// <summary>How the SQLite store (<see cref="Sqlite.SqlitePactStore"/>) opens its file.</summary>
public sealed record PactStoreOptions
{
    /// <summary>Path of the database file; its directory is created when missing.</summary>
    public required string DatabasePath { get; init; }

    /// <summary>
    /// <c>FULL</c> (default: a commit is on disk before it is acknowledged, even across power loss) or
    /// <c>NORMAL</c> (survives a process crash, may lose the last commits on power loss). Read back at open.
    /// </summary>
    public string Synchronous { get; init; } = "FULL";

    /// <summary>Most requests committed together in one transaction (group commit).</summary>
    public int MaxBatchSize { get; init; } = 256;

    /// <summary>
    /// Schema scripts applied in order after the log's own migration, each in its own transaction (the store passes
    /// its read models'; tests their own). <c>PRAGMA user_version</c> counts every applied migration, so a script
    /// may only ever be appended, never edited, removed or reordered.
    /// </summary>
    internal IReadOnlyList<string> Migrations { get; init; } = [];

    /// <summary>The inline projections the writer runs on each request's events inside its transaction.</summary>
    internal IReadOnlyList<Sqlite.IInlineProjection> Projections { get; init; } = [];

    /// <summary>How long a connection waits for a lock held by another connection (<c>PRAGMA busy_timeout</c>).</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Streams whose head (streamSeq, hash, time) the writer keeps in memory; past this the cache is emptied and reloads lazily.</summary>
    public int StreamHeadCacheLimit { get; init; } = 100_000;

    /// <summary>
    /// When the Merkle tree does not hold exactly one leaf per event, open anyway instead of throwing
    /// <see cref="TranscriptIntegrityException"/>: reads, proofs and plain writes keep working, every append of
    /// events is refused, and <see cref="IEventLog.LogIntegrityFailure"/> says why. For a daemon that must
    /// still let an auditor verify a damaged transcript.
    /// </summary>
    public bool OpenWithBrokenLog { get; init; }
}
