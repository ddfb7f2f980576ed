using System.Text.Json;
using System.Text.Json.Nodes;
using Pact.Core.Contracts.Responses;
using Pact.Core.Encoding;
using Pact.Core.Events;
using Pact.Core.Identity;
using Pact.Core.Json;
using Pact.Core.TransparencyLog;
using Pact.Core.Negotiation;
using Pact.Core.Passport;
using Pact.Core.Sessions;

namespace Pact.Client.Verification;

/// <summary>
/// Verifies a session's export bundle (pact-export/1, PROTOCOL §8.4) offline, trusting only the daemon's public
/// key handed over out of band: the signed note of the log, then per event its place in the stream (streamSeq,
/// seq, prevHash), its hash, its inclusion proof against the note's root and size, and every signature it
/// carries and every passport it records (§14, §15); then that <c>compacts</c> are the records put in force, that each session checkpoint matches its
/// event and the replayed state, and that <c>session</c> is the state the events fold to. Everything else in
/// the bundle is only a claim to check. Names the first failure; never throws on what the bundle holds.
/// </summary>
public static partial class ExportVerifier
{
    /// <summary>The bundle format this verifier reads.</summary>
    public const string Format = ExportBundle.FormatName;

    private const int Chunk = 1024;

    /// <summary>Verifies <paramref name="bundle"/> against <paramref name="trustedDaemonPublicKey"/> (32 bytes).</summary>
    /// <param name="bundle">The bundle as parsed JSON (GET /v1/sessions/{id}/export).</param>
    /// <param name="trustedDaemonPublicKey">The daemon's Ed25519 public key, obtained out of band — not from the bundle.</param>
    /// <param name="progress">Receives progress per chunk of events and per later stage; may be null.</param>
    /// <param name="options">How to verify (by default, every section of the contract).</param>
    public static ExportVerification Verify(JsonObject bundle, byte[] trustedDaemonPublicKey, IProgress<ExportVerificationProgress>? progress = null,
        ExportVerifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(trustedDaemonPublicKey);
        if (trustedDaemonPublicKey.Length != Pact.Core.Crypto.Ed25519.PublicKeySize)
            throw new ArgumentException("An Ed25519 public key is 32 bytes.", nameof(trustedDaemonPublicKey));
        return new Run(bundle, trustedDaemonPublicKey, progress, options ?? ExportVerifierOptions.Default).Execute();
    }

    /// <summary>Verifies a bundle as <see cref="PactClient.ExportSessionAsync"/> returned it: exactly as the daemon wrote it.</summary>
    /// <param name="bundle">The bundle.</param>
    /// <param name="trustedDaemonPublicKey">The daemon's Ed25519 public key, obtained out of band — not from the bundle.</param>
    /// <param name="progress">Receives progress per chunk of events and per later stage; may be null.</param>
    /// <param name="options">How to verify (by default, every section of the contract).</param>
    public static ExportVerification Verify(ExportBundle bundle, byte[] trustedDaemonPublicKey, IProgress<ExportVerificationProgress>? progress = null,
        ExportVerifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        return Verify(JsonSerializer.SerializeToNode(bundle, PactJson.Options)!.AsObject(), trustedDaemonPublicKey, progress, options);
    }

    private sealed partial class Run(JsonObject bundle, byte[] key, IProgress<ExportVerificationProgress>? progress, ExportVerifierOptions options)
    {
        private readonly List<ExportUnjudged> _unverifiable = [];
        private readonly List<ExportUnjudged> _notChecked = [];
        private bool CoreOnly => options.CoreSectionsOnly;
        private long _events;
        private long _proofs;
        private long _signatures;
        private string? _sessionId;
        private Pact.Core.TransparencyLog.LogCheckpoint? _log;

