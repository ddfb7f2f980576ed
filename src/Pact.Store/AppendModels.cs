using Pact.Core.Events;

namespace Pact.Store;

/// <summary>Events to append, in order, to one stream.</summary>
public sealed record StreamAppend(string Stream, IReadOnlyList<EventDraft> Events);

/// <summary>One unit of work for the single writer: events for one or more streams, committed all together or not at all.</summary>
/// <param name="Time">The daemon's clock when it decided the events; each event's <c>time</c> is this, or the stream's previous event's time when that is later.</param>
/// <param name="Streams">Appended in list order; seq is assigned in that order.</param>
public sealed record AppendRequest(DateTimeOffset Time, IReadOnlyList<StreamAppend> Streams)
{
    /// <summary>
    /// Completes a draft with the prevHash it is about to be linked to, just before it is hashed (a
    /// <c>failure</c> event records its own prevHash as <c>transcriptHash</c>, §8.2). Null leaves drafts as they are.
    /// </summary>
    public Func<EventDraft, string, EventDraft>? PrepareDraft { get; init; }

    /// <summary>
    /// The SQLite writer's hook after this request's events and projections: what it returns becomes
    /// <see cref="AppendResult.Value"/>; if it throws, this request alone is rolled back.
    /// </summary>
    internal Func<Sqlite.AppendContext, object?>? Apply { get; init; }
}

/// <summary>A committed request: its events as stored, and what its Apply returned.</summary>
public sealed record AppendResult(IReadOnlyList<TranscriptEvent> Events, object? Value);

/// <summary>A committed request: its events as stored, and what its response function returned.</summary>
public sealed record AppendResult<T>(IReadOnlyList<TranscriptEvent> Events, T Value);

/// <summary>What a full scan by <see cref="IEventLog.VerifyAsync"/> checked.</summary>
public sealed record TranscriptVerification(long EventCount, int StreamCount);

/// <summary>
/// The database server could not give the store a connection (it refused one — too many clients, starting up or shutting
/// down — or the pool stayed exhausted): nothing was read or written, and the request may be retried.
/// </summary>
public sealed class StoreUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Stored events that do not re-verify (a hash, a chain link or the global sequence is broken), or a stored row the
/// store serves besides them that is damaged or no longer what the events give.
/// </summary>
public sealed class TranscriptIntegrityException : Exception
{
    public TranscriptIntegrityException() { }

    /// <summary>The session whose stored data failed, when one is known (the answer names it).</summary>
    public string? SessionId { get; init; }

    /// <summary>Another stored resource that failed, e.g. "policy &lt;hash&gt;" (the answer names it).</summary>
    public string? Resource { get; init; }

    public TranscriptIntegrityException(string message) : base(message) { }

    public TranscriptIntegrityException(string message, Exception inner) : base(message, inner) { }
}
