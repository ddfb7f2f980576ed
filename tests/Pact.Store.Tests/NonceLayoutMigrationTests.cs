using System.Security.Cryptography;
using FluentAssertions;

namespace Pact.Store.Tests;

/// <summary>
/// The last read-model migration moves the nonces into a table kept in write order (ADR 0018). Nonces and responses
/// remembered under the earlier layout must answer resends, refuse twins, keep their seals and prune as before.
/// </summary>
public sealed class NonceLayoutMigrationTests : IDisposable
{
    private const string A = "did:key:z6MkA";
    private const string B = "did:key:z6MkB";
    private static readonly DateTimeOffset T0 = Requests.T0;

    private readonly TempDirectory _dir = new();
    private readonly byte[] _sealKey = RandomNumberGenerator.GetBytes(32);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Nonces_remembered_under_the_earlier_layout_still_answer_resends_refuse_twins_and_keep_their_seals()
    {
        // As the earlier build's NonceStore.Remember wrote them (the insert trigger seals each row).
        (string Signer, string Nonce, DateTimeOffset IssuedAt, int Status, string Body)[] earlier =
        [
            (A, "n-1", T0, 201, """{"sessionId":"ses_1"}"""),
            (B, "n-1", T0.AddMinutes(1), 200, """{"status":"suspended"}"""),
            (A, "n-2", T0.AddMinutes(2), 409, """{"code":"PACT-301"}"""),
        ];
        await using (var old = await SqliteEventLog.OpenAsync(Options(ReadModelSchema.Migrations.Take(ReadModelSchema.Migrations.Count - 1))))
        {
            await old.WriteAsync(context =>
            {
                foreach (var (signer, nonce, issuedAt, status, body) in earlier)
                {
                    using var insert = context.CreateCommand(
                        "INSERT INTO nonces(signer, nonce, payload_hash, expires_at, status, body) VALUES ($1, $2, $3, $4, $5, $6)");
                    insert.Parameters.AddWithValue("$1", signer);
                    insert.Parameters.AddWithValue("$2", nonce);
                    insert.Parameters.AddWithValue("$3", new string('e', 64));
                    insert.Parameters.AddWithValue("$4", (issuedAt + Core.Envelopes.Envelope.FreshnessWindow).ToUnixTimeMilliseconds());
                    insert.Parameters.AddWithValue("$5", status);
                    insert.Parameters.AddWithValue("$6", body);
                    insert.ExecuteNonQuery();
                }
                return 0;
            });
            (await WithoutRowIdAsync(old)).Should().BeTrue("the earlier layout kept each row in the table's key order");
        }
        await TamperAsync(ReadModelSchema.Migrations.Take(ReadModelSchema.Migrations.Count - 1), B, "n-1", """{"status":"active"}""");

        await using (var store = await SqlitePactStore.OpenAsync(Options(ReadModelSchema.Migrations)))
        {
            foreach (var (signer, nonce, _, status, body) in earlier.Where(n => n.Signer != B))
                (await store.Nonces.FindAsync(signer, nonce, CancellationToken.None)).Should().Be(new StoredResponse(new string('e', 64), status, body));
            (await store.AuditAsync()).Global.Should().ContainSingle(d => d.StartsWith("nonces: 1 row(s)", StringComparison.Ordinal),
                "the rows kept the seals they were written with, so the one altered before the upgrade still fails");
        }
        await TamperAsync(ReadModelSchema.Migrations, B, "n-1", """{"status":"suspended"}""");

        await using (var store = await SqlitePactStore.OpenAsync(Options(ReadModelSchema.Migrations)))
        {
            (await store.AuditAsync()).IsClean.Should().BeTrue("the altered row holds what it was sealed with again");

            var twin = store.WriteAsync(transaction =>
            {
                transaction.RememberNonce(new NonceRecord(A, "n-1", T0, new string('f', 64), 201, "{}"));
                return 0;
            });
            await twin.Invoking(t => t).Should().ThrowAsync<DuplicateNonceException>();
            await store.WriteAsync(transaction =>
            {
                transaction.RememberNonce(new NonceRecord(B, "n-2", T0.AddMinutes(3), new string('f', 64), 202, "{}"));
                return 0;
            });
            (await store.AuditAsync()).IsClean.Should().BeTrue("a nonce remembered after the migration is sealed by the new trigger");

            (await store.Nonces.PruneAsync(T0.AddMinutes(1) + Core.Envelopes.Envelope.FreshnessWindow, CancellationToken.None))
                .Should().Be(1, "only the first nonce's window has closed");
            (await store.Nonces.FindAsync(A, "n-1", CancellationToken.None)).Should().BeNull();
            (await store.Nonces.FindAsync(B, "n-2", CancellationToken.None)).Should().Be(new StoredResponse(new string('f', 64), 202, "{}"));
        }

        await using var reopened = await SqliteEventLog.OpenAsync(Options(ReadModelSchema.Migrations));
        (await WithoutRowIdAsync(reopened)).Should().BeFalse("the rows are now kept in the order they are written");
        (await Requests.CountAsync(reopened, "SELECT count(*) FROM nonces WHERE seal IS NULL")).Should().Be(0);
        (await Requests.CountAsync(reopened, "SELECT count(*) FROM pragma_index_list('nonces') WHERE name = 'nonces_by_expiry'")).Should().Be(1);
        // Copied in expiry order (A n-2 expires after B n-1, though it sorts before it by key), new rows after them.
        (await TextAsync(reopened, "SELECT group_concat(signer || ' ' || nonce, ', ') FROM (SELECT signer, nonce FROM nonces ORDER BY rowid)"))
            .Should().Be($"{B} n-1, {A} n-2, {B} n-2");
    }

