using System.Text.Json.Nodes;
using Pact.Core.Bundles;
using Pact.Core.Contracts.Responses;
using Pact.Core.Encoding;
using Pact.Core.Errors;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.TransparencyLog;
using Pact.Core.Negotiation;
using Pact.Core.Passport;
using Pact.Core.Sessions;
using Pact.Daemon.Hosting;
using Pact.Daemon.Policies;
using Pact.Core.Mandates;
using Pact.Store;

namespace Pact.Daemon.TransparencyLog;

/// <summary>What verifying a session found.</summary>
/// <param name="Head">The last stored event of the stream that was read.</param>
/// <param name="Log">The signed checkpoint the head was proved against, when it got that far.</param>
public sealed record SessionVerification(
    bool Ok, long EventsChecked, long SignaturesChecked, StoredEventRow? Head, string? FromCheckpoint, SignedLogCheckpoint? Log, VerificationFailure? FirstError)
{
    /// <summary>The answer of GET /v1/sessions/{id}/verify.</summary>
    public VerifyReport ToReport() => new(
        Ok, EventsChecked, SignaturesChecked,
        Head is null ? null : new VerifiedHead(Head.Seq, Head.StreamSeq, Head.Hash),
        FromCheckpoint,
        Log is null ? null : new VerifiedLog(Log.TreeSize, Hex.Encode(Log.RootHash)),
        FirstError);
}

/// <summary>
/// Re-checks a session's stream from the rows as stored (§7 verify): each event's streamSeq and seq order,
/// its prevHash link, its recomputed hash; every signature it carries (in parallel across cores) and every passport
/// it records (§14, §15: passportHash over the recorded content; a decision's, also against the log's passport as of its
/// seq, §13); every bundle commit recomputed (§15, from the stream's first event); and that
/// the stream head is in the latest signed checkpoint of the log. Because every hash covers its prevHash, a
/// head proved in the signed tree vouches for the whole chain behind it. Reads raw rows, so a damaged event
/// is named, not thrown on.
/// </summary>
/// <remarks>
/// With a session checkpoint as the start, events before it are not re-read: the checkpoint's event is
/// the anchor — its hash is recomputed (its prevHash taken as stored: the verified chain from it to the
/// proven head is what vouches for it) and the stored state snapshot that replay starts from must hash to the
/// stateHash that event recorded.
/// </remarks>
public sealed class SessionVerifier(IPactStore store, LogCheckpointer checkpointer, DaemonIdentity identity, PolicyCatalog policies)
{
    /// <summary>Rows read and checked per round: links sequentially, then each row's hash and signatures in parallel.</summary>
    public int PageSize { get; init; } = 2048;

    public const string Hash = EventChain.HashCheck;
    public const string PrevHash = EventChain.PrevHashCheck;
    public const string StreamSeq = EventChain.StreamSeqCheck;
    public const string Inclusion = "inclusion";
    public const string Passport = RecordedPassports.Check;

