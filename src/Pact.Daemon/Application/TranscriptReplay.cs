using Pact.Core.Contracts.Responses;
using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.Negotiation;
using Pact.Daemon.TransparencyLog;
using Pact.Store;

namespace Pact.Daemon.Application;

/// <summary>What the start-up replay found broken; <see cref="Clean"/> when nothing.</summary>
/// <param name="Global">Why no event at all may be appended (the Merkle tree, a truncated or gapped log), or null.</param>
/// <param name="Sessions">Each stream whose replay stopped, with the first event that failed.</param>
/// <param name="Compacts">Compact ids whose state comes (partly) from a quarantined stream, mapped to that stream.</param>
public sealed record ReplayFindings(string? Global, ImmutableSortedDictionary<string, VerificationFailure> Sessions, ImmutableDictionary<string, string> Compacts)
{
    public static ReplayFindings Clean { get; } = new(null, ImmutableSortedDictionary.Create<string, VerificationFailure>(StringComparer.Ordinal),
        ImmutableDictionary.Create<string, string>(StringComparer.Ordinal));

    public bool IsClean => Global is null && Sessions.IsEmpty;

    /// <summary>Both findings: the global reasons joined, each session and compact with its first finding.</summary>
    public ReplayFindings And(ReplayFindings other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.IsClean) return this;
        if (IsClean) return other;
        return new ReplayFindings(
            Global is null ? other.Global : other.Global is null ? Global : Global + " " + other.Global,
            Sessions.SetItems(other.Sessions.Where(s => !Sessions.ContainsKey(s.Key))),
            Compacts.SetItems(other.Compacts.Where(c => !Compacts.ContainsKey(c.Key))));
    }
}

/// <summary>
/// What a replay folded: the state and each stream's chain head after the event at <see cref="ThroughSeq"/> (whose hash
/// is <see cref="LastHash"/>; 0 and null for an empty log), how many events it folded, and what it found broken.
/// </summary>
public sealed record ReplayResult(NegotiationState State, RecordDictionary<string, ChainHead> Heads, long ThroughSeq, string? LastHash, long Events, ReplayFindings Findings)
{
    /// <summary>The state as a snapshot (of the empty log: through seq 0, no hash); only a replay with nothing broken makes one.</summary>
    public StateSnapshot ToSnapshot() =>
        Findings.IsClean
            ? new StateSnapshot(ThroughSeq, LastHash ?? "", State, Heads)
            : throw new InvalidOperationException("Only a clean replay is a snapshot.");
}

/// <summary>
/// The start-up fold of the transcript into the negotiation state (ADR 0004), from the rows as stored so
/// that one damaged stream does not stop the daemon. Each row is checked the way verify checks it — streamSeq,
/// prevHash link, JSON, recomputed hash — before it is folded; the first row of a stream that fails stops that
/// stream's fold (its later rows are skipped), and every other stream folds on. A clean transcript folds to
/// exactly the state the checked reader gave. It starts from the empty state, or from a state snapshot (whose
/// chain heads the first events after it must link to), and folds up to the head or to a given seq.
/// </summary>
public static class TranscriptReplay
{
    public const int PageSize = 2000;

    /// <summary>The check name for an event that hashes and links but cannot be folded.</summary>
    public const string Fold = "fold";

    /// <summary>Folds the whole transcript from the empty state.</summary>
    public static Task<ReplayResult> RunAsync(IPactStore store, CancellationToken ct) => RunAsync(store, null, long.MaxValue, ct);

