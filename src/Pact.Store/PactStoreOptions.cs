namespace Pact.Store;

/// <summary>How the SQLite store (<see cref="Sqlite.SqlitePactStore"/>) opens its file: built by its user, or in a host configured on <see cref="PactStoreServices.AddPactStore"/>'s options.</summary>
public sealed record PactStoreOptions
{
    /// <summary>Path of the database file; its directory is created when missing.</summary>
    public required string DatabasePath { get; set; }

    /// <summary>
    /// <c>FULL</c> (default: a commit is on disk before it is acknowledged, even across power loss) or
    /// <c>NORMAL</c> (survives a process crash, may lose the last commits on power loss). Read back at open.
    /// </summary>
    public string Synchronous { get; set; } = "FULL";

    /// <summary>Most requests committed together in one transaction (group commit).</summary>
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>
    /// Schema scripts applied in order after the log's own migration, each in its own transaction (the store passes
    /// its read models'; tests their own). <c>PRAGMA user_version</c> counts every applied migration, so a script
    /// may only ever be appended, never edited, removed or reordered.
    /// </summary>
    internal IReadOnlyList<string> Migrations { get; set; } = [];

    /// <summary>The inline projections the writer runs on each request's events inside its transaction.</summary>
    internal IReadOnlyList<Sqlite.IInlineProjection> Projections { get; set; } = [];

    /// <summary>How long a connection waits for a lock held by another connection (<c>PRAGMA busy_timeout</c>).</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Streams whose head (streamSeq, hash, time) the writer keeps in memory; past this the cache is emptied and reloads lazily.</summary>
    public int StreamHeadCacheLimit { get; set; } = 100_000;

    /// <summary>
    /// When the Merkle tree does not hold exactly one leaf per event, open anyway instead of throwing
    /// <see cref="TranscriptIntegrityException"/>: reads, proofs and plain writes keep working, every append of
    /// events is refused, and <see cref="IEventLog.LogIntegrityFailure"/> says why. For a daemon that must
    /// still let an auditor verify a damaged transcript.
    /// </summary>
    public bool OpenWithBrokenLog { get; set; }

    /// <summary>
    /// The key of the row seals (an HMAC of every row of the tables no event gives: agents, invites, nonces, webhook
    /// subscriptions and deliveries), kept by the store's triggers and checked by its audit. Empty: seals still catch
    /// damage, but anyone who can write the file can forge them. The daemon derives it from a secret of its data directory.
    /// </summary>
    public byte[] SealKey { get; set; } = [];

    /// <summary>What is wrong with these options, one message each; empty when they can open a store.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(DatabasePath)) problems.Add("DatabasePath must name the database file.");
        if (!string.Equals(Synchronous, "FULL", StringComparison.OrdinalIgnoreCase) && !string.Equals(Synchronous, "NORMAL", StringComparison.OrdinalIgnoreCase))
            problems.Add($"Synchronous must be FULL or NORMAL, not '{Synchronous}'.");
        if (MaxBatchSize < 1) problems.Add($"MaxBatchSize must be at least 1, not {MaxBatchSize}.");
        if (StreamHeadCacheLimit < 1) problems.Add($"StreamHeadCacheLimit must be at least 1, not {StreamHeadCacheLimit}.");
        if (BusyTimeout < TimeSpan.Zero || BusyTimeout.TotalMilliseconds > int.MaxValue)
            problems.Add("BusyTimeout must be between zero and int.MaxValue milliseconds.");
        if (Migrations is null || Migrations.Any(string.IsNullOrWhiteSpace)) problems.Add("A migration script is empty.");
        if (Projections is null) problems.Add("Projections is null.");
        return problems;
    }
}