        public ExportVerification Execute()
        {
            var failure = CheckFormat() ?? CheckDaemon(out var origin) ?? CheckNote(origin!);
            List<TranscriptEvent>? events = null;
            failure ??= CheckEvents(out events);
            failure ??= CheckCompacts(events!);
            failure ??= CoreOnly ? NotKnown(events!, RecordedPassports.BundleCommitted, ExportChecks.BundleRanking) : CheckRankings(events!);
            Dictionary<long, string>? stateHashes = null;
            failure ??= CheckState(events!, out stateHashes);
            failure ??= CheckCheckpoints(events!, stateHashes!);
            failure ??= CoreOnly ? NotKnown(events!, RecordedPassports.PolicyDecided, ExportChecks.PolicyDecision) : CheckMandates(events!);
            if (CoreOnly && bundle["mandates"] is JsonArray { Count: > 0 })
                _notChecked.Add(new(ExportChecks.Mandate, "/mandates", "A verifier that knows only §0–§12 does not know mandate streams (§14)."));
            return new ExportVerification(failure is null, _sessionId, _events, _proofs, _signatures, _log?.TreeSize, failure)
            {
                Unverifiable = [.. _unverifiable],
                NotChecked = [.. _notChecked.OrderBy(u => u.Seq ?? long.MaxValue)],
            };
        }

        /// <summary>A §0–§12 verifier does not know a Part II check: each event of <paramref name="type"/> is reported not checked by it.</summary>
        private ExportFailure? NotKnown(List<TranscriptEvent> events, string type, string check)
        {
            for (var i = 0; i < events.Count; i++)
            {
                if (events[i].Type == type)
                    _notChecked.Add(new(check, $"/events/{i}", "A verifier that knows only §0–§12 does not know this check (§13–§16).", events[i].Seq, events[i].StreamSeq));
            }
            return null;
        }

        private ExportFailure? CheckFormat() =>
            Text(bundle, "format") == Format ? null : new(ExportChecks.Format, "/format", $"The bundle's format is not \"{Format}\".");

        private ExportFailure? CheckDaemon(out string? origin)
        {
            origin = null;
            if (bundle["daemon"] is not JsonObject daemon) return new(ExportChecks.Daemon, "/daemon", "The bundle has no daemon object.");
            if (Text(daemon, "publicKey") != Base64Url.Encode(key))
                return new(ExportChecks.Daemon, "/daemon/publicKey", "The bundle names another daemon key than the trusted one.");
            if (Text(daemon, "daemonId") != DidKey.FromPublicKey(key))
                return new(ExportChecks.Daemon, "/daemon/daemonId", "The bundle's daemonId is not the trusted key's did:key.");
            origin = Text(daemon, "origin");
            return SignedNote.IsValidKeyName(origin) ? null : new(ExportChecks.Daemon, "/daemon/origin", "The origin is not a valid note key name.");
        }

        /// <summary>Tree size and root come from the signed note alone; the plain <c>log</c> members must agree with it.</summary>
        private ExportFailure? CheckNote(string origin)
        {
            if (bundle["log"] is not JsonObject log) return new(ExportChecks.Note, "/log", "The bundle has no log object.");
            if (!Pact.Core.TransparencyLog.LogCheckpoint.TryOpen(Text(log, "note"), origin, key, out var checkpoint, out var error))
                return new(ExportChecks.Note, "/log/note", $"The log's note does not verify with the trusted key: {error}");
            _signatures++;
            _log = checkpoint;
            if (!TryLong(log, "treeSize", out var size) || size != checkpoint.TreeSize)
                return new(ExportChecks.Note, "/log/treeSize", $"log.treeSize is not the signed tree size {checkpoint.TreeSize}.");
            if (Text(log, "rootHash") != Hex.Encode(checkpoint.RootHash))
                return new(ExportChecks.Note, "/log/rootHash", "log.rootHash is not the signed root.");
            return null;
        }

        private ExportFailure? CheckEvents(out List<TranscriptEvent> events)
        {
            events = [];
            if (bundle["events"] is not JsonArray array || array.Count == 0) return new(ExportChecks.Event, "/events", "The bundle holds no events.");
            var proofs = IndexProofs();
            var total = array.Count;
            var chain = ChainHead.Genesis;
            for (var start = 0; start < total; start += Chunk)
            {
                var end = Math.Min(total, start + Chunk);
                // Places and links from the members alone, in order (this also materializes the JSON sequentially,
                // which the parallel part then only reads, one event per thread).
                var nodes = new JsonObject[end - start];
                ExportFailure? link = null;
                var linked = 0;
                for (; linked < nodes.Length; linked++)
                {
                    var i = start + linked;
                    link = CheckLink(array[i], i, ref chain, out nodes[linked]!);
                    if (link is not null) break;
                }

                var outcomes = new EventOutcome[nodes.Length];
                Parallel.For(0, linked, (j, loop) =>
                {
                    if (loop.LowestBreakIteration is { } broken && broken < j) return;
                    outcomes[j] = CheckEvent(nodes[j], start + j, proofs);
                    if (outcomes[j].Failure is not null) loop.Break();
                });
                for (var j = 0; j < linked; j++)
                {
                    _events++;
                    _signatures += outcomes[j].Signatures;
                    _unverifiable.AddRange(outcomes[j].Unjudged ?? []);
                    if (outcomes[j].Failure is { } failure) return failure;
                    _proofs++;
                    events.Add(outcomes[j].Event!);
                }
                if (link is not null)
                {
                    _events++;
                    return link;
                }
                progress?.Report(new ExportVerificationProgress("events", end, total));
            }
            return null;
        }

