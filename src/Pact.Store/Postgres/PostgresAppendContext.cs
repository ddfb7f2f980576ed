using System.Data.Common;
using Npgsql;
using Pact.Core.Events;
using Pact.Store.Relational;

namespace Pact.Store.Postgres;

/// <summary>What projections and a request's own work see inside the PostgreSQL writer's open transaction.</summary>
internal sealed class PostgresAppendContext(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<TranscriptEvent> events) : IWriteContext
{
    public NpgsqlConnection Connection { get; } = connection;

    public NpgsqlTransaction Transaction { get; } = transaction;

    /// <summary>This request's events with seq, streamSeq, time, prevHash and hash assigned (empty for a plain write).</summary>
    public IReadOnlyList<TranscriptEvent> Events { get; } = events;

    /// <summary>A command bound to the writer's transaction; dispose it before the request's work returns.</summary>
    public NpgsqlCommand CreateCommand(string sql) => new(sql, Connection, Transaction);

    DbCommand IWriteContext.CreateCommand(string sql) => CreateCommand(sql);

    /// <summary>The same transaction with other events to project.</summary>
    internal PostgresAppendContext WithEvents(IReadOnlyList<TranscriptEvent> events) => new(Connection, Transaction, events);
}

/// <summary>One request for the PostgreSQL writer: the events, and the work to run after them in the same savepoint.</summary>
internal sealed record PostgresWrite(AppendRequest Request, Func<PostgresAppendContext, object?>? Apply);
