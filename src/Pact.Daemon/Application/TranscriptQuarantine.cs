using Pact.Core.Contracts.Responses;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pact.Core.Json;
using Pact.Core.Errors;
using Pact.Daemon.TransparencyLog;
using Pact.Store;

namespace Pact.Daemon.Application;

/// <summary>
/// What the daemon refuses because the stored transcript failed its checks at start ("degraded"): commands on
/// a quarantined session, or on a compact whose state comes from one, are neither decided nor appended; after
/// a global break (the Merkle tree, a truncated or gapped log) no command that appends events is. Reads,
/// verify and export are untouched: they check the rows themselves and name or refuse what is damaged.
/// Set by the start-up replay, then added to by the audit (<see cref="TranscriptAuditor"/>), which also quarantines
/// reads: a session whose read-model rows are not what its events give is not served from them (500 PACT-401), and
/// after a difference of the whole store nothing is. A clean transcript costs one reference read per command.
/// </summary>
public sealed class TranscriptQuarantine(ILogger<TranscriptQuarantine> logger)
{
    private ReplayFindings _findings = ReplayFindings.Clean;
    private ReplayFindings _unreadable = ReplayFindings.Clean;

    public ReplayFindings Findings => Volatile.Read(ref _findings);

    public bool IsDegraded => !Findings.IsClean;

    /// <summary>Records what the replay found and says so at Critical level, one line per break.</summary>
    public void Set(ReplayFindings findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        Volatile.Write(ref _findings, findings);
        if (findings.Global is { } global)
            logger.LogCritical("Transcript integrity failure across the log: {Reason} Every command that appends events is refused with PACT-401; reads and verify keep working.", global);
        foreach (var (sessionId, f) in findings.Sessions)
        {
            logger.LogCritical("Transcript integrity failure in session {SessionId} at seq {Seq} (streamSeq {StreamSeq}), check {Check}: {Message} " +
                "The session is quarantined: its commands are refused with PACT-401; reads and verify keep working.", sessionId, f.Seq, f.StreamSeq, f.Check, f.Message);
        }
        var compacts = findings.Compacts.Keys.Order(StringComparer.Ordinal).ToList();
        if (compacts.Count > 0)
            logger.LogCritical("Compacts quarantined with their sessions: {CompactIds}", compacts);
    }

    /// <summary>
    /// Adds what the audit found: its commands are refused as the replay's are, and its reads too
    /// (<see cref="ThrowIfUnreadable"/>). Said at Critical level like the replay's.
    /// </summary>
    public void AddAudit(ReplayFindings audit)
    {
        ArgumentNullException.ThrowIfNull(audit);
        if (audit.IsClean) return;
        Volatile.Write(ref _unreadable, audit);
        Volatile.Write(ref _findings, Findings.And(audit));
        if (audit.Global is { } global)
            logger.LogCritical("Store audit failure: {Reason} Commands that append events are refused and read models are not served (PACT-401); events, verify and export keep working.", global);
        foreach (var (sessionId, f) in audit.Sessions)
            logger.LogCritical("Store audit failure in session {SessionId}: {Message} The session is quarantined: its commands and its reads are refused with PACT-401.", sessionId, f.Message);
    }

    /// <summary>
    /// Adds what the full replay run after a start from a state snapshot found (<see cref="StateSnapshots"/>): broken
    /// streams, and sessions whose snapshot state is not what their events give. Their commands are refused as the
    /// start-up replay's are; reads are untouched (they never read the decision state).
    /// </summary>
    public void AddReplay(ReplayFindings replay)
    {
        ArgumentNullException.ThrowIfNull(replay);
        if (replay.IsClean) return;
        Set(Findings.And(replay));
    }

    /// <summary>
    /// Throws the 500 PACT-401 of a read that would serve read-model rows the audit found altered: the session's, a
    /// compact negotiated in it, or any after a difference of the whole store.
    /// </summary>
    public void ThrowIfUnreadable(string? sessionId, string? compactId = null)
    {
        var unreadable = Volatile.Read(ref _unreadable);
        if (unreadable.IsClean) return;
        if (unreadable.Global is not null)
            throw new TranscriptIntegrityException("The store's read models failed their audit against the log: " + unreadable.Global) { SessionId = sessionId };
        var session = sessionId is not null && unreadable.Sessions.ContainsKey(sessionId) ? sessionId
            : compactId is not null && unreadable.Compacts.TryGetValue(compactId, out var owner) ? owner : null;
        if (session is not null)
            throw new TranscriptIntegrityException($"The stored rows of session {session} are not what its events give.") { SessionId = session };
    }

    /// <summary>
    /// The refusal for a command whose lock keys (session ids, compact ids) or decided streams touch what is
    /// quarantined; null when it may go on. The detail names the key, never the failing event: verify does that for
    /// whoever may read the session.
    /// </summary>
    public PactError? Refuse(IEnumerable<string> keys)
    {
        var findings = Findings;
        if (findings.IsClean) return null;
        if (findings.Global is not null)
        {
            return Integrity("The stored transcript failed its integrity checks when the daemon started, so no event can be appended safely. " +
                "Reads and verify still work; the operator must restore the transcript (see GET /healthz).");
        }
        foreach (var key in keys)
        {
            if (findings.Sessions.ContainsKey(key))
            {
                return Integrity($"Session {key} is quarantined: its stored events failed their integrity checks when the daemon started. " +
                    $"Run GET /v1/sessions/{key}/verify to find the first bad event; commands on it are refused until the transcript is restored.");
            }
            if (findings.Compacts.TryGetValue(key, out var sessionId))
            {
                return Integrity($"Compact {key} is quarantined with session {sessionId}, whose stored events failed their integrity checks when the daemon started. " +
                    $"Run GET /v1/sessions/{sessionId}/verify to find the first bad event.");
            }
        }
        return null;
    }

    /// <summary>Whether a deadline's subject is quarantined (after a global break, every one is), so the timer leaves it alone.</summary>
    public bool Holds((string SessionId, string CompactId)? subject)
    {
        var findings = Findings;
        if (findings.IsClean) return false;
        return findings.Global is not null || (subject is { } s && (findings.Sessions.ContainsKey(s.SessionId) || findings.Compacts.ContainsKey(s.CompactId)));
    }

    /// <summary>
    /// What the health endpoints say when degraded: <c>status</c> becomes "degraded" with a reason anyone may read
    /// (no session ids, §11), and — for the operator only — each quarantined session with its first failing event.
    /// A clean transcript leaves <paramref name="body"/> as it is.
    /// </summary>
    public void Describe(JsonObject body, bool operatorView)
    {
        var findings = Findings;
        if (findings.IsClean) return;
        body["status"] = "degraded";
        body["reason"] = findings.Global ?? $"{findings.Sessions.Count} session(s) failed their integrity checks at start and are quarantined; commands on them are refused with PACT-401.";
        body["appendsRefused"] = findings.Global is not null ? "all" : "quarantined";
        body["quarantinedSessions"] = findings.Sessions.Count;
        if (operatorView)
        {
            body["quarantined"] = new JsonArray(findings.Sessions.Select(s =>
            {
                var entry = JsonSerializer.SerializeToNode(s.Value, PactJson.Options)!.AsObject();
                entry["sessionId"] = s.Key;
                return (JsonNode)entry;
            }).ToArray());
        }
    }

    private static PactError Integrity(string detail) => new(PactCodes.IntegrityFailure, 500, "Transcript integrity failure", detail);
}
