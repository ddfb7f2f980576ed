using Microsoft.Data.Sqlite;
using Pact.Core.Events;

namespace Pact.Store.Sqlite;

/// <summary>What projections and a request's own work see inside the writer's open transaction.</summary>
internal sealed class AppendContext : Relational.IWriteContext
{
    private readonly StatementCache _statements;

    internal AppendContext(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<TranscriptEvent> events, StatementCache statements)
    {
        Connection = connection;
        Transaction = transaction;
        Events = events;
        _statements = statements;
    }

    public SqliteConnection Connection { get; }

    public SqliteTransaction Transaction { get; }

    /// <summary>This request's events with seq, streamSeq, time, prevHash and hash assigned (empty for a plain write).</summary>
    public IReadOnlyList<TranscriptEvent> Events { get; }

    /// <summary>
    /// A command on the writer's connection, bound to the open transaction, with its statement prepared once and
    /// reused by later requests. Dispose it (a <c>using</c>) before the request's work returns.
    /// </summary>
    public SqliteCommand CreateCommand(string sql) => _statements.Rent(sql, Transaction);

    System.Data.Common.DbCommand Relational.IWriteContext.CreateCommand(string sql) => CreateCommand(sql);

    /// <summary>The same transaction with other events to project: how a projection added later catches up on the log (<see cref="ProjectionBackfill"/>).</summary>
    internal AppendContext WithEvents(IReadOnlyList<TranscriptEvent> events) => new(Connection, Transaction, events, _statements);
}
