using Pact.Core.Contracts.Responses;
using Pact.Core.Encoding;
using Pact.Core.Errors;
using Pact.Core.Events;
using Pact.Core.TransparencyLog;
using Pact.Core.Negotiation;
using Pact.Core.Sessions;
using Pact.Daemon.Hosting;
using Pact.Daemon.Policies;
using Pact.Core.Mandates;
using Pact.Store;

namespace Pact.Daemon.TransparencyLog;

/// <summary>
/// Builds a session's export bundle (§8.4, docs/export-format.md): every event of the stream, the state
/// they fold to, the signed compact records and session checkpoints among them, a signed checkpoint of
/// the log that covers them all, and an inclusion proof of each event in it — enough for a verifier that
/// trusts only the daemon's public key.
/// </summary>
public sealed class SessionExporter(IPactStore store, ISessionCheckpointReadModel checkpoints, LogCheckpointer checkpointer, DaemonIdentity identity,
    PolicyCatalog policies)
{
    private const int PageSize = 1000;

    /// <summary>The bundle, or the refusal: 404 for a stream without events, 500 PACT-401 when the stored transcript or log fails its own checks.</summary>
    public async Task<(ExportBundle? Bundle, PactError? Error)> ExportAsync(string sessionId, CancellationToken ct)
    {
        var events = new List<TranscriptEvent>();
        try
        {
            // The checked reader: an export carries only events that still hash and chain as stored.
            while (true)
            {
                var page = await store.ReadStreamAsync(sessionId, events.Count == 0 ? 0 : events[^1].StreamSeq, PageSize, ct);
                events.AddRange(page);
                if (page.Count < PageSize) break;
            }
        }
        catch (TranscriptIntegrityException e)
        {
            return (null, Integrity($"The stored session cannot be exported: {e.Message} Run GET /v1/sessions/{sessionId}/verify to find the first bad event."));
        }
        if (events.Count == 0) return (null, PactError.NotFound($"Session {sessionId}"));

        // The state is folded from exactly the events exported, so the two always agree.
        SessionState state;
        try
        {
            state = SessionState.Replay(events);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            return (null, Integrity($"The session's events do not fold to a state: {e.Message}"));
        }
        // The mandates that acted in the session (§14), each with its whole stream, and the policies its decisions name.
        var mandates = new List<ExportMandate>();
        try
        {
            foreach (var mandateId in MandatesActingIn(events))
            {
                var stream = new List<TranscriptEvent>();
                while (true)
                {
                    var page = await store.ReadStreamAsync(mandateId, stream.Count == 0 ? 0 : stream[^1].StreamSeq, PageSize, ct);
                    stream.AddRange(page);
                    if (page.Count < PageSize) break;
                }
                mandates.Add(new ExportMandate(mandateId, stream));
            }
        }
        catch (TranscriptIntegrityException e)
        {
            return (null, Integrity($"A mandate stream cannot be exported: {e.Message}"));
        }
        var policyDocuments = await PoliciesOfAsync(events, ct);
        var proved = events.Concat(mandates.SelectMany(m => m.Events)).ToList();

        var maxSeq = proved.Max(e => e.Seq);
        var log = await checkpointer.EnsureAsync(maxSeq, ct);
        if (log is null || log.TreeSize < maxSeq)
            return (null, Integrity($"No signed checkpoint of the log covers seq {maxSeq}; the log refused to checkpoint (see the daemon's error log)."));
        if (!LogCheckpoint.TryOpen(log.Note, identity.Origin, identity.Key.PublicKey, out var signed, out var why))
            return (null, Integrity($"The latest log checkpoint does not open with the daemon key: {why}"));
        if (signed.TreeSize > store.HeadSeq)
            return (null, Integrity($"The log was signed at tree size {signed.TreeSize} but holds only {store.HeadSeq} events: events were removed from its end."));

        IReadOnlyList<IReadOnlyList<byte[]>> proofs;
        try
        {
            proofs = await store.InclusionProofsAsync(proved.Select(e => e.Seq - 1).ToList(), signed.TreeSize, ct);
        }
        catch (TranscriptIntegrityException e)
        {
            return (null, Integrity($"The log's Merkle tree cannot prove these events: {e.Message}"));
        }

        var head = events[^1].StreamSeq;
        var sessionCheckpoints = (await checkpoints.ListAsync(sessionId, ct)).Where(c => c.StreamSeq <= head).Select(c => c.ToResponse());
        var compacts = events.Where(e => e.Type == EventTypes.CompactInForce).Select(e => StoreRecordResponses.ToCompactRecord(e.Data["record"]!));
        return (new ExportBundle(
            ExportBundle.FormatName,
            new ExportDaemon(identity.DaemonId, identity.PublicKey, identity.Origin),
            state.Snapshot(),
            events,
            [.. compacts],
            [.. sessionCheckpoints],
            new ExportLog(log.Note, signed.TreeSize, Hex.Encode(signed.RootHash)),
            [.. proved.Select((e, i) => new EventProof(e.Seq, [.. proofs[i].Select(h => Hex.Encode(h))]))],
            policyDocuments.Count == 0 ? null : policyDocuments,
            mandates.Count == 0 ? null : mandates), null);
    }

    /// <summary>The ids of the mandates that decided or acknowledged in the session, in order of first action.</summary>
    private static IEnumerable<string> MandatesActingIn(IEnumerable<TranscriptEvent> events) =>
        events.Select(e => e.Type == EventTypes.PolicyDecided ? e.Data["mandateId"] : e.Data["mandate"]?["mandateId"])
            .Select(n => n?.GetValue<string>()).OfType<string>().Distinct(StringComparer.Ordinal);

    /// <summary>Every policy a decision in the session names, with those it extends (transitively), each once.</summary>
    private async Task<List<System.Text.Json.Nodes.JsonObject>> PoliciesOfAsync(IReadOnlyList<TranscriptEvent> events, CancellationToken ct)
    {
        var documents = new List<System.Text.Json.Nodes.JsonObject>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>(DecisionReplay.PolicyHashes(events));
        while (pending.TryDequeue(out var hash))
        {
            if (!seen.Add(hash) || await policies.GetAsync(hash, ct) is not { } policy) continue;
            documents.Add((System.Text.Json.Nodes.JsonObject)policy.Json.DeepClone());
            foreach (var extended in policy.Document.Extends ?? []) pending.Enqueue(extended);
        }
        return documents;
    }

    private static PactError Integrity(string detail) => new(PactCodes.IntegrityFailure, 500, "Transcript integrity failure", detail);
}
