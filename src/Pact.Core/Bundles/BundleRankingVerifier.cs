using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.Negotiation;
using Pact.Core.Passport;
using Pact.Core.Policies;

namespace Pact.Core.Bundles;

/// <summary>
/// Recomputes every <c>bundle.committed</c> of a session's stream (§15), fed the stream's events in order from its first:
/// a <c>best</c> bundle's ranking from its bundle.created (terms, select, creation time), the session, the members prepared
/// before the commit and the passports recorded in the ranking (each as of the commit's seq − 1; whether their counts
/// are the log's is <see cref="RecordedPassports"/>' and the audit's question); an <c>all</c> bundle's selection of every
/// member in member order. Whether a member's upstream or predecessor had left force depends on other streams, so an
/// <c>upstream</c> exclusion is taken as recorded.
/// </summary>
public sealed class BundleRankingVerifier
{
    /// <summary>The name verifiers give this check in their first failure.</summary>
    public const string Check = "bundle-ranking";

    private NegotiationState _state = NegotiationState.Empty;
    private bool _foldable = true;

    /// <summary>Observes the stream's next event; returns why it is a commit that does not recompute, or null.</summary>
    public string? Observe(TranscriptEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string? problem = null;
        if (_foldable && e.Type == EventTypes.BundleCommitted)
        {
            try
            {
                problem = Recompute(e);
            }
            catch (Exception x) when (x is InvalidOperationException or FormatException or ArgumentException or NullReferenceException or KeyNotFoundException)
            {
                problem = $"The bundle's commit cannot be recomputed: {x.Message}";
            }
        }
        if (!_foldable) return problem;
        try
        {
            _state = _state.Apply(e);
        }
        catch (Exception x) when (x is InvalidOperationException or FormatException or ArgumentException or NullReferenceException or KeyNotFoundException)
        {
            // A stream that needs other streams to fold (a successor of a version negotiated elsewhere) is checked up to here.
            _foldable = false;
        }
        return problem;
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
            return null;
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
            var document = AgentPassport.FromJson(passport);
            if (document.AsOfSeq != e.Seq - 1 || document.Agent != m.Counterparty)
                return $"Member {m.ProposalId}'s passport is {document.Agent}'s as of {document.AsOfSeq}, not {m.Counterparty}'s as of {e.Seq - 1}.";
            candidates.Add(new RankingCandidate(m.ProposalId, m.Counterparty, BundleMachine.InputFor(bundle, m, p, session, PolicyPassportFacts.From(document)),
                passport, entry["excluded"]?.GetValue<string>() == BundleRanking.Upstream));
        }
        var result = BundleRanking.Rank(bundle.Select, candidates);
        if (!result.Sufficient) return $"Bundle {bundleId} has fewer than minCount ranked members: it should have aborted.";
        if (Jcs.CanonicalString(result.Ranking) != Jcs.CanonicalString(recorded))
            return $"Bundle {bundleId}'s ranking does not recompute from the transcript.";
        var expected = new JsonArray([.. result.Selected.Select(id => (JsonNode)JsonValue.Create(id))]);
        return JsonNode.DeepEquals(selected, expected) ? null : $"Bundle {bundleId}'s selection is not the first count of its ranking.";
    }
}
