using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.Passport;
using Pact.Core.Time;
using Pact.Store.Projections;
using Pact.Store.ReadModels;
using Pact.Store.Tests.Conformance;

namespace Pact.Store.Tests;

/// <summary>
/// The fifth read-model migration added the passport tables and the log clock: a log written before it must give, once
/// opened, the passports and instants a full fold of it gives — folded at open, page by page.
/// </summary>
public sealed class PassportBackfillTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pact-passport-backfill-" + Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_dir, "pact.db");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_log_written_before_the_passport_tables_is_folded_into_them_page_by_page()
    {
        var generator = new PassportLogGenerator(11);
        await using (var old = await OpenAsync(ReadModelSchema.Migrations.Take(4), [new NeutralProjection(new SessionProjection()), new NeutralProjection(new ProposalProjection()), new NeutralProjection(new CompactProjection())]))
        {
            for (var i = 0; i < 50; i++) await old.AppendAsync(generator.NextRequest());
        }

        await using (var migrated = await OpenAsync(ReadModelSchema.Migrations, []))
        {
            (await Backfills(migrated)).Should().Be(1, "the migration recorded the range to fold");
            await ProjectionBackfill.RunAsync(migrated, "passport", new NeutralProjection(new PassportProjection()), NullLogger.Instance, CancellationToken.None, pageSize: 7);
            (await Backfills(migrated)).Should().Be(0);
            await ExpectFullFoldAsync(await migrated.ReadAllAsync(0, 100_000), new PassportReadModel(migrated));
        }

        await using var store = await SqlitePactStore.OpenAsync(new PactStoreOptions { DatabasePath = DatabasePath });
        for (var i = 0; i < 10; i++) await store.AppendAsync(generator.NextRequest());
        await ExpectFullFoldAsync(await store.ReadAllAsync(0, 100_000), store.Passports);
    }

    [Fact]
    public async Task The_store_folds_an_older_log_when_it_opens()
    {
        var generator = new PassportLogGenerator(12);
        await using (var old = await OpenAsync(ReadModelSchema.Migrations.Take(4), [new NeutralProjection(new SessionProjection()), new NeutralProjection(new ProposalProjection()), new NeutralProjection(new CompactProjection())]))
        {
            for (var i = 0; i < 30; i++) await old.AppendAsync(generator.NextRequest());
        }

        await using var store = await SqlitePactStore.OpenAsync(new PactStoreOptions { DatabasePath = DatabasePath });
        await ExpectFullFoldAsync(await store.ReadAllAsync(0, 100_000), store.Passports);
    }

    [Fact]
    public async Task A_new_store_has_nothing_to_fold()
    {
        await using (await SqlitePactStore.OpenAsync(new PactStoreOptions { DatabasePath = DatabasePath })) { }
        await using var log = await OpenAsync(ReadModelSchema.Migrations, []);
        (await Backfills(log)).Should().Be(0);
    }

    private Task<SqliteEventLog> OpenAsync(IEnumerable<string> migrations, IReadOnlyList<IInlineProjection> projections) =>
        SqliteEventLog.OpenAsync(new PactStoreOptions { DatabasePath = DatabasePath, Migrations = [.. migrations], Projections = projections });

    private static Task<long> Backfills(SqliteEventLog log) => Requests.CountAsync(log, "SELECT count(*) FROM projection_backfill");

    /// <summary>Every agent's passport at every seq, and the last seq at or before every instant, as a full fold of the log gives them.</summary>
    private static async Task ExpectFullFoldAsync(IReadOnlyList<TranscriptEvent> events, IPassportReadModel passports)
    {
        var ledger = new PassportLedger();
        foreach (var e in events)
        {
            ledger.Apply(e);
            foreach (var agent in PassportLogGenerator.Agents)
            {
                var stored = await passports.GetAsync(agent, e.Seq, e.Time, CancellationToken.None);
                Jcs.CanonicalString(stored.ToJson()).Should().Be(Jcs.CanonicalString(ledger.PassportOf(agent).ToJson()), $"{agent} as of seq {e.Seq}");
            }
        }
        foreach (var instant in events.Select(e => Timestamp.Parse(e.Time)).SelectMany(t => new[] { t.AddMilliseconds(-1), t }))
        {
            var text = Timestamp.ToText(instant);
            var expected = events.Where(e => string.CompareOrdinal(e.Time, text) <= 0).Select(e => e.Seq).DefaultIfEmpty(0).Max();
            (await passports.LastSeqAtOrBeforeAsync(text, CancellationToken.None)).Should().Be(expected, $"at {text}");
        }
    }
}
