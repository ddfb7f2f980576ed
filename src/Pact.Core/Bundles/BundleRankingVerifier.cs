using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.Negotiation;
using Pact.Core.Passport;
using Pact.Core.Policies;
using Pact.Core.Time;

namespace Pact.Core.Bundles;

/// <summary>
/// Recomputes every <c>bundle.committed</c> of a session's stream (§15), fed the stream's events in order from its first:
/// a <c>best</c> bundle's ranking from its bundle.created (terms, select, creation time), the session, the members prepared
/// before the commit, whether each one's predecessor or upstream was still in force, and the passports recorded in the
/// ranking (each the counterparty's as of the commit's seq − 1, and, given the log's passports, the log's there —
/// <see cref="RecordedPassports.AgainstLog"/>, as for policy.decided); an <c>all</c> bundle's selection of every member in member order, each prepared and none gone from force.
/// </summary>
/// <remarks>
/// Whether a member's predecessor or upstream is in force is read from the stream in which that version went in force
/// (its lifecycle events are all recorded there, §8.2). Given the other streams' events (the daemon, which has the whole
/// log), the verifier folds their compact lifecycle events in <c>seq</c> order alongside the stream and recomputes every
/// commit; a commit it still cannot recompute is then a failure. Given the stream alone (an export), a commit that depends
/// on a version negotiated in another session, or that follows an event the stream cannot fold alone, is listed in
/// <see cref="NotRecomputed"/>: neither passed nor failed.
/// </remarks>
public sealed class BundleRankingVerifier
{
    /// <summary>The name verifiers give this check in their first failure.</summary>
    public const string Check = "bundle-ranking";

    // The other streams' compact lifecycle events in seq order, or null when only the stream itself is known.
    private readonly List<TranscriptEvent>? _otherStreams;
    private int _nextOther;
    private readonly List<UnrecomputedCommit> _notRecomputed = [];
    private NegotiationState _state = NegotiationState.Empty;
    private string? _unfoldable;

    // Where each ranking entry's passport is held to the log's (as policy.decided's are), or null: agent and asOfSeq only.
    private readonly ILogPassports? _passports;

    /// <summary>A verifier that knows only the stream it is fed (the offline verifier of an export).</summary>
    /// <param name="passports">the log's passports, as far as the verifier holds them (<see cref="RecordedPassports.AgainstLog"/>).</param>
    public BundleRankingVerifier(ILogPassports? passports = null)
    {
        _passports = passports;
    }

    /// <summary>
    /// A verifier that also knows <paramref name="otherStreams"/>: events of the log's other streams (any order; only
    /// compact.in-force, .superseded, .revoked and .expired are read), folded before each event of the stream with a higher seq.
    /// </summary>
    public BundleRankingVerifier(IEnumerable<TranscriptEvent> otherStreams, ILogPassports? passports = null)
    {
        ArgumentNullException.ThrowIfNull(otherStreams);
        _otherStreams = [.. otherStreams.Where(IsCompactLifecycle).OrderBy(e => e.Seq)];
        _passports = passports;
    }

    /// <summary>
    /// The passports the stream's commits record, as (agent, asOfSeq = the commit's seq − 1): what a verifier with an
    /// asynchronous source fetches beforehand (<see cref="FetchedLogPassports"/>). An entry naming the wrong agent fails on
    /// its agent before its content is looked at.
    /// </summary>
    public static IReadOnlyList<(string Agent, long AsOfSeq)> PassportsNeeded(IEnumerable<TranscriptEvent> stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return [.. stream.Where(e => e.Type == EventTypes.BundleCommitted)
            .SelectMany(e => RecordedPassports.In(e.Type, e.Data).Select(p => p.Document["agent"] is JsonValue a && a.TryGetValue<string>(out var agent)
                ? (agent, e.Seq - 1) : ((string, long)?)null))
            .OfType<(string, long)>().Distinct()];
    }

    /// <summary>The commits this verifier could not recompute from what it was given (only without the other streams).</summary>
    public IReadOnlyList<UnrecomputedCommit> NotRecomputed => _notRecomputed;

