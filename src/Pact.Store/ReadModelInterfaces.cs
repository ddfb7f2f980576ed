using Pact.Core.Passport;
using Pact.Core.Sessions;

namespace Pact.Store;

/// <summary>Sessions as the list and visibility queries need them, and their §7 state assembled from the projected rows.</summary>
public interface ISessionReadModel
{
    Task<SessionRow?> GetAsync(string sessionId, CancellationToken ct);

    /// <summary>The session's §7 state as of the last commit (row, proposals and compacts read as of one commit); null for an unknown session.</summary>
    Task<SessionState?> GetStateAsync(string sessionId, CancellationToken ct);

    /// <summary>Sessions <paramref name="agent"/> takes part in (all when null: the operator), filtered, in id order after a cursor.</summary>
    Task<IReadOnlyList<SessionRow>> ListAsync(string? agent, string? participant, string? status, string? after, int limit, CancellationToken ct);

    /// <summary>The ids of every session the agent takes part in.</summary>
    Task<HashSet<string>> SessionsOfAsync(string agent, CancellationToken ct);
}

/// <summary>Proposals and compact versions as the read endpoints show them.</summary>
public interface IProposalReadModel
{
    Task<ProposalRow?> GetProposalAsync(string proposalId, CancellationToken ct);

    /// <summary>The signed record of one compact version.</summary>
    Task<System.Text.Json.Nodes.JsonObject?> GetRecordAsync(string compactId, long version, CancellationToken ct);

    /// <summary>Every version of a compact, oldest first, with the history of each.</summary>
    Task<IReadOnlyList<CompactVersionRow>> GetVersionsAsync(string compactId, CancellationToken ct);

    /// <summary>Current compact versions an agent is a party to (all when null: the operator), in id order after a cursor.</summary>
    Task<IReadOnlyList<CompactVersionRow>> ListCurrentAsync(string? agent, string? status, string? after, int limit, CancellationToken ct);
}

/// <summary>Session checkpoints (state snapshots, §7), for listing and for replay from the nearest one.</summary>
public interface ISessionCheckpointReadModel
{
    Task<IReadOnlyList<SessionCheckpointRow>> ListAsync(string sessionId, CancellationToken ct);

    /// <summary>The latest session checkpoint at or before streamSeq <paramref name="atOrBefore"/>.</summary>
    Task<SessionCheckpointRow?> NearestAsync(string sessionId, long atOrBefore, CancellationToken ct);

    Task<SessionCheckpointRow?> GetAsync(string checkpointId, CancellationToken ct);
}

/// <summary>Registered agents (§3) and operator invites.</summary>
public interface IAgentDirectory
{
    Task<bool> IsRegisteredAsync(string did, CancellationToken ct);

    Task<AgentRecord?> GetAsync(string did, CancellationToken ct);

    /// <summary>Stores a new invite code valid until <paramref name="expiresAt"/>.</summary>
    Task CreateInviteAsync(string code, string expiresAt, CancellationToken ct);
}

/// <summary>
/// Accepted envelopes' (signer, nonce) pairs with their responses (§2), kept until issuedAt + 300 s. They are
/// written with <see cref="IStoreTransaction.RememberNonce"/>, in the transaction of what the envelope caused.
/// </summary>
public interface INonceStore
{
    /// <summary>The response remembered for this signer's nonce, or null when it was never used.</summary>
    Task<StoredResponse?> FindAsync(string signer, string nonce, CancellationToken ct);

    /// <summary>Forgets nonces that expired before <paramref name="now"/>; returns how many.</summary>
    Task<int> PruneAsync(DateTimeOffset now, CancellationToken ct);
}

/// <summary>
/// Passports (§16) as of any seq, from counts the store keeps as events commit: answering never reads the log, so it
/// takes the same time at the head and far back, whatever the log's length.
/// </summary>
public interface IPassportReadModel
{
    /// <summary>
    /// The passport of <paramref name="agent"/> over the events with seq ≤ <paramref name="asOfSeq"/> (a committed
    /// seq), with <paramref name="asOf"/> as its time and the end of its recentFailures window.
    /// </summary>
    Task<AgentPassport> GetAsync(string agent, long asOfSeq, string asOf, CancellationToken ct);

    /// <summary>The largest seq whose event's time is at or before <paramref name="time"/> (a §0 timestamp); 0 when none is.</summary>
    Task<long> LastSeqAtOrBeforeAsync(string time, CancellationToken ct);

    /// <summary>The time of event <paramref name="seq"/>, or null when there is none.</summary>
    Task<string?> TimeOfAsync(long seq, CancellationToken ct);

    /// <summary>
    /// The seqs of the <c>compact.in-force</c> events, seq ≤ <paramref name="asOfSeq"/>, in which <paramref name="agent"/>
    /// entered a compact, in order: where its running count of compacts went up.
    /// </summary>
    Task<IReadOnlyList<long>> CompactsEnteredAsync(string agent, long asOfSeq, CancellationToken ct);
}

/// <summary>Passports as §16 dates them.</summary>
public static class PassportReadModelExtensions
{
    /// <summary>The passport over the log up to the committed <paramref name="asOfSeq"/> (≥ 1), as of that event's time (§16).</summary>
    public static async Task<AgentPassport> AsOfCommittedSeqAsync(this IPassportReadModel passports, string agent, long asOfSeq, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(passports);
        var at = await passports.TimeOfAsync(asOfSeq, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Event {asOfSeq} is committed but has no time.");
        return await passports.GetAsync(agent, asOfSeq, at, ct).ConfigureAwait(false);
    }
}

/// <summary>Published policies (§13), by hash. Published through <see cref="IStoreTransaction.InsertPolicy"/>; never changed.</summary>
public interface IPolicyStore
{
    Task<PolicyRecord?> GetAsync(string policyHash, CancellationToken ct);
}

/// <summary>
/// The latest snapshot of the daemon's decision state (what its start folds the log into), so a start folds only the
/// events after it. Kept as opaque bytes with their SHA-256 and the seq and hash of the last event they cover, the row
/// sealed under the store's seal key; one at a time, each save replacing the one before.
/// </summary>
public interface IStateSnapshotStore
{
    /// <summary>Stores <paramref name="snapshot"/> in place of the one before.</summary>
    Task SaveAsync(StoredStateSnapshot snapshot, CancellationToken ct);

    /// <summary>
    /// The latest snapshot, or null when there is none. A row whose seal or body hash is not what it holds throws
    /// <see cref="TranscriptIntegrityException"/>: it was written by something other than this store.
    /// </summary>
    Task<StoredStateSnapshot?> LatestAsync(CancellationToken ct);

    /// <summary>Removes every snapshot (one found not to be what the events give), so the next start folds the whole log.</summary>
    Task DeleteAllAsync(CancellationToken ct);
}