    public async Task<SessionVerification> VerifyAsync(string sessionId, SessionCheckpointRow? from, CancellationToken ct)
    {
        var daemonKey = identity.Key.PublicKey;
        long eventsChecked = 0, signaturesChecked = 0;
        // From a checkpoint, the anchor's own prevHash is taken as stored; the chain is checked from there on.
        var chain = from is null ? ChainHead.Genesis : ChainHead.Before(from.StreamSeq);
        StoredEventRow? head = null;
        var after = chain.StreamSeq;

        while (true)
        {
            var rows = await store.ReadStreamRowsAsync(sessionId, after, PageSize, ct);
            if (rows.Count == 0) break;

            // Links use stored values only, so they are one cheap sequential pass; the costly part of each
            // event (canonical JSON, SHA-256, Ed25519) runs across cores.
            var linkFailure = -1;
            VerificationFailure? link = null;
            for (var i = 0; i < rows.Count; i++)
            {
                if (chain.Check(rows[i].Seq, rows[i].StreamSeq, rows[i].PrevHash) is { } broken)
                {
                    link = Fail(rows[i], broken.Check, broken.Message);
                    linkFailure = i;
                    break;
                }
                chain = ChainHead.After(rows[i].Seq, rows[i].StreamSeq, rows[i].Hash);
            }
            var checkedRows = linkFailure >= 0 ? linkFailure : rows.Count;
            var outcomes = CheckEvents(rows, checkedRows, from, daemonKey, ct);
            var failedAt = Array.FindIndex(outcomes, 0, checkedRows, o => o.Failure is not null);

            if (failedAt >= 0)
            {
                return new(false, eventsChecked + failedAt + 1, signaturesChecked + Sum(outcomes, failedAt + 1), rows[failedAt], from?.CheckpointId, null,
                    outcomes[failedAt].Failure);
            }
            eventsChecked += checkedRows;
            signaturesChecked += Sum(outcomes, checkedRows);
            if (link is not null) return new(false, eventsChecked + 1, signaturesChecked, rows[linkFailure], from?.CheckpointId, null, link);
            head = rows[^1];
            after = head.StreamSeq;
            if (rows.Count < PageSize) break;
        }

        if (head is null)
        {
            var missing = new VerificationFailure(0, chain.StreamSeq + 1, StreamSeq, $"The stream holds no event at streamSeq {chain.StreamSeq + 1}.");
            return new(false, 0, 0, null, from?.CheckpointId, null, missing);
        }

        if (await RecomputeDecisionsAsync(sessionId, ct) is { } mismatch)
        {
            return new(false, eventsChecked, signaturesChecked, head, from?.CheckpointId, null,
                new VerificationFailure(mismatch.Seq, mismatch.StreamSeq, mismatch.Check, mismatch.Message));
        }

        var (log, noteOpened, inclusionFailure) = await CheckInclusionAsync(head, ct);
        // The note's signature counts too: it is what makes the inclusion proof mean anything.
        return new(inclusionFailure is null, eventsChecked, signaturesChecked + (noteOpened ? 1 : 0), head, from?.CheckpointId, log, inclusionFailure);
    }

    /// <summary>
    /// The first <paramref name="count"/> rows' own checks, across cores: hash, the checkpoint anchor, then
    /// signatures. Stops early past the first failure by order: Break (not Stop) lets every row before a
    /// failing one finish, so the earliest failure is always known.
    /// </summary>
    private static EventOutcome[] CheckEvents(IReadOnlyList<StoredEventRow> rows, int count, SessionCheckpointRow? from, byte[] daemonKey, CancellationToken ct)
    {
        var outcomes = new EventOutcome[rows.Count];
        Parallel.For(0, count, new ParallelOptions { CancellationToken = ct }, (i, loop) =>
        {
            if (loop.LowestBreakIteration is { } broken && broken < i) return;
            outcomes[i] = CheckEvent(rows[i], from, daemonKey);
            if (outcomes[i].Failure is not null) loop.Break();
        });
        return outcomes;
    }

    private static EventOutcome CheckEvent(StoredEventRow row, SessionCheckpointRow? from, byte[] daemonKey)
    {
        var (e, broken) = EventChain.ReadStored(row.Seq, row.Stream, row.StreamSeq, row.Type, row.Time, row.Actor, row.Data, row.PrevHash, row.Hash);
        if (broken is not null) return new(0, Fail(row, broken.Check, broken.Message), null);
        var data = e!.Data;
        if (from is not null && row.StreamSeq == from.StreamSeq && CheckAnchor(row, data, from) is { } anchor) return new(0, anchor, e);
        var signatures = Pact.Core.TransparencyLog.EventSignatures.Check(row.Type, row.Actor, data, daemonKey);
        if (signatures.Failed) return new(signatures.Checked, Fail(row, signatures.Check!, signatures.Message!), e);
        var passports = RecordedPassports.Verify(row.Type, data);
        return new(signatures.Checked, passports.Failed ? Fail(row, Passport, $"{passports.Pointer}: {passports.Message}") : null, e);
    }

