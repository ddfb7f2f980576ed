using Npgsql;
using Pact.Core.Events;

namespace Pact.Store.Postgres;

/// <summary>What projections and a request's own work see inside the PostgreSQL writer's open transaction.</summary>
internal sealed class PostgresAppendContext(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<TranscriptEvent> events)
{
    public NpgsqlConnection Connection { get; } = connection;

    public NpgsqlTransaction Transaction { get; } = transaction;

    /// <summary>This request's events with seq, streamSeq, time, prevHash and hash assigned (empty for a plain write).</summary>
    public IReadOnlyList<TranscriptEvent> Events { get; } = events;

    /// <summary>A command bound to the writer's transaction; dispose it before the request's work returns.</summary>
    public NpgsqlCommand CreateCommand(string sql) => new(sql, Connection, Transaction);

    /// <summary>The same transaction with other events to project.</summary>
    internal PostgresAppendContext WithEvents(IReadOnlyList<TranscriptEvent> events) => new(Connection, Transaction, events);
}

/// <summary>A read model the PostgreSQL writer keeps inside each request's savepoint (see the SQLite store's <c>IInlineProjection</c>).</summary>
internal interface IPostgresProjection
{
    void Apply(PostgresAppendContext context);
}

/// <summary>One request for the PostgreSQL writer: the events, and the work to run after them in the same savepoint.</summary>
internal sealed record PostgresWrite(AppendRequest Request, Func<PostgresAppendContext, object?>? Apply);
