using Pact.Core.Events;

namespace Pact.Store;

/// <summary>
/// A store several daemon instances share (PostgreSQL, ADR 0013): one instance at a time holds the writer role and
/// appends; the others are standbys that follow the log as it is committed and take the role when it becomes free.
/// </summary>
public interface ISharedStore
{
    /// <summary>Whether this instance holds the writer role (and so takes appends).</summary>
    bool IsWriter { get; }

    /// <summary>Completes once this instance holds the writer role: at open, or when it took over from another instance.</summary>
    Task BecameWriter { get; }

    /// <summary>
    /// Raised on a standby with each run of events another instance committed, in seq order and before
    /// <see cref="IEventLog.Committed"/> is raised with them; also with the last events the previous writer committed,
    /// when this instance takes over, before it takes its first append.
    /// </summary>
    event Action<IReadOnlyList<TranscriptEvent>>? Followed;

    /// <summary>
    /// On a standby: starts raising every event after <paramref name="afterSeq"/> (what the caller has folded already) and
    /// trying the writer role. Nothing on a writer.
    /// </summary>
    void Follow(long afterSeq);

    /// <summary>Through the writer: records the base URL standbys forward writes to.</summary>
    Task AdvertiseAsync(string url, DateTimeOffset now, CancellationToken ct = default);

    /// <summary>The base URL the writer advertised last, or null.</summary>
    Task<string?> WriterUrlAsync(CancellationToken ct = default);

    /// <summary>
    /// Records <paramref name="daemonId"/> as the identity the database belongs to, unless one is recorded already, and
    /// returns the recorded one (on a writer or a standby): an instance whose key differs must not serve this database.
    /// </summary>
    Task<string> ClaimIdentityAsync(string daemonId, DateTimeOffset now, CancellationToken ct = default);
}

/// <summary>An append or write reached an instance that does not hold the writer role (a standby, or a writer that lost it).</summary>
public sealed class NotTheWriterException(string message) : InvalidOperationException(message);
