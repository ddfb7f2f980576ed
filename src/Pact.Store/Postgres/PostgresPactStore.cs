using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pact.Core.Events;
using Pact.Store.Projections;
using Pact.Store.Relational;
using Pact.Store.Webhooks;

namespace Pact.Store.Postgres;

/// <summary>
/// <see cref="IPactStore"/> on a PostgreSQL database (ADR 0011): the same single writer and inline projections as the
/// embedded SQLite store, the same read models (written once over <see cref="IRelationalEngine"/>).
/// </summary>
public sealed class PostgresPactStore : RelationalPactStore, ISharedStore
{
    private readonly PostgresEventLog _log;

    /// <summary>Creates the store; nothing is opened until <see cref="OpenAsync(CancellationToken)"/>.</summary>
    public PostgresPactStore(PostgresStoreOptions options, ILogger<PostgresPactStore>? logger = null)
        : base(subscriptions => CreateLog(options, subscriptions, logger)) =>
        _log = (PostgresEventLog)Engine;

    private static PostgresEventLog CreateLog(PostgresStoreOptions options, SubscriptionCache subscriptions, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new PostgresEventLog(options with { Migrations = PostgresReadModelSchema.Migrations, Projections = [.. LogProjections(), new WebhookOutboxProjection(subscriptions)] },
            logger ?? NullLogger.Instance);
    }

    /// <summary>The projections whose tables are a function of the log alone (what an audit rebuilds), in the writer's order.</summary>
    internal static IReadOnlyList<IRelationalProjection> LogProjections() =>
        [new SessionProjection(), new ProposalProjection(), new CompactProjection(), new PassportProjection(), new LogClockProjection()];

    /// <summary>Creates the store and opens it.</summary>
    public static Task<PostgresPactStore> OpenAsync(PostgresStoreOptions options, ILogger<PostgresPactStore>? logger = null, CancellationToken ct = default) =>
        Opening.OpenOrDisposeAsync(() => new PostgresPactStore(options, logger), store => store.OpenAsync(ct));

    /// <summary>Connects, takes the writer role, migrates and loads the active subscriptions through the writer.</summary>
    /// <remarks>A standby (<see cref="PostgresStoreOptions.Standby"/>) loads them, and forgets the nonces it may have seen, when it takes over.</remarks>
    public Task OpenAsync(CancellationToken ct = default) => _log.OpenAsync(context =>
    {
        NonceStore.Forget();
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

    /// <summary>Rebuilds the read models and the Merkle tree from the events in a scratch schema and compares them (see <see cref="PostgresStoreAudit"/>).</summary>
    public override Task<StoreAudit> AuditAsync(CancellationToken ct = default) =>
        PostgresStoreAudit.RunAsync(_log, _log.SealKey, PostgresSchema.StoreMigrations.Concat(PostgresReadModelSchema.Migrations).ToList(), LogProjections(), ct);

    public override async Task<StoreDiagnostics> GetDiagnosticsAsync(CancellationToken ct = default)
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
}
