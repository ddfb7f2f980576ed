using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pact.Store.Projections;
using Pact.Store.Webhooks;

namespace Pact.Store.Sqlite;

/// <summary>
/// The embedded default implementation of <see cref="IPactStore"/>: one SQLite file in WAL mode, one writer
/// (<see cref="SqliteEventLog"/>, group commit) that runs the read models' inline projections inside each commit.
/// </summary>
public sealed class SqlitePactStore : RelationalPactStore
{
    private readonly SqliteEventLog _log;
    private readonly ILogger _logger;

    /// <summary>Creates the store over the file <paramref name="options"/> names; nothing is opened until <see cref="OpenAsync(CancellationToken)"/>.</summary>
    public SqlitePactStore(PactStoreOptions options, ILogger<SqlitePactStore>? logger = null)
        : base(subscriptions => CreateLog(options, subscriptions, logger))
    {
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _log = (SqliteEventLog)Engine;
    }

    private static SqliteEventLog CreateLog(PactStoreOptions options, SubscriptionCache subscriptions, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SqliteEventLog(options with { Migrations = ReadModelSchema.Migrations, Projections = ReadModelProjections(subscriptions) }, logger);
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
    public override Task<StoreAudit> AuditAsync(CancellationToken ct = default)
    {
        var path = _log.DatabasePath;
        var key = _log.SealKey;
        _log.ThrowIfNotOpen();
        return Task.Run(() => SqliteStoreAudit.Run(path, key, ReadModelSchema.Migrations, LogProjections(), ct), ct);
    }

    /// <summary>Creates the store and opens it (see <see cref="OpenAsync(CancellationToken)"/>).</summary>
    public static Task<SqlitePactStore> OpenAsync(PactStoreOptions options, ILogger<SqlitePactStore>? logger = null, CancellationToken ct = default) =>
        Opening.OpenOrDisposeAsync(() => new SqlitePactStore(options, logger), store => store.OpenAsync(ct));

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

    public override async Task<StoreDiagnostics> GetDiagnosticsAsync(CancellationToken ct = default)
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
}