    private static VerificationFailure? CheckAnchor(StoredEventRow row, JsonObject data, SessionCheckpointRow from)
    {
        if (row.Type != EventTypes.SessionCheckpointed || data["checkpointId"]?.GetValue<string>() != from.CheckpointId)
            return Fail(row, Hash, $"The event at streamSeq {row.StreamSeq} is not the session.checkpointed event of {from.CheckpointId}.");
        var recorded = data["stateHash"]?.GetValue<string>();
        var snapshot = Jcs.DomainHash(SessionState.HashDomain, from.State);
        if (snapshot != recorded || from.StateHash != recorded)
            return Fail(row, Hash, $"The stored state of checkpoint {from.CheckpointId} hashes to {snapshot}, but its event recorded stateHash {recorded}.");
        return null;
    }

    /// <summary>
    /// Every <c>policy.decided</c> of the stream recomputed from the transcript and the published policies, and every act
    /// under a mandate tied to one of them (§14), the whole stream read so a decision is judged with the proposal it judged even from a checkpoint on;
    /// first, every bundle's commit (§15), recomputed from the stream's first event (as the offline verifier does, after the chain).
    /// </summary>
    private async Task<DecisionMismatch?> RecomputeDecisionsAsync(string sessionId, CancellationToken ct)
    {
        var events = await ReadWholeStreamAsync(sessionId, ct);
        var rankings = new BundleRankingVerifier(await DependencyStreamsAsync(sessionId, events, ct),
            await LoggedPassportsAsync(BundleRankingVerifier.PassportsNeeded(events), ct));
        foreach (var e in events)
        {
            if (rankings.Observe(e) is { } problem) return new DecisionMismatch(e.Seq, e.StreamSeq, problem, BundleRankingVerifier.Check);
        }
        // Runs even when no decision names a policy: an act under a mandate with no decision at all must fail (§14).
        var hashes = DecisionReplay.PolicyHashes(events);
        // Loads each named policy (and what it extends) into the catalog, which then resolves them synchronously.
        foreach (var hash in hashes) await policies.GetAsync(hash, ct);
        // Each act is judged against its mandate's stream and this daemon, as the offline verifier judges it with the export's.
        var streams = new Dictionary<string, IReadOnlyList<TranscriptEvent>>(StringComparer.Ordinal);
        foreach (var mandateId in MandateStreams.NamedIn(events)) streams[mandateId] = await ReadWholeStreamAsync(mandateId, ct);
        var mandates = new MandateStreams(identity.DaemonId, streams);
        var passports = await LoggedPassportsAsync(DecisionReplay.PassportsNeeded(events), ct);
        // A counter rule recorded as escalate that the transcript alone would take is held to the registry and the log's
        // upstream state at its seq: a first run names those decisions, a second judges them with the facts.
        var asked = new LogCounterFacts();
        var mismatch = DecisionReplay.Verify(events, policies, mandates, passports, asked);
        if (asked.Asked.Count == 0) return mismatch;
        return DecisionReplay.Verify(events, policies, mandates, passports, await LogCounterFacts.FetchAsync(asked.Asked, store, ct));
    }

    /// <summary>
    /// The log's passports a stream's recorded passports are held to (decisions' and bundle rankings'), each as of its seq:
    /// the passport read model, which the start's audit holds to the log.
    /// </summary>
    private async Task<FetchedLogPassports> LoggedPassportsAsync(IEnumerable<(string Agent, long AsOfSeq)> needed, CancellationToken ct)
    {
        var logged = new Dictionary<(string, long), AgentPassport>();
        foreach (var (agent, asOfSeq) in needed)
        {
            if (asOfSeq >= 1 && asOfSeq <= store.HeadSeq) logged[(agent, asOfSeq)] = await store.Passports.AsOfCommittedSeqAsync(agent, asOfSeq, ct);
        }
        return new FetchedLogPassports(logged);
    }

