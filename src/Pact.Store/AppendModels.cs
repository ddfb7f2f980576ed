using Microsoft.Data.Sqlite;
using Pact.Core.Events;

namespace Pact.Store;

/// <summary>Events to append, in order, to one stream.</summary>
public sealed record StreamAppend(string Stream, IReadOnlyList<EventDraft> Events);

/// <summary>
/// One unit of work for the single writer: events for one or more streams plus read-model writes done by
/// <paramref name="Apply"/>, committed all together or not at all.
/// </summary>
/// <param name="Time">The daemon's clock when it decided the events; each event's <c>time</c> is this, or the stream's previous event's time when that is later.</param>
/// <param name="Streams">Appended in list order; seq is assigned in that order.</param>
/// <param name="Apply">Runs inside the writer's transaction after this request's events are inserted; what it returns becomes <see cref="AppendResult.Value"/>. If it throws, this request alone is rolled back and its caller gets the exception.</param>
public sealed record AppendRequest(DateTimeOffset Time, IReadOnlyList<StreamAppend> Streams, Func<AppendContext, object?>? Apply = null)
{
    /// <summary>
    /// Completes a draft with the prevHash it is about to be linked to, just before it is hashed (a
    /// <c>failure</c> event records its own prevHash as <c>transcriptHash</c>, §8.2). Null leaves drafts as they are.
    /// </summary>
    public Func<EventDraft, string, EventDraft>? PrepareDraft { get; init; }
}

/// <summary>What <see cref="AppendRequest.Apply"/> and <see cref="TranscriptStore.WriteAsync{T}"/> work with: the writer's connection inside the open transaction.</summary>
public sealed class AppendContext
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
}

/// <summary>A committed request: its events as stored, and what its Apply returned.</summary>
public sealed record AppendResult(IReadOnlyList<TranscriptEvent> Events, object? Value);

/// <summary>The writer connection's settings as read back from SQLite.</summary>
/// <param name="TempStore">2 (MEMORY): savepoint journals stay off the disk.</param>
public sealed record TranscriptPragmas(string JournalMode, long Synchronous, bool ForeignKeys, long BusyTimeoutMs, long UserVersion, long TempStore);

/// <summary>What a full scan by <see cref="TranscriptStore.VerifyAsync"/> checked.</summary>
public sealed record TranscriptVerification(long EventCount, int StreamCount);

/// <summary>Stored events that do not re-verify: a hash, a chain link or the global sequence is broken.</summary>
public sealed class TranscriptIntegrityException : Exception
{
    public TranscriptIntegrityException() { }

    public TranscriptIntegrityException(string message) : base(message) { }

    public TranscriptIntegrityException(string message, Exception inner) : base(message, inner) { }
}
