using Pact.Core.Contracts.Responses;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pact.Core.Json;
using Pact.Core.Errors;
using Pact.Daemon.TransparencyLog;

namespace Pact.Daemon.Application;

/// <summary>
/// What the daemon refuses because the stored transcript failed its checks at start ("degraded"): commands on
/// a quarantined session, or on a compact whose state comes from one, are neither decided nor appended; after
/// a global break (the Merkle tree, a truncated or gapped log) no command that appends events is. Reads,
/// verify and export are untouched: they check the rows themselves and name or refuse what is damaged.
/// Set once, by the start-up replay; a clean transcript leaves it empty and costs one reference read per command.
/// </summary>
public sealed class TranscriptQuarantine(ILogger<TranscriptQuarantine> logger)
{
    private ReplayFindings _findings = ReplayFindings.Clean;

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