    /// <summary>
    /// The events of the other sessions in which a version that a bundle member of this session depends on (its predecessor,
    /// an upstream) went in force: what its commit's recomputation reads besides the stream (§15). The read model says which
    /// sessions those are; the events are the log's.
    /// </summary>
    private async Task<List<TranscriptEvent>> DependencyStreamsAsync(string sessionId, IReadOnlyList<TranscriptEvent> events, CancellationToken ct)
    {
        var sessions = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var compactId in BundleRankingVerifier.DependencyCompactIds(events))
        {
            foreach (var v in await store.Proposals.GetVersionsAsync(compactId, ct))
            {
                if (v.SessionId != sessionId) sessions.Add(v.SessionId);
            }
        }
        var others = new List<TranscriptEvent>();
        foreach (var other in sessions) others.AddRange(await ReadWholeStreamAsync(other, ct));
        return others;
    }

    private async Task<List<TranscriptEvent>> ReadWholeStreamAsync(string stream, CancellationToken ct)
    {
        var events = new List<TranscriptEvent>();
        long after = 0;
        while (true)
        {
            var page = await store.ReadStreamAsync(stream, after, PageSize, ct);
            events.AddRange(page);
            if (page.Count < PageSize) return events;
            after = page[^1].StreamSeq;
        }
    }

    /// <summary>The head's leaf is proved against the root signed in the latest checkpoint's note, opened with the daemon key.</summary>
    private async Task<(SignedLogCheckpoint? Log, bool NoteOpened, VerificationFailure? Failure)> CheckInclusionAsync(StoredEventRow head, CancellationToken ct)
    {
        var latest = await checkpointer.EnsureAsync(head.Seq, ct);
        if (latest is null || latest.TreeSize < head.Seq)
            return (latest, false, Fail(head, Inclusion, $"No signed checkpoint covers seq {head.Seq}: the log could not be checkpointed consistently."));
        if (!LogCheckpoint.TryOpen(latest.Note, identity.Origin, identity.Key.PublicKey, out var signed, out var error))
            return (latest, false, Fail(head, Inclusion, $"The latest checkpoint does not open with the daemon key: {error}"));
        if (signed.TreeSize > store.HeadSeq)
            return (latest, true, Fail(head, Inclusion, $"The log was signed at tree size {signed.TreeSize} but holds only {store.HeadSeq} events: events were removed from its end."));
        if (!Hex.IsDigest(head.Hash))
            return (latest, true, Fail(head, Inclusion, "The head's hash is not a SHA-256 digest."));
        IReadOnlyList<byte[]> proof;
        try
        {
            proof = await store.InclusionProofAsync(head.Seq - 1, signed.TreeSize, ct);
        }
        catch (TranscriptIntegrityException e)
        {
            return (latest, true, Fail(head, Inclusion, $"No inclusion proof can be built: {e.Message}"));
        }
        var leaf = MerkleHash.LeafHash(Hex.Decode(head.Hash));
        return MerkleVerifier.VerifyInclusion(head.Seq - 1, signed.TreeSize, leaf, proof, signed.RootHash)
            ? (latest, true, null)
            : (latest, true, Fail(head, Inclusion, $"The head (seq {head.Seq}, hash {head.Hash}) is not in the log signed at tree size {signed.TreeSize}."));
    }

    private static long Sum(EventOutcome[] outcomes, int count)
    {
        long sum = 0;
        for (var i = 0; i < count; i++) sum += outcomes[i].Signatures;
        return sum;
    }

    private readonly record struct EventOutcome(int Signatures, VerificationFailure? Failure, TranscriptEvent? Event);

    private static VerificationFailure Fail(StoredEventRow row, string check, string message) => new(row.Seq, row.StreamSeq, check, message);
}