    [Fact]
    public async Task A_row_the_store_changes_after_the_migration_is_sealed_again()
    {
        await using (var store = await SqlitePactStore.OpenAsync(Options(ReadModelSchema.Migrations)))
        {
            await store.WriteAsync(transaction =>
            {
                transaction.RememberNonce(new NonceRecord(A, "n-1", T0, new string('e', 64), 201, """{"ok":true}"""));
                return 0;
            });
        }
        await using (var log = await SqliteEventLog.OpenAsync(Options(ReadModelSchema.Migrations)))
        {
            var before = await TextAsync(log, "SELECT seal FROM nonces");
            await log.WriteAsync(context =>
            {
                using var update = context.CreateCommand("UPDATE nonces SET status = 202;");
                return update.ExecuteNonQuery();
            });
            (await TextAsync(log, "SELECT seal FROM nonces")).Should().NotBe(before, "the update trigger reseals the row it changed");
        }

        await using var audited = await SqlitePactStore.OpenAsync(Options(ReadModelSchema.Migrations));
        (await audited.AuditAsync()).IsClean.Should().BeTrue();
    }

    /// <summary>What another program can do without the seal key: change a remembered response, keeping the row's seal.</summary>
    private async Task TamperAsync(IEnumerable<string> migrations, string signer, string nonce, string body)
    {
        await using var log = await SqliteEventLog.OpenAsync(Options(migrations));
        await log.WriteAsync(context =>
        {
            using var tamper = context.CreateCommand("""
                CREATE TEMP TABLE kept AS SELECT seal FROM nonces WHERE signer = $signer AND nonce = $nonce;
                UPDATE nonces SET body = $body WHERE signer = $signer AND nonce = $nonce;
                UPDATE nonces SET seal = (SELECT seal FROM kept) WHERE signer = $signer AND nonce = $nonce;
                DROP TABLE kept;
                """);
            tamper.Parameters.AddWithValue("$signer", signer);
            tamper.Parameters.AddWithValue("$nonce", nonce);
            tamper.Parameters.AddWithValue("$body", body);
            return tamper.ExecuteNonQuery();
        });
    }

    private static async Task<string> TextAsync(SqliteEventLog log, string sql) =>
        await log.ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
        });

    private PactStoreOptions Options(IEnumerable<string> migrations) =>
        new() { DatabasePath = _dir.File("pact.db"), SealKey = _sealKey, Migrations = [.. migrations] };

    private static async Task<bool> WithoutRowIdAsync(SqliteEventLog log) =>
        await Requests.CountAsync(log, "SELECT wr FROM pragma_table_list WHERE name = 'nonces'") == 1;
}
