using System.Data.Common;
using Microsoft.Data.Sqlite;
using Pact.Store.Relational;

namespace Pact.Store.Sqlite;

// The engine the shared read models run on (ReadModels/, Projections/): the SQLite connections behind the neutral types.
internal sealed partial class SqliteEventLog : IRelationalEventLog
{
    Task<AppendResult> IRelationalEventLog.AppendAsync(AppendRequest request, Func<IWriteContext, object?> apply, CancellationToken ct) =>
        AppendAsync(request with { Apply = context => apply(context) }, ct);

    Task<T> IRelationalEngine.ReadAsync<T>(Func<DbConnection, T> query, CancellationToken ct) => ReadAsync<T>(connection => query(connection), ct);

    // DEFERRED: a read connection takes no write lock; the snapshot starts at its first read.
    DbTransaction IRelationalEngine.BeginReadSnapshot(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: true);

    Task<T> IRelationalEngine.ReadModelAsync<T>(string what, string? sessionId, Func<DbConnection, T> query, CancellationToken ct) =>
        ReadModelAsync<T>(what, sessionId, connection => query(connection), ct);

    Task<T> IRelationalEngine.WriteAsync<T>(Func<IWriteContext, T> write, CancellationToken ct) => WriteAsync<T>(context => write(context), ct);
}