    /// <summary>Folds the events after <paramref name="from"/> (all when null) up to <paramref name="throughSeq"/>.</summary>
    public static async Task<ReplayResult> RunAsync(IPactStore store, StateSnapshot? from, long throughSeq, CancellationToken ct)
    {
        var state = from?.State ?? NegotiationState.Empty;
        // The heads of the streams the folded events touch; the others stay as the snapshot has them (a tail costs
        // what it holds, not what the snapshot holds).
        var before = from?.Heads ?? StateSnapshot.NoHeads;
        var heads = new Dictionary<string, ChainHead>(StringComparer.Ordinal);
        var highestStreamSeq = new Dictionary<string, long>(StringComparer.Ordinal);
        var broken = new Dictionary<string, VerificationFailure>(StringComparer.Ordinal);
        var compacts = new Dictionary<string, string>(StringComparer.Ordinal);
        long after = from?.ThroughSeq ?? 0;
        long folded = 0, expectedSeq = after + 1, missingSeqs = 0, missingStreamEvents = 0, firstMissingSeq = 0;
        var (lastSeq, lastHash) = (after, from?.EventHash);
        while (true)
        {
            var page = await store.ReadRowsAsync(after, PageSize, ct);
            foreach (var row in page)
            {
                if (row.Seq > throughSeq) break;
                if (row.Seq != expectedSeq)
                {
                    if (firstMissingSeq == 0) firstMissingSeq = expectedSeq;
                    missingSeqs += row.Seq - expectedSeq;
                }
                expectedSeq = row.Seq + 1;
                (lastSeq, lastHash) = (row.Seq, row.Hash);
                // Events missing inside a stream explain missing global seqs; those missing from a stream's end cannot be told apart.
                var highest = highestStreamSeq.TryGetValue(row.Stream, out var seen) ? seen : before.GetValueOrDefault(row.Stream).StreamSeq;
                if (row.StreamSeq > highest + 1) missingStreamEvents += row.StreamSeq - highest - 1;
                highestStreamSeq[row.Stream] = Math.Max(highest, row.StreamSeq);

                if (broken.ContainsKey(row.Stream))
                {
                    Taint(row, compacts);
                    continue;
                }
                var head = heads.TryGetValue(row.Stream, out var h) ? h : before.TryGetValue(row.Stream, out var kept) ? kept : ChainHead.Genesis;
                var (e, failure) = Check(row, head);
                if (failure is null)
                {
                    try
                    {
                        state = state.Apply(e!);
                    }
                    catch (Exception x) when (x is not OperationCanceledException)
                    {
                        failure = new(row.Seq, row.StreamSeq, Fold, $"The event cannot be folded into the state: {x.Message}");
                    }
                }
                if (failure is not null)
                {
                    broken[row.Stream] = failure;
                    Taint(row, compacts);
                    continue;
                }
                heads[row.Stream] = ChainHead.After(e!);
                folded++;
            }
            if (page.Count < PageSize || page[^1].Seq >= throughSeq) break;
            after = page[^1].Seq;
        }

        // The state still knows the compacts negotiated in a broken stream before its break (a scan of every record:
        // only when a stream broke, so that a clean start costs what its tail holds).
        if (broken.Count > 0)
        {
            foreach (var p in state.Proposals.Values.Where(p => broken.ContainsKey(p.SessionId))) compacts.TryAdd(p.CompactId, p.SessionId);
            foreach (var c in state.Compacts.Values.Where(c => broken.ContainsKey(c.SessionId))) compacts.TryAdd(c.CompactId, c.SessionId);
        }

        var global = store.LogIntegrityFailure;
        if (global is null && await store.LatestLogCheckpointAsync(ct) is { } signed && signed.TreeSize > store.HeadSeq)
            global = $"The log was signed at tree size {signed.TreeSize} but holds only {store.HeadSeq} events: events were removed from its end.";
        if (global is null && missingSeqs > missingStreamEvents)
            global = $"The global log is missing {missingSeqs} seq numbers (the first is {firstMissingSeq}) that no session's chain accounts for.";

        var findings = global is null && broken.Count == 0
            ? ReplayFindings.Clean
            : new ReplayFindings(global, broken.ToImmutableSortedDictionary(StringComparer.Ordinal), compacts.ToImmutableDictionary(StringComparer.Ordinal));
        return new ReplayResult(state, before.SetItems(heads), lastSeq, lastHash, folded, findings);
    }

    /// <summary>The checks of verify (§7) on one stored row, in its order: streamSeq, prevHash link, JSON, hash.</summary>
    private static (TranscriptEvent? Event, VerificationFailure? Failure) Check(StoredEventRow row, ChainHead head)
    {
        var broken = head.Check(row.Seq, row.StreamSeq, row.PrevHash);
        TranscriptEvent? e = null;
        if (broken is null) (e, broken) = EventChain.ReadStored(row.Seq, row.Stream, row.StreamSeq, row.Type, row.Time, row.Actor, row.Data, row.PrevHash, row.Hash);
        return broken is null ? (e, null) : (null, Fail(row, broken.Check, broken.Message));
    }

    /// <summary>Records the compact ids a skipped row of a quarantined stream names, as far as its data still parses.</summary>
    private static void Taint(StoredEventRow row, Dictionary<string, string> compacts)
    {
        JsonObject? data;
        try
        {
            data = StrictJson.Parse(row.Data) as JsonObject;
        }
        catch (InvalidJsonException)
        {
            return;
        }
        var terms = ((data?["envelope"] as JsonObject)?["payload"] as JsonObject)?["terms"] as JsonObject;
        foreach (var node in new[] { data?["compactId"], terms?["compactId"] })
        {
            if (node is JsonValue value && value.TryGetValue<string>(out var compactId)) compacts.TryAdd(compactId, row.Stream);
        }
    }

    private static VerificationFailure Fail(StoredEventRow row, string check, string message) => new(row.Seq, row.StreamSeq, check, message);
}
