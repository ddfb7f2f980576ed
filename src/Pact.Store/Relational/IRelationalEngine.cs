using System.Data.Common;
using Pact.Core.Events;

namespace Pact.Store.Relational;

/// <summary>
/// What the read models need from a relational engine, whichever database it writes (SQLite, PostgreSQL): pooled
/// read connections, and the single writer's transaction. The read models are written once, in SQL both engines
/// run (named <c>@parameters</c>, <c>ON CONFLICT</c>, no JSON functions); what differs stays in the engines.
/// </summary>
internal interface IRelationalEngine
{
    /// <summary>Runs <paramref name="query"/> on a pooled read connection.</summary>
    Task<T> ReadAsync<T>(Func<DbConnection, T> query, CancellationToken ct = default);

    /// <summary>A read transaction on <paramref name="connection"/> in which every statement sees the same commit.</summary>
    DbTransaction BeginReadSnapshot(DbConnection connection);

    /// <summary>
    /// Like <see cref="ReadAsync{T}"/>, and turns a row the query cannot read (a damaged page, text that is not the
    /// JSON or number it must be) into a <see cref="TranscriptIntegrityException"/> naming <paramref name="what"/> and
    /// the session, never an error that blames the request.
    /// </summary>
    Task<T> ReadModelAsync<T>(string what, string? sessionId, Func<DbConnection, T> query, CancellationToken ct = default);

    /// <summary>A unit of work with no events through the single writer.</summary>
    Task<T> WriteAsync<T>(Func<IWriteContext, T> write, CancellationToken ct = default);
}

/// <summary>What projections and a request's own work see inside the writer's open transaction.</summary>
internal interface IWriteContext
{
    /// <summary>This request's events with seq, streamSeq, time, prevHash and hash assigned (empty for a plain write).</summary>
    IReadOnlyList<TranscriptEvent> Events { get; }

    /// <summary>A command bound to the writer's transaction; dispose it before the request's work returns.</summary>
    DbCommand CreateCommand(string sql);
}

/// <summary>
/// A read model the writer keeps itself (Marten's inline projections are the model): run for each request's events
/// inside the request's savepoint, so the read model and the events commit together or not at all.
/// </summary>
internal interface IRelationalProjection
{
    /// <summary>Projects <see cref="IWriteContext.Events"/> (never empty) through <paramref name="context"/>'s transaction.</summary>
    void Apply(IWriteContext context);
}
