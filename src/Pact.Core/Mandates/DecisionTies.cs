using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Core.Negotiation;
using Pact.Core.Policies;

namespace Pact.Core.Mandates;

/// <summary>
/// Ties every act the daemon recorded under a mandate (§14) to the decision it claims: the act's <c>mandate.decisionHash</c>
/// must be that of a <c>policy.decided</c> recorded before it in the same stream, under the same mandate, for the same
/// proposal, with the effect the act carries out — <c>sign</c> for <c>proposal.signed</c>, for a counter's first-signed
/// <c>proposal.created</c> and for a mandate's signature in a <c>compact.in-force</c> record; <c>decline</c> for
/// <c>proposal.declined</c>. An acknowledgment carries decisionHash null. Whether each decision recomputes is
/// <see cref="DecisionReplay"/>'s part; this one makes a made-up decisionHash, an act after an escalate and an act
/// with no decision at all fail. Each act's grant is then judged where it was recorded (<see cref="MandateActAuthority"/>).
/// </summary>
internal static class DecisionTies
{
    /// <summary>One recorded <c>policy.decided</c>, as an act cites it.</summary>
    public sealed record Decided(long Seq, string ProposalId, string? MandateId, string? MandateHash, string? DecisionHash, string? Effect);

    /// <summary>
    /// What is wrong with the act <paramref name="e"/> — the check it fails (<see cref="DecisionReplay.ActCheck"/> or
    /// <see cref="DecisionReplay.AuthorityCheck"/>) and why — or null (also for an event that is no act under a mandate).
    /// </summary>
    /// <param name="created">Every <c>proposal.created</c> of the stream by proposalId.</param>
    /// <param name="initiations">Every revocation and marker initiation of the stream by its id (who acknowledges it is judged from them).</param>
    /// <param name="daemonId">The daemon that recorded the stream, which every grant must be addressed to; null when not known.</param>
    public static (string Check, string Message)? Check(TranscriptEvent e, IReadOnlyList<Decided> decisions, IReadOnlyDictionary<string, TranscriptEvent> created,
        IReadOnlyDictionary<string, TranscriptEvent>? initiations = null, string? daemonId = null)
    {
        if (e.Actor != TranscriptEvent.DaemonActor) return null;
        var data = e.Data;
        var unknown = new MandateActAuthority.Subject(null, null, null);
        if (e.Type is EventTypes.ProposalSigned or EventTypes.ProposalDeclined && data["mandate"] is JsonObject mandate)
        {
            var proposalId = Text(data, "proposalId");
            var effect = e.Type == EventTypes.ProposalSigned ? PolicyEffects.Sign : PolicyEffects.Decline;
            return Tie(e, mandate, proposalId, null, effect, decisions, created)
                ?? Authority(e, mandate, proposalId is not null && created.TryGetValue(proposalId, out var answered) ? MandateActAuthority.AnswerTo(answered) : unknown, daemonId);
        }
        if (e.Type == EventTypes.ProposalCreated && data["signature"] is JsonObject signature && signature["mandate"] is JsonObject signedUnder)
        {
            if (data["mandate"] is JsonObject listed && Text(listed, "decisionHash") != Text(signedUnder, "decisionHash"))
                return (DecisionReplay.ActCheck, "The counter's mandate and its signature's mandate name different decisionHashes.");
            return Tie(e, signedUnder, Text(data, "proposalId"), null, PolicyEffects.Sign, decisions, created)
                ?? Authority(e, signedUnder, MandateActAuthority.CounterBy(e), daemonId);
        }
        if (e.Type == EventTypes.CompactInForce && data["record"] is JsonObject record && record["signatures"] is JsonArray signatures)
        {
            for (var i = 0; i < signatures.Count; i++)
            {
                if (signatures[i]?["mandate"] is not JsonObject underMandate) continue;
                // The record's signature checks judge its agent, compact and counterparty; its session is judged here.
                if ((Tie(e, underMandate, null, Text(record, "termsHash"), PolicyEffects.Sign, decisions, created) ?? Authority(e, underMandate, unknown, daemonId))
                    is { } problem)
                    return (problem.Check, $"Signature {i} of the record: {problem.Message}");
            }
            return null;
        }
        if (e.Type.EndsWith(".acknowledged", StringComparison.Ordinal) && data["mandate"] is JsonObject acknowledged)
        {
            return acknowledged["decisionHash"] is not null
                ? (DecisionReplay.ActCheck, "An acknowledgment under a mandate carries decisionHash null: it follows from the grant, not from a decision.")
                : Authority(e, acknowledged, MandateActAuthority.Acknowledging(e, created, initiations), daemonId);
        }
        return null;
    }

    private static (string Check, string Message)? Authority(TranscriptEvent e, JsonObject mandate, MandateActAuthority.Subject subject, string? daemonId) =>
        MandateActAuthority.Check(e, mandate, subject, daemonId) is { } problem ? (DecisionReplay.AuthorityCheck, problem) : null;

    /// <summary>The decisions recorded in <paramref name="events"/>, in order.</summary>
    public static IReadOnlyList<Decided> Decisions(IEnumerable<TranscriptEvent> events) =>
        [.. events.Where(e => e.Type == EventTypes.PolicyDecided).Select(e => new Decided(e.Seq, Text(e.Data, "proposalId") ?? "",
            Text(e.Data, "mandateId"), Text(e.Data, "mandateHash"), Text(e.Data, "decisionHash"),
            e.Data["decision"] is JsonObject decision ? Text(decision, "effect") : null))];

    /// <summary>
    /// The decision the act cites must precede it under the same mandate, for its proposal (by id, or for a record by the
    /// proposal's termsHash), and carry <paramref name="effect"/>.
    /// </summary>
    private static (string Check, string Message)? Tie(TranscriptEvent act, JsonObject mandate, string? proposalId, string? termsHash, string effect,
        IReadOnlyList<Decided> decisions, IReadOnlyDictionary<string, TranscriptEvent> created)
    {
        var mandateId = Text(mandate, "mandateId");
        var decisionHash = Text(mandate, "decisionHash");
        if (decisionHash is null) return (DecisionReplay.ActCheck, $"The {act.Type} under mandate {mandateId} carries no decisionHash.");
        var cited = decisions.FirstOrDefault(d => d.Seq < act.Seq && d.DecisionHash == decisionHash && d.MandateId == mandateId
            && d.MandateHash == Text(mandate, "mandateHash")
            && (proposalId is not null ? d.ProposalId == proposalId : created.TryGetValue(d.ProposalId, out var c) && Text(c.Data, "termsHash") == termsHash));
        if (cited is null)
            return (DecisionReplay.ActCheck, $"The {act.Type} under mandate {mandateId} cites decisionHash {decisionHash}, but no earlier policy.decided "
                + $"for {(proposalId is null ? "the proposal of these terms" : "proposal " + proposalId)} under that mandate records it.");
        return cited.Effect == effect ? null : (DecisionReplay.ActCheck, $"The {act.Type} under mandate {mandateId} carries out a decision whose effect is {cited.Effect}, not {effect}.");
    }

    private static string? Text(JsonObject obj, string name) => obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