    /// <summary>The versions whose standing every member's commit reads (predecessors and upstreams), of the bundles created in <paramref name="stream"/>.</summary>
    public static IEnumerable<string> DependencyCompactIds(IEnumerable<TranscriptEvent> stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var e in stream)
        {
            if (e.Type != EventTypes.BundleCreated || e.Data["envelope"]?["payload"]?["members"] is not JsonArray members) continue;
            foreach (var member in members)
            {
                if (member?["terms"] is not JsonObject terms) continue;
                if (terms["predecessor"] is JsonObject && terms["compactId"] is JsonValue id && id.TryGetValue<string>(out var compactId)) ids.Add(compactId);
                foreach (var u in terms["upstream"] as JsonArray ?? [])
                {
                    if (u?["compactId"] is JsonValue v && v.TryGetValue<string>(out var upstream)) ids.Add(upstream);
                }
            }
        }
        return ids;
    }

    /// <summary>Observes the stream's next event; returns why it is a commit that does not recompute, or null.</summary>
    public string? Observe(TranscriptEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        FoldOtherStreamsBefore(e.Seq);
        string? problem = null;
        if (e.Type == EventTypes.BundleCommitted)
        {
            try
            {
                var listed = _notRecomputed.Count;
                problem = _unfoldable is { } reason ? NotRecomputable(e, reason) : Recompute(e);
                // Its timing is judged once its content recomputed: a commit listed as not recomputed is neither passed nor failed.
                if (problem is null && _notRecomputed.Count == listed) problem = CommitTime(e);
            }
            catch (Exception x) when (x is InvalidOperationException or FormatException or ArgumentException or NullReferenceException or KeyNotFoundException)
            {
                problem = $"The bundle's commit cannot be recomputed: {x.Message}";
            }
        }
        if (_unfoldable is not null) return problem;
        try
        {
            _state = _state.Apply(e);
        }
        catch (Exception x) when (x is InvalidOperationException or FormatException or ArgumentException or NullReferenceException or KeyNotFoundException)
        {
            // Later commits are not judged on a state that misses this event: each one says so (NotRecomputable).
            _unfoldable = $"event {e.Seq} ({e.Type}) does not fold from what the verifier holds: {x.Message}";
        }
        return problem;
    }

    private static bool IsCompactLifecycle(TranscriptEvent e) =>
        e.Type is EventTypes.CompactInForce or EventTypes.CompactSuperseded or EventTypes.CompactRevoked or EventTypes.CompactExpired;

    private void FoldOtherStreamsBefore(long seq)
    {
        if (_otherStreams is null) return;
        for (; _nextOther < _otherStreams.Count && _otherStreams[_nextOther].Seq < seq; _nextOther++)
        {
            var other = _otherStreams[_nextOther];
            try
            {
                _state = _state.Apply(other);
            }
            catch (Exception x) when (x is InvalidOperationException or FormatException or ArgumentException or NullReferenceException or KeyNotFoundException)
            {
                _unfoldable ??= $"event {other.Seq} ({other.Type}) of stream {other.Stream} does not fold: {x.Message}";
            }
        }
    }

    /// <summary>
    /// A commit that cannot be recomputed from what this verifier holds: with the other streams, a failure (the log itself
    /// lacks what the commit depends on); with the stream alone, listed in <see cref="NotRecomputed"/>.
    /// </summary>
    private string? NotRecomputable(TranscriptEvent e, string reason)
    {
        var bundleId = e.Data["bundleId"]?.GetValue<string>();
        if (_otherStreams is not null) return $"Bundle {bundleId}'s commit cannot be recomputed from the log: {reason}";
        _notRecomputed.Add(new UnrecomputedCommit(e.Seq, e.StreamSeq, bundleId, reason));
        return null;
    }

    /// <summary>Whether a member's predecessor or upstream left force, or null when a version it names went in force in no stream folded here.</summary>
    private bool? LeftForce(BundleMember m, out string? unknown)
    {
        unknown = null;
        foreach (var key in BundleMachine.Dependencies(m))
        {
            if (_state.Compact(key.CompactId, key.Version) is not null) continue;
            unknown = $"member {m.ProposalId} depends on {key.CompactId} version {key.Version}, which went in force in another stream";
            return null;
        }
        return BundleMachine.LeftForce(_state, m);
    }

    /// <summary>
    /// When the commit happened (§15 dueAt): mode <c>all</c> commits on its last signature (dueAt null); mode <c>best</c>
    /// either at its close (dueAt = closesAt, recorded no earlier) or, dueAt null, once no member is still open.
    /// </summary>
    private string? CommitTime(TranscriptEvent e)
    {
        var bundle = _state.Bundle(e.Data["bundleId"]!.GetValue<string>())!;
        var dueAt = e.Data["dueAt"];
        if (bundle.Select.Mode == BundleMode.All)
            return dueAt is null ? null : $"Bundle {bundle.BundleId} (mode all) commits on its last signature, with dueAt null.";
        if (dueAt is null)
        {
            var open = bundle.Members.FirstOrDefault(m => _state.Proposal(m.ProposalId)?.Status == ProposalStatus.Open);
            return open is null ? null
                : $"Bundle {bundle.BundleId} commits before its close (dueAt null) while member {open.ProposalId} is still open.";
        }
        if (dueAt is not JsonValue v || !v.TryGetValue<string>(out var text) || !Timestamp.TryParse(text, out var due) || due != bundle.ClosesAt)
            return $"Bundle {bundle.BundleId}'s commit has dueAt {Jcs.CanonicalString(dueAt)}, but its close is {Timestamp.ToText(bundle.ClosesAt)}.";
        return Timestamp.TryParse(e.Time, out var at) && at >= due ? null
            : $"Bundle {bundle.BundleId}'s commit at its close {text} is recorded at {e.Time}, before it.";
    }

    private string? Recompute(TranscriptEvent e)
    {
        var bundleId = e.Data["bundleId"]?.GetValue<string>();
        if (bundleId is null || _state.Bundle(bundleId) is not { } bundle) return $"bundle.committed names bundle {bundleId}, which the stream did not create.";
        var selected = e.Data["selected"] as JsonArray;
        if (bundle.Select.Mode == BundleMode.All)
        {
            var all = new JsonArray([.. bundle.Members.Select(m => (JsonNode)JsonValue.Create(m.ProposalId))]);
            if (!JsonNode.DeepEquals(selected, all) || e.Data["ranking"] is not null)
                return $"Bundle {bundleId} (mode all) commits every member in member order, without a ranking.";
            foreach (var m in bundle.Members)
            {
                var left = LeftForce(m, out var unknown);
                if (left is null) return NotRecomputable(e, unknown!);
                if (left.Value) return $"Member {m.ProposalId}'s predecessor or upstream left force before the commit: bundle {bundleId} should have aborted (insufficient).";
            }
            var unprepared = bundle.Members.FirstOrDefault(m => _state.Proposal(m.ProposalId)?.Status != ProposalStatus.Prepared);
            return unprepared is null ? null : $"Bundle {bundleId} (mode all) commits member {unprepared.ProposalId}, which was not prepared.";
        }
        if (e.Data["ranking"] is not JsonArray recorded) return $"Bundle {bundleId} (mode best) records no ranking.";
        var entries = recorded.OfType<JsonObject>().ToDictionary(r => r["proposalId"]?.GetValue<string>() ?? "", StringComparer.Ordinal);
        var session = _state.Session(bundle.SessionId)!;
        var candidates = new List<RankingCandidate>();
        foreach (var m in bundle.Members)
        {
            var p = _state.Proposal(m.ProposalId)!;
            if (p.Status != ProposalStatus.Prepared) continue;
            if (!entries.TryGetValue(m.ProposalId, out var entry) || entry["passport"] is not JsonObject passport)
                return $"Prepared member {m.ProposalId} of bundle {bundleId} is missing from its ranking.";
            var left = LeftForce(m, out var unknown);
            if (left is null) return NotRecomputable(e, unknown!);
            // The counterparty's as of the commit's seq − 1, and the log's there when the verifier holds it (§15).
            if (RecordedPassports.AgainstLog(passport, m.Counterparty, e.Seq - 1, _passports?.At(e, m.Counterparty, e.Seq - 1)) is { } forged)
                return $"Member {m.ProposalId}'s ranking entry: {forged}";
            var document = AgentPassport.FromJson(passport);
            candidates.Add(new RankingCandidate(m.ProposalId, m.Counterparty, BundleMachine.InputFor(bundle, m, p, session, PolicyPassportFacts.From(document)),
                passport, left.Value));
        }
        var result = BundleRanking.Rank(bundle.Select, candidates);
        if (!result.Sufficient) return $"Bundle {bundleId} has fewer than minCount ranked members: it should have aborted.";
        if (Jcs.CanonicalString(result.Ranking) != Jcs.CanonicalString(recorded))
            return $"Bundle {bundleId}'s ranking does not recompute from the transcript.";
        var expected = new JsonArray([.. result.Selected.Select(id => (JsonNode)JsonValue.Create(id))]);
        return JsonNode.DeepEquals(selected, expected) ? null : $"Bundle {bundleId}'s selection is not the first count of its ranking.";
    }
}

/// <summary>A <c>bundle.committed</c> a verifier holding only its stream could not recompute, and why.</summary>
public sealed record UnrecomputedCommit(long Seq, long StreamSeq, string? BundleId, string Reason);
