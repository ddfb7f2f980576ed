using System.Text.Json.Nodes;
using Pact.Core.Compacts;
using Pact.Core.Events;
using Pact.Core.Negotiation;
using Pact.Core.Passport;
using Pact.Core.Policies;
using Pact.Core.Terms;
using Pact.Core.Time;

namespace Pact.Core.Mandates;

/// <summary>
/// The first recorded decision that does not follow from the transcript and its policy (<see cref="DecisionReplay.Check"/>),
/// or the first act under a mandate that does not carry out a recorded decision (<see cref="DecisionReplay.ActCheck"/>) or
/// that its grant does not authorize where it was recorded (<see cref="DecisionReplay.AuthorityCheck"/>).
/// </summary>
public sealed record DecisionMismatch(long Seq, long StreamSeq, string Message, string Check = DecisionReplay.Check);

/// <summary>
/// Recomputes every <c>policy.decided</c> of a session stream (§14 verify) from what the transcript recorded: the judged
/// proposal's terms and facts (its <c>proposal.created</c>), the session (its <c>session.created</c>), and the passport the
/// decision recorded; with the policy it names. Both decisions are re-derived with the live path's
/// <see cref="PolicyEvaluator.Evaluate"/>: a first decision is the first-true rule's (or, for a counter whose patch,
/// patched terms or re-evaluation fail, the same rule acting as <c>escalate</c>); a counter's second decision follows a
/// first that countered the judged proposal under the same mandate, its counter replaces that proposal with exactly the
/// patched terms, and it is the <c>sign</c> on them.
/// Used alike by the daemon's verify and the SDK's offline verifier, so both recompute the same hash.
/// </summary>
public static class DecisionReplay
{
    public const string Check = "policy-decision";

    /// <summary>An act under a mandate cites no recorded decision of its proposal with the effect it carries out.</summary>
    public const string ActCheck = "mandate-decision";

    /// <summary>The grant an act under a mandate carries is not its answering agent's, or its scope does not cover the act's session, compact or counterparty.</summary>
    public const string AuthorityCheck = "mandate-authority";

    /// <summary>The policy hashes the stream's decisions name, in order of first appearance.</summary>
    public static IReadOnlyList<string> PolicyHashes(IEnumerable<TranscriptEvent> events) =>
        [.. events.Where(e => e.Type == EventTypes.PolicyDecided)
            .Select(e => e.Data["decision"]?["policyHash"] is JsonValue v && v.TryGetValue<string>(out var h) ? h : null)
            .OfType<string>().Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// Null when every decision recomputes to its recorded decisionHash and every act under a mandate carries out one of
    /// them (<see cref="DecisionTies"/>); else the first event, by order, where either fails.
    /// </summary>
    /// <param name="mandates">The mandates' streams and the recording daemon, when the verifier holds them: each act is then
    /// judged against its mandate's grant and end too (<see cref="MandateStreams.Problem"/>), and every grant's aud.</param>
    /// <param name="passports">The log's passports, when the verifier has a source: each decision's recorded passport must then
    /// be its judged proposal's counterparty's as of the seq before that proposal's creation, and the log's there
    /// (<see cref="RecordedPassports.AgainstLog"/>; the content only where the source knows it).</param>
    /// <param name="counterFacts">What the live path's registry and upstream checks made of a counter's patched terms, when the
    /// verifier has a source: a first decision recorded as the counter rule acting as escalate, whose counter the transcript
    /// alone would take, then holds only if those checks failed. Without a source (or where it cannot say) it is accepted.</param>
    public static DecisionMismatch? Verify(IReadOnlyList<TranscriptEvent> events, IPolicyResolver policies, MandateStreams? mandates = null,
        ILogPassports? passports = null, ICounterFacts? counterFacts = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(policies);
        var (session, created, initiations) = Index(events);
        var decisions = DecisionTies.Decisions(events);
        var firstDecisions = new Dictionary<string, TranscriptEvent>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (mandates?.Problem(e) is { } unbacked) return new DecisionMismatch(e.Seq, e.StreamSeq, unbacked, MandateStreams.Check);
            if (e.Type == EventTypes.PolicyDecided)
            {
                // The passport is an input of the decision: held to the log before the decision is recomputed with it.
                if (passports is not null && PassportProblem(e, created, passports) is { } forged)
                    return new DecisionMismatch(e.Seq, e.StreamSeq, forged, RecordedPassports.Check);
                if (Recompute(e, created, firstDecisions, session, policies, counterFacts) is { } problem) return new DecisionMismatch(e.Seq, e.StreamSeq, problem);
                if (e.Data["judged"] is null && Text(e.Data, "proposalId") is { } judgedId) firstDecisions[judgedId] = e;
            }
            if (DecisionTies.Check(e, decisions, created, initiations, mandates?.DaemonId) is { } untied) return new DecisionMismatch(e.Seq, e.StreamSeq, untied.Message, untied.Check);
        }
        return null;
    }

