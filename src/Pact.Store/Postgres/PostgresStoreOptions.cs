namespace Pact.Store.Postgres;

/// <summary>How the PostgreSQL store connects and writes.</summary>
public sealed record PostgresStoreOptions
{
    /// <summary>An Npgsql connection string (host, port, database, user, password, pooling).</summary>
    public required string ConnectionString { get; set; }

    /// <summary>Most requests committed together in one transaction (group commit).</summary>
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>Streams whose head (streamSeq, hash, time) the writer keeps in memory; past this the cache is emptied and reloads lazily.</summary>
    public int StreamHeadCacheLimit { get; set; } = 100_000;

    /// <summary>
    /// How long opening waits for another instance to give up the writer role before it fails: long enough for a
    /// restart to outwait the previous process's session.
    /// </summary>
    public TimeSpan WriterLockTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Open as a standby when another instance holds the writer role, instead of waiting for it and failing (ADR 0013):
    /// the store follows the log, refuses appends, and takes the role when it becomes free.
    /// </summary>
    public bool Standby { get; set; }

    /// <summary>How often a standby tries the writer role (and, at least, reads the log when no notification came).</summary>
    public TimeSpan TakeOverInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The key of the row seals (an HMAC of every row of the tables no event gives), set on the writer's session only;
    /// see <see cref="PactStoreOptions.SealKey"/>.
    /// </summary>
    public byte[] SealKey { get; set; } = [];

    /// <summary>Open a log whose Merkle tree does not match its events anyway, refusing every append (see <see cref="PactStoreOptions.OpenWithBrokenLog"/>).</summary>
    public bool OpenWithBrokenLog { get; set; }

    /// <summary>Schema scripts applied after the log's own (read models; tests' own); appended only, never edited.</summary>
    internal IReadOnlyList<string> Migrations { get; set; } = [];

    /// <summary>The inline projections the writer runs on each request's events inside its transaction.</summary>
    internal IReadOnlyList<Relational.IRelationalProjection> Projections { get; set; } = [];

    /// <summary>What is wrong with these options, one message each; empty when they can open a store.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString)) problems.Add("ConnectionString must name the PostgreSQL database.");
        if (MaxBatchSize < 1) problems.Add($"MaxBatchSize must be at least 1, not {MaxBatchSize}.");
        if (StreamHeadCacheLimit < 1) problems.Add($"StreamHeadCacheLimit must be at least 1, not {StreamHeadCacheLimit}.");
        if (WriterLockTimeout < TimeSpan.Zero) problems.Add("WriterLockTimeout must not be negative.");
        if (TakeOverInterval <= TimeSpan.Zero) problems.Add("TakeOverInterval must be positive.");
        if (Migrations is null || Migrations.Any(string.IsNullOrWhiteSpace)) problems.Add("A migration script is empty.");
        if (Projections is null) problems.Add("Projections is null.");
        return problems;
    }
}
