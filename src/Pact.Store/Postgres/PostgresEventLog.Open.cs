using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Pact.Store.Postgres;

// Opening: the writer's own connection, the writer role, migrations, and the Merkle tree checked against the events.
internal sealed partial class PostgresEventLog
{
    private int _opening;

    /// <summary>Creates the log and opens it.</summary>
    public static Task<PostgresEventLog> OpenAsync(PostgresStoreOptions options, ILogger? logger = null, CancellationToken ct = default) =>
        Opening.OpenOrDisposeAsync(() => new PostgresEventLog(options, logger), log => log.OpenAsync(ct: ct));

    /// <summary>
    /// Connects, takes the writer role (waiting at most <see cref="PostgresStoreOptions.WriterLockTimeout"/>), migrates,
    /// loads the head and starts the writer. Once only.
    /// </summary>
    /// <param name="firstWrite">Runs through the writer before any other request can be queued.</param>
    /// <param name="ct">Cancels the open.</param>
    public async Task OpenAsync(Func<PostgresAppendContext, object?>? firstWrite = null, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _opening, 1) != 0) throw new InvalidOperationException("The PostgreSQL transcript was already opened.");
        var session = await OpenWriterSessionAsync(ct).ConfigureAwait(false);
        _writer = session;
        // A standby-capable instance tries once: another instance holding the role makes it a standby, not a failure.
        var locked = await WaitForLockAsync(session, _options.Standby ? TimeSpan.Zero : _options.WriterLockTimeout, ct).ConfigureAwait(false);
        if (!locked && !_options.Standby)
            throw new InvalidOperationException(
                $"Another Pact instance holds the writer role of database '{session.Database}' (advisory lock {PostgresLocks.Writer}).");
        var version = PostgresSchema.Migrate(session, _options.Migrations);
        if (!locked)
        {
            OpenAsStandby(firstWrite);
            _logger.LogInformation("PostgreSQL transcript {Database} open as a standby: schema version {Version}, head seq {HeadSeq}",
                session.Database, version, HeadSeq);
            return;
        }
        LoadHead();
        _writerTask = Task.Run(() => _queue.RunAsync(ProcessBatchAsync), CancellationToken.None);
        if (firstWrite is not null)
        {
            Volatile.Write(ref _open, 1);
            await _queue.Enqueue(new PostgresWrite(new AppendRequest(default, []), firstWrite), ct).ConfigureAwait(false);
        }
        Volatile.Write(ref _open, 1);
        _becameWriter.TrySetResult();
        _logger.LogInformation("PostgreSQL transcript {Database} open: schema version {Version}, head seq {HeadSeq}",
            _writer.Database, version, HeadSeq);
    }

    /// <summary>
    /// A connection of its own (never pooled: the advisory lock belongs to the session and must end with it) that holds
    /// the writer lock.
    /// </summary>
    private async Task<NpgsqlConnection> ConnectWriterAsync(CancellationToken ct)
    {
        var connection = await OpenWriterSessionAsync(ct).ConfigureAwait(false);
        try
        {
            if (!await WaitForLockAsync(connection, _options.WriterLockTimeout, ct).ConfigureAwait(false))
                throw new InvalidOperationException(
                    $"Another Pact instance holds the writer role of database '{connection.Database}' (advisory lock {PostgresLocks.Writer}).");
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The writer's session (unpooled, with the row seals' key), not yet holding the writer role.</summary>
    private async Task<NpgsqlConnection> OpenWriterSessionAsync(CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(_options.ConnectionString) { Pooling = false, ApplicationName = "pact-writer" };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            // The row seals' key: on this session only, which is the only one the sealed tables' triggers accept writes from.
            await using (var key = new NpgsqlCommand("SELECT set_config('pact.seal_key', $1, false)", connection))
            {
                key.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "k:" + Pact.Core.Encoding.Hex.Encode(_options.SealKey) });
                await key.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Tries the writer lock on the session until it holds it or <paramref name="wait"/> passed (zero: one try).</summary>
    private static async Task<bool> WaitForLockAsync(NpgsqlConnection connection, TimeSpan wait, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (!await TryLockAsync(connection, ct).ConfigureAwait(false))
        {
            if (waited.Elapsed >= wait) return false;
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct).ConfigureAwait(false);
        }
        return true;
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT pg_try_advisory_lock({PostgresLocks.Writer});", connection);
        return (bool)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>Reads the committed head and the Merkle tree's right edge; called whenever the writer (re)takes its role.</summary>
    private void LoadHead()
    {
        var connection = _writer!;
        _heads.Clear();
        var headSeq = PostgresSchema.ScalarLong(connection, null, "SELECT COALESCE(MAX(seq), 0) FROM events;");
        var leaves = PostgresSchema.ScalarLong(connection, null, "SELECT COALESCE(MAX(idx) + 1, 0) FROM merkle_nodes WHERE level = 0;");
        if (leaves != headSeq)
        {
            var failure = $"The Merkle tree of the log holds {leaves} leaves but the transcript has {headSeq} events.";
            if (!_options.OpenWithBrokenLog) throw new TranscriptIntegrityException(failure);
            _logger.LogCritical("PostgreSQL transcript opened without appends: {Failure}", failure);
            LogIntegrityFailure = failure;
        }
        else
        {
            _frontier = MerkleFrontier.Load(connection, null, leaves);
        }
        Volatile.Write(ref _headSeq, headSeq);
    }
}