        /// <summary>Proofs by seq; malformed or repeated entries are ignored — each event still needs one that verifies.</summary>
        private Dictionary<long, (int Index, JsonArray Hashes)> IndexProofs()
        {
            var index = new Dictionary<long, (int, JsonArray)>();
            if (bundle["proofs"] is not JsonArray proofs) return index;
            for (var k = 0; k < proofs.Count; k++)
            {
                if (proofs[k] is JsonObject p && TryLong(p, "seq", out var seq) && p["hashes"] is JsonArray hashes)
                {
                    index.TryAdd(seq, (k, hashes));
                    // Materialize now: the parallel part reads each entry from one thread only.
                    _ = hashes.Count;
                }
            }
            return index;
        }

        private ExportFailure? CheckLink(JsonNode? node, int i, ref ChainHead chain, out JsonObject obj)
        {
            var at = $"/events/{i}";
            obj = node as JsonObject ?? new JsonObject();
            if (node is not JsonObject
                || !TryLong(obj, "seq", out var seq) || !TryLong(obj, "streamSeq", out var streamSeq)
                || Text(obj, "stream") is not { } stream || Text(obj, "prevHash") is not { } prevHash || Text(obj, "hash") is not { } hash)
                return new(ExportChecks.Event, at, "Not an event: seq, stream, streamSeq, prevHash and hash are required with their types.");
            _sessionId ??= stream;
            if (stream != _sessionId)
                return new(ExportChecks.StreamSeq, at + "/stream", $"The event belongs to stream {stream}, not {_sessionId}.", seq, streamSeq);
            if (chain.Check(seq, streamSeq, prevHash) is { } broken)
                return new(broken.Check, $"{at}/{broken.Member}", broken.Message, seq, streamSeq);
            chain = ChainHead.After(seq, streamSeq, hash);
            return null;
        }

        /// <summary>One event's own checks: shape, hash, inclusion proof, signatures — in that order.</summary>
        private EventOutcome CheckEvent(JsonObject obj, int i, Dictionary<long, (int Index, JsonArray Hashes)> proofs, string? path = null)
        {
            var at = path ?? $"/events/{i}";
            TryLong(obj, "seq", out var seq);
            TryLong(obj, "streamSeq", out var streamSeq);
            if (Text(obj, "type") is not { } type || Text(obj, "time") is not { } time || Text(obj, "actor") is not { } actor || obj["data"] is not JsonObject data)
                return Failed(ExportChecks.Event, at, "Not an event: type, time, actor and data are required with their types.");
            var e = new TranscriptEvent(seq, Text(obj, "stream")!, streamSeq, type, time, actor, data, Text(obj, "prevHash")!, Text(obj, "hash")!);
            if (EventChain.CheckHash(e) is { } broken) return Failed(broken.Check, $"{at}/{broken.Member}", broken.Message);

            if (seq > _log!.TreeSize) return Failed(ExportChecks.Proof, at + "/seq", $"seq {seq} is beyond the signed tree of {_log.TreeSize} events.");
            if (!proofs.TryGetValue(seq, out var proof)) return Failed(ExportChecks.Proof, at, $"No inclusion proof for seq {seq}.");
            var hashes = new List<byte[]>(proof.Hashes.Count);
            foreach (var h in proof.Hashes)
            {
                if (h is not JsonValue v || !v.TryGetValue<string>(out var text) || !Hex.IsDigest(text))
                    return Failed(ExportChecks.Proof, $"/proofs/{proof.Index}/hashes", "A proof hash is not 64 lowercase hex digits.");
                hashes.Add(Hex.Decode(text));
            }
            if (!MerkleVerifier.VerifyInclusion(seq - 1, _log.TreeSize, MerkleHash.LeafHash(Hex.Decode(e.Hash)), hashes, _log.RootHash))
                return Failed(ExportChecks.Proof, $"/proofs/{proof.Index}", $"The proof does not put seq {seq} in the signed tree.");

            var signatures = Pact.Core.TransparencyLog.EventSignatures.Check(type, actor, data, key, mandateSignatures: !CoreOnly);
            if (signatures.Failed)
                return new(signatures.Checked, null, new ExportFailure(signatures.Check!, at + signatures.Pointer, signatures.Message!, seq, streamSeq));
            if (CoreOnly)
            {
                // §4.3: a signature with a signer was made under a mandate — unverifiable to this verifier, never invalid.
                var unjudged = signatures.Unverifiable?.Select(p => new ExportUnjudged(ExportChecks.CompactSignature, at + p,
                    "Made under a mandate (it has a signer): a verifier that knows only §0–§12 cannot verify it (§4.3, §14).", seq, streamSeq)).ToList();
                return new(signatures.Checked, e, null, unjudged);
            }
            var passports = RecordedPassports.Verify(type, data);
            return passports.Failed
                ? new(signatures.Checked, null, new ExportFailure(RecordedPassports.Check, at + passports.Pointer, passports.Message!, seq, streamSeq))
                : new(signatures.Checked, e, null);

            EventOutcome Failed(string check, string pointer, string message) => new(0, null, new ExportFailure(check, pointer, message, seq, streamSeq));
        }