    /// <summary>
    /// The passport each <c>policy.decided</c> of the stream must record (§13): its judged proposal's counterparty's (the
    /// proposer's agent), as of the seq before that proposal's <c>proposal.created</c> — what a verifier with an asynchronous
    /// passport source fetches before <see cref="Verify"/>. Decisions whose judged proposal is not recorded are left out
    /// (<see cref="Verify"/> names them).
    /// </summary>
    public static IReadOnlyList<(string Agent, long AsOfSeq)> PassportsNeeded(IReadOnlyList<TranscriptEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var (_, created, _) = Index(events);
        return [.. events.Where(e => e.Type == EventTypes.PolicyDecided).Select(e => PassportSubject(e, created)).OfType<(string, long)>().Distinct()];
    }

    /// <summary>The counterparty whose passport <paramref name="decided"/> must record, and its asOfSeq; null when its judged proposal is not recorded.</summary>
    private static (string Agent, long AsOfSeq)? PassportSubject(TranscriptEvent decided, Dictionary<string, TranscriptEvent> created)
    {
        // A counter's second decision reuses the first's input but its terms (§14): the replaced proposal's counterparty and seq.
        var judgedId = Text(decided.Data, "judged") ?? Text(decided.Data, "proposalId");
        if (judgedId is null || !created.TryGetValue(judgedId, out var judged)) return null;
        var payload = judged.Data["envelope"]?["payload"] as JsonObject ?? judged.Data;
        var role = payload["signature"]?["party"] is JsonValue r && r.TryGetValue<string>(out var party) ? party : null;
        return role is not null && payload["terms"]?["parties"]?[role]?["agent"] is JsonValue a && a.TryGetValue<string>(out var agent)
            ? (agent, judged.Seq - 1)
            : null;
    }

    private static string? PassportProblem(TranscriptEvent decided, Dictionary<string, TranscriptEvent> created, ILogPassports passports)
    {
        // Without its judged proposal there is no counterparty to name: the decision's own replay reports that.
        if (PassportSubject(decided, created) is not var (agent, asOfSeq)) return null;
        return RecordedPassports.AgainstLog(decided.Data["passport"], agent, asOfSeq, passports.At(decided, agent, asOfSeq));
    }

