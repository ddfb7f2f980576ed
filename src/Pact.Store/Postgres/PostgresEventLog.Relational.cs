using System.Data;
using System.Data.Common;
using Npgsql;
using Pact.Store.Relational;

namespace Pact.Store.Postgres;

// The engine the shared read models run on (ReadModels/, Projections/): pooled Npgsql connections behind the neutral types.
internal sealed partial class PostgresEventLog : IRelationalEventLog
{
    public byte[] SealKey => _options.SealKey;

    Task<AppendResult> IRelationalEventLog.AppendAsync(AppendRequest request, Func<IWriteContext, object?> apply, CancellationToken ct) =>
        AppendAsync(request, context => apply(context), ct);

    /// <summary>Runs <paramref name="query"/> on a pooled connection (its statements are synchronous; the open is not).</summary>
    public async Task<T> ReadAsync<T>(Func<DbConnection, T> query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenReadConnectionAsync(ct).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        return query(connection);
    }

    public DbTransaction BeginReadSnapshot(DbConnection connection) => connection.BeginTransaction(IsolationLevel.RepeatableRead);

    /// <summary>
    /// Like <see cref="ReadAsync{T}"/>; a row the query cannot read (text that is not the JSON, number or word it must
    /// be) is a <see cref="TranscriptIntegrityException"/> naming <paramref name="what"/> and the session. Errors of the
    /// server or the connection stay what they are: they say nothing about the stored rows.
    /// </summary>
    public async Task<T> ReadModelAsync<T>(string what, string? sessionId, Func<DbConnection, T> query, CancellationToken ct = default)
    {
        try
        {
            return await ReadAsync(query, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (OperationCanceledException or ObjectDisposedException or TranscriptIntegrityException or StoreUnavailableException
            or NpgsqlException or TimeoutException))
        {
            throw new TranscriptIntegrityException($"The stored {what} cannot be read: {e.Message}", e) { SessionId = sessionId };
        }
    }

    Task<T> IRelationalEngine.WriteAsync<T>(Func<IWriteContext, T> write, CancellationToken ct) => WriteAsync<T>(context => write(context), ct);
}