        private ExportFailure? CheckCompacts(List<TranscriptEvent> events)
        {
            var expected = events.Where(e => e.Type == EventTypes.CompactInForce).Select(e => e.Data["record"]).ToList();
            if (bundle["compacts"] is not JsonArray compacts) return new(ExportChecks.Compacts, "/compacts", "The bundle has no compacts array.");
            for (var k = 0; k < Math.Max(expected.Count, compacts.Count); k++)
            {
                if (k >= compacts.Count) return new(ExportChecks.Compacts, "/compacts", $"The record put in force by the events' compact.in-force number {k + 1} is missing.");
                if (k >= expected.Count) return new(ExportChecks.Compacts, $"/compacts/{k}", "This record was not put in force by any event of the session.");
                if (!SameJson(compacts[k], expected[k])) return new(ExportChecks.Compacts, $"/compacts/{k}", "This record differs from the one its compact.in-force event carries.");
            }
            progress?.Report(new ExportVerificationProgress("compacts", compacts.Count, compacts.Count));
            return null;
        }

        /// <summary>
        /// Every bundle's commit recomputed from the events before it (§15); a commit that depends on a version negotiated in
        /// another session (which the export does not hold) is listed as not recomputed instead.
        /// </summary>
        private ExportFailure? CheckRankings(List<TranscriptEvent> events)
        {
            // Each ranking's passports held to the log's as far as the export holds it from seq 1 (else listed as not checked).
            var rankings = new Pact.Core.Bundles.BundleRankingVerifier(new ExportPassports([.. events.OrderBy(e => e.Seq)], events, _notChecked));
            for (var i = 0; i < events.Count; i++)
            {
                if (rankings.Observe(events[i]) is { } problem)
                    return new(ExportChecks.BundleRanking, $"/events/{i}", problem, events[i].Seq, events[i].StreamSeq);
            }
            // Commits that need another session's compacts: neither passed nor failed, listed with the other checks not carried out.
            _notChecked.AddRange(rankings.NotRecomputed.Select(c => new ExportUnjudged(ExportChecks.BundleRanking,
                $"/events/{c.StreamSeq - 1}", $"Bundle {c.BundleId}'s commit was not recomputed: {c.Reason}.", c.Seq, c.StreamSeq)));
            return null;
        }

