using System.Collections.Immutable;
using System.Diagnostics;
using Pact.Core.Contracts.Responses;
using Pact.Core.TransparencyLog;
using Pact.Daemon.Hosting;
using Pact.Store;

namespace Pact.Daemon.Application;

/// <summary>
/// Checks, once per start and in the background, everything the daemon serves besides the events against the events:
/// the store's audit (read models and Merkle tree rebuilt from the log and compared, checkpoint roots, SQLite's
/// integrity_check) and every stored log checkpoint's note opened with the daemon key. What it finds is quarantined
/// (<see cref="TranscriptQuarantine.AddAudit"/>): commands and reads of the sessions concerned answer 500 PACT-401,
/// and a difference of the whole store stops appends and read-model reads. It reads the whole store, so it runs
/// after the daemon is ready; <see cref="Completion"/> says when it is done. After a start from a state snapshot it
/// first folds the whole log and compares it with the snapshot (<see cref="StateSnapshots.VerifyStartAsync"/>).
/// </summary>
public sealed class TranscriptAuditor(
    IPactStore store, DecisionEngine engine, StateSnapshots snapshots, TranscriptQuarantine quarantine, DaemonIdentity identity, ILogger<TranscriptAuditor> logger)
    : BackgroundService
{
    /// <summary>The check name of a session's read-model difference in the quarantine's findings.</summary>
    public const string ReadModelCheck = "read-model";

    private readonly TaskCompletionSource<ReplayFindings> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with what the audit found once it has run (an audit that could not finish is a finding too).</summary>
    public Task<ReplayFindings> Completion => _completion.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            var snapshot = await snapshots.VerifyStartAsync(stoppingToken);
            var audit = await store.AuditAsync(stoppingToken);
            var notes = await UnopenableNotesAsync(audit.ThroughSeq, stoppingToken);
            var findings = ToFindings(audit, notes, engine.State);
            quarantine.AddAudit(findings);
            logger.LogInformation("Store audit through seq {Seq} {Outcome} in {Seconds:F1} s", audit.ThroughSeq,
                findings.IsClean ? "found every read model, the Merkle tree and the checkpoints as the events give them" : "found differences (quarantined)",
                Stopwatch.GetElapsedTime(started).TotalSeconds);
            _completion.TrySetResult(snapshot.And(findings));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _completion.TrySetCanceled(stoppingToken);
        }
        catch (Exception e)
        {
            // An audit that cannot finish vouches for nothing: the store is quarantined as a whole.
            logger.LogError(e, "The store audit could not run");
            var findings = new ReplayFindings($"The store audit could not complete ({e.GetType().Name}: {e.Message}).", ReplayFindings.Clean.Sessions, ReplayFindings.Clean.Compacts);
            quarantine.AddAudit(findings);
            _completion.TrySetResult(findings);
        }
    }

    /// <summary>Every stored log checkpoint up to <paramref name="throughSeq"/> whose note does not open with the daemon key, or signs another size or root than its row.</summary>
    private async Task<List<string>> UnopenableNotesAsync(long throughSeq, CancellationToken ct)
    {
        var failures = new List<string>();
        long after = 0;
        while (failures.Count < 20)
        {
            var page = await store.ListLogCheckpointsAsync(after, 1000, ct);
            foreach (var row in page.Where(r => r.TreeSize <= throughSeq))
            {
                if (!LogCheckpoint.TryOpen(row.Note, identity.Origin, identity.Key.PublicKey, out var signed, out var error))
                    failures.Add($"log_checkpoints: the note of tree size {row.TreeSize} does not open with the daemon key ({error}).");
                else if (signed.TreeSize != row.TreeSize || !signed.RootHash.AsSpan().SequenceEqual(row.RootHash))
                    failures.Add($"log_checkpoints: the row of tree size {row.TreeSize} is not what its note signs.");
            }
            if (page.Count < 1000) break;
            after = page[^1].TreeSize;
        }
        return failures;
    }

    /// <summary>The audit as quarantine findings: each session with the tables that differ, and its compacts with it.</summary>
    public static ReplayFindings ToFindings(StoreAudit audit, IReadOnlyList<string> notes, Pact.Core.Negotiation.NegotiationState state)
    {
        var global = audit.FileDamage.Select(d => "SQLite integrity_check: " + d).Concat(audit.Global).Concat(notes).ToList();
        var sessions = audit.Sessions.ToImmutableSortedDictionary(
            s => s.Key,
            s => new VerificationFailure(0, 0, ReadModelCheck, $"Its stored rows in {string.Join(", ", s.Value)} are not what its events give."),
            StringComparer.Ordinal);
        var compacts = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var p in state.Proposals.Values.Where(p => sessions.ContainsKey(p.SessionId))) compacts.TryAdd(p.CompactId, p.SessionId);
        foreach (var c in state.Compacts.Values.Where(c => sessions.ContainsKey(c.SessionId))) compacts.TryAdd(c.CompactId, c.SessionId);
        if (global.Count == 0 && sessions.IsEmpty) return ReplayFindings.Clean;
        var reason = global.Count == 0 ? null
            : $"The store failed its audit against the log ({global.Count} finding(s); the first: {global[0]})";
        return new ReplayFindings(reason, sessions, compacts.ToImmutable());
    }
}