    /// <summary>
    /// The facts a stream's decisions are judged with: its session, every <c>proposal.created</c> by id (a bundle member's
    /// with its terms), every revocation and marker initiation by id. A counter's second decision comes before the
    /// counter's proposal.created (§14), so every creation is indexed first.
    /// </summary>
    private static (PolicySessionFacts Session, Dictionary<string, TranscriptEvent> Created, Dictionary<string, TranscriptEvent> Initiations) Index(
        IReadOnlyList<TranscriptEvent> events)
    {
        var session = PolicySessionFacts.None;
        var created = new Dictionary<string, TranscriptEvent>(StringComparer.Ordinal);
        var initiations = new Dictionary<string, TranscriptEvent>(StringComparer.Ordinal);
        var bundles = new Dictionary<string, TranscriptEvent>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (e.Type == EventTypes.SessionCreated)
            {
                session = new PolicySessionFacts(e.Stream, e.Data["topic"]?.GetValue<string>(),
                    [.. e.Data["participants"]!.AsArray().Select(p => p!.GetValue<string>())]);
            }
            else if (e.Type == EventTypes.BundleCreated)
            {
                bundles[e.Data["bundleId"]!.GetValue<string>()] = e;
            }
            else if (e.Type == EventTypes.ProposalCreated)
            {
                created[e.Data["proposalId"]!.GetValue<string>()] = WithMemberTerms(e, bundles);
            }
            else if ((e.Type == EventTypes.RevocationInitiated ? e.Data["revocationId"]
                    : e.Type == Lifecycle.LifecycleEventTypes.MarkerRecorded ? e.Data["markerId"] : null) is JsonValue id && id.TryGetValue<string>(out var initiationId))
            {
                initiations[initiationId] = e;
            }
        }
        return (session, created, initiations);
    }

    /// <summary>
    /// A bundle member's proposal.created (§15) names its terms and first signature only through its bundle.created: the
    /// event as judged, with those copied in from the bundle's signed payload (as a counter under a mandate carries them).
    /// Any other proposal.created as it is.
    /// </summary>
    private static TranscriptEvent WithMemberTerms(TranscriptEvent created, Dictionary<string, TranscriptEvent> bundles)
    {
        if (created.Data["bundleId"] is not JsonValue id || !bundles.TryGetValue(id.GetValue<string>(), out var bundle)) return created;
        var ids = bundle.Data["proposalIds"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        var index = ids.IndexOf(created.Data["proposalId"]!.GetValue<string>());
        if (index < 0 || bundle.Data["envelope"]?["payload"]?["members"]?[index] is not JsonObject member) return created;
        var data = (JsonObject)created.Data.DeepClone();
        data["terms"] = member["terms"]?.DeepClone();
        data["signature"] = member["signature"]?.DeepClone();
        return created with { Data = data };
    }

    /// <summary>What is wrong with one decision, or null.</summary>
    /// <param name="firstDecisions">The first decisions recorded before <paramref name="decided"/>, by the proposal they judge.</param>
    private static string? Recompute(TranscriptEvent decided, Dictionary<string, TranscriptEvent> created, Dictionary<string, TranscriptEvent> firstDecisions,
        PolicySessionFacts session, IPolicyResolver policies, ICounterFacts? counterFacts)
    {
        var data = decided.Data;
        if (data["decision"] is not JsonObject decision || data["decisionHash"]?.GetValue<string>() is not { } recordedHash)
            return "The decision or its decisionHash is missing.";
        if (PolicyDecision.HashOf(decision) != recordedHash) return "decisionHash is not the hash of the recorded decision.";
        return data["judged"] is null
            ? RecomputeFirst(decided, recordedHash, created, session, policies, counterFacts)
            : RecomputeCounter(decided, recordedHash, created, firstDecisions, session, policies);
    }

    /// <summary>
    /// A first decision is what the live path's <see cref="PolicyEvaluator.Evaluate"/> made of the judged proposal: the
    /// first-true rule's, and for a counter, the counter or (when its patch, the patched terms or the re-evaluation fail)
    /// the same rule acting as escalate.
    /// </summary>
    private static string? RecomputeFirst(TranscriptEvent decided, string recordedHash, Dictionary<string, TranscriptEvent> created,
        PolicySessionFacts session, IPolicyResolver policies, ICounterFacts? counterFacts)
    {
        var (expected, problem) = Reevaluate(decided, created, session, policies);
        if (expected is null) return problem;
        if (expected.DecisionHash == recordedHash) return null;
        // The daemon also judges counter terms against its registry and the upstream compacts' state at the commit, which
        // the transcript does not hold: a counter that passes offline may still have been refused there, and escalated.
        // Only a source of those facts can tell; one that cannot say accepts the escalate and notes it not checked.
        if (expected.CounterTerms is { } patched && (expected.Decision with { Effect = PolicyEffects.Escalate }).DecisionHash == recordedHash)
        {
            return counterFacts?.Refused(decided, patched, expected.Input.Me) is false
                ? $"The decision escalates by {expected.Decision.RuleId}, but its counter was takeable: the patched terms pass the registry and upstream checks at the commit."
                : null;
        }
        return $"The decision recomputes to {expected.Decision.Effect} by {expected.Decision.RuleId ?? "the default"} ({expected.DecisionHash}), not {recordedHash}.";
    }

    /// <summary>
    /// A counter's second decision must follow a first decision that countered the judged proposal under the same mandate;
    /// the counter must replace the judged proposal and carry exactly its terms with that counter's <c>set</c> applied; and
    /// the decision must be the <c>sign</c> the live path's re-evaluation of those terms made.
    /// </summary>
    private static string? RecomputeCounter(TranscriptEvent decided, string recordedHash, Dictionary<string, TranscriptEvent> created,
        Dictionary<string, TranscriptEvent> firstDecisions, PolicySessionFacts session, IPolicyResolver policies)
    {
        var data = decided.Data;
        var judgedId = Text(data, "judged");
        var counterId = Text(data, "proposalId");
        var mandateId = Text(data, "mandateId");
        if (judgedId is null || !firstDecisions.TryGetValue(judgedId, out var first) || Text(first.Data, "mandateId") != mandateId
            || first.Data["decision"] is not JsonObject firstDecision || Text(firstDecision, "effect") != PolicyEffects.Counter)
            return $"No earlier policy.decided under mandate {mandateId} counters the judged proposal {judgedId}.";
        if (counterId is null || !created.TryGetValue(counterId, out var counter) || counter.Data["terms"] is not JsonObject counterTerms)
            return "The counter-proposal this decision names is not recorded with its terms.";
        if (Text(counter.Data, "replaces") is var replaces && replaces != judgedId)
            return $"The counter {counterId} replaces {replaces ?? "no proposal"}, not the judged proposal {judgedId}.";

        // The first decision's evaluation, as the live path ran it: its counter terms and the sign that justified them.
        var (outcome, problem) = Reevaluate(first, created, session, policies);
        if (outcome is null) return problem;
        if (outcome.CounterTerms is not { } patched || outcome.CounterDecision is not { } again)
            return $"On the judged proposal's terms the counter is not taken: the policy decides {outcome.Decision.Effect}.";
        if (CompactCrypto.TermsHash(counterTerms) != CompactCrypto.TermsHash(patched))
            return $"The counter's terms are not the judged proposal {judgedId}'s terms with the counter's set applied.";
        return again.DecisionHash == recordedHash ? null : $"The counter's decision recomputes to {again.DecisionHash}, not {recordedHash}.";
    }

    /// <summary>The live path's evaluation of the proposal a first decision judged, from the transcript; or what prevents it.</summary>
    private static (PolicyOutcome? Outcome, string? Problem) Reevaluate(TranscriptEvent firstDecided, Dictionary<string, TranscriptEvent> created,
        PolicySessionFacts session, IPolicyResolver policies)
    {
        var data = firstDecided.Data;
        var judgedId = Text(data, "proposalId");
        if (judgedId is null || !created.TryGetValue(judgedId, out var judged) || judged.Seq > firstDecided.Seq)
            return (null, $"The judged proposal {judgedId} was not created before the decision.");
        if (data["passport"] is not JsonObject passport) return (null, "The decision records no passport.");
        var policyHash = data["decision"]?["policyHash"] is JsonValue v && v.TryGetValue<string>(out var h) ? h : null;
        if (policyHash is null || policies.Find(policyHash) is not { } policy)
            return (null, $"The policy {policyHash} is not available to recompute the decision.");
        // Terms judged offline: §4.2 without the registry (see RecomputeFirst).
        return (PolicyEvaluator.Evaluate(policy, InputFor(judged, passport, session)), null);
    }

    private static string? Text(JsonObject obj, string name) => obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The input of §13 as the judged proposal's creation recorded it, for its counterparty (the mandate's agent).</summary>
    private static PolicyInput InputFor(TranscriptEvent created, JsonObject passport, PolicySessionFacts session)
    {
        var data = created.Data;
        var payload = data["envelope"]?["payload"]?.AsObject() ?? data;
        var terms = (JsonObject)payload["terms"]!.DeepClone();
        var proposer = Wire.Parse<PartyRole>(payload["signature"]!["party"]!.GetValue<string>());
        var facts = new PolicyProposalFacts(
            data["proposalId"]!.GetValue<string>(), created.Stream, data["compactId"]!.GetValue<string>(), JsonRead.Integer(data["version"]),
            proposer.ToWire(), payload["replaces"]?.GetValue<string>(), data["termsHash"]!.GetValue<string>(), Timestamp.Parse(created.Time),
            data["bundleId"]?.GetValue<string>());
        return PolicyInput.For(terms, proposer.Other().ToWire(), facts, PolicyPassportFacts.From(AgentPassport.FromJson(passport)), session);
    }
}