        /// <summary>Folds the events with the same Apply the daemon uses; remembers the state hash after each checkpoint event.</summary>
        private ExportFailure? CheckState(List<TranscriptEvent> events, out Dictionary<long, string> stateHashes)
        {
            stateHashes = [];
            SessionState? state = null;
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                try
                {
                    state = state is null ? SessionState.Created(e) : state.Apply(e);
                }
                catch (Exception x) when (x is ArgumentException or InvalidOperationException or FormatException or NullReferenceException or KeyNotFoundException)
                {
                    return new(ExportChecks.State, $"/events/{i}", $"The event does not apply to the session state: {x.Message}", e.Seq, e.StreamSeq);
                }
                if (e.Type == EventTypes.SessionCheckpointed) stateHashes[e.StreamSeq] = state.StateHash();
            }
            progress?.Report(new ExportVerificationProgress("state", events.Count, events.Count));
            return SameJson(bundle["session"], state!.ToJson())
                ? null
                : new(ExportChecks.State, "/session", "The session state is not the one the events fold to.");
        }

        /// <summary>Each listed checkpoint is a checkpoint event of the stream, with its id and the replayed state's hash; none is left out.</summary>
        private ExportFailure? CheckCheckpoints(List<TranscriptEvent> events, Dictionary<long, string> stateHashes)
        {
            if (bundle["checkpoints"] is not JsonArray checkpoints) return new(ExportChecks.Checkpoint, "/checkpoints", "The bundle has no checkpoints array.");
            var listed = new HashSet<long>();
            for (var k = 0; k < checkpoints.Count; k++)
            {
                var at = $"/checkpoints/{k}";
                if (checkpoints[k] is not JsonObject c || !TryLong(c, "streamSeq", out var streamSeq) || Text(c, "checkpointId") is not { } id || Text(c, "stateHash") is not { } stateHash)
                    return new(ExportChecks.Checkpoint, at, "Not a checkpoint: checkpointId, streamSeq, stateHash, treeSize, label and createdAt are required.");
                if (streamSeq < 1 || streamSeq > events.Count || events[(int)streamSeq - 1] is not { Type: EventTypes.SessionCheckpointed } e)
                    return new(ExportChecks.Checkpoint, at + "/streamSeq", $"No session.checkpointed event at streamSeq {streamSeq}.");
                if (e.Data["checkpointId"]?.GetValue<string>() != id)
                    return new(ExportChecks.Checkpoint, at + "/checkpointId", $"The event at streamSeq {streamSeq} records another checkpoint.", e.Seq, e.StreamSeq);
                if (e.Data["stateHash"]?.GetValue<string>() != stateHash || stateHashes[streamSeq] != stateHash)
                    return new(ExportChecks.Checkpoint, at + "/stateHash", $"The state replayed to streamSeq {streamSeq} hashes to {stateHashes[streamSeq]}.", e.Seq, e.StreamSeq);
                if (!TryLong(c, "treeSize", out var treeSize) || treeSize != e.Seq)
                    return new(ExportChecks.Checkpoint, at + "/treeSize", $"The checkpoint event is seq {e.Seq}, so the log held {e.Seq} events then.", e.Seq, e.StreamSeq);
                // Label and time are the event's too: nothing in a checkpoint entry is left unchecked.
                if (!c.ContainsKey("label") || !SameJson(c["label"], e.Data["label"]))
                    return new(ExportChecks.Checkpoint, at + "/label", "The label is not the one the checkpoint event recorded.", e.Seq, e.StreamSeq);
                if (Text(c, "createdAt") != e.Time)
                    return new(ExportChecks.Checkpoint, at + "/createdAt", "createdAt is not the checkpoint event's time.", e.Seq, e.StreamSeq);
                listed.Add(streamSeq);
            }
            if (stateHashes.Keys.FirstOrDefault(s => !listed.Contains(s)) is var omitted and > 0)
                return new(ExportChecks.Checkpoint, "/checkpoints", $"The checkpoint recorded at streamSeq {omitted} is not listed.");
            progress?.Report(new ExportVerificationProgress("checkpoints", checkpoints.Count, checkpoints.Count));
            return null;
        }

        private static bool SameJson(JsonNode? a, JsonNode? b)
        {
            try
            {
                return Jcs.CanonicalString(a) == Jcs.CanonicalString(b);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or JsonException)
            {
                return false;
            }
        }

        private static string? Text(JsonObject obj, string name) =>
            obj[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

        private static bool TryLong(JsonObject obj, string name, out long value)
        {
            value = 0;
            return obj[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out value);
        }
    }

    private readonly record struct EventOutcome(int Signatures, TranscriptEvent? Event, ExportFailure? Failure, IReadOnlyList<ExportUnjudged>? Unjudged = null);
}
