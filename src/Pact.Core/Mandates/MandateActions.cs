using System.Text.Json.Nodes;
using Pact.Core.Compacts;
using Pact.Core.Crypto;
using Pact.Core.Events;
using Pact.Core.Negotiation;
using Pact.Core.Policies;
using Pact.Core.Terms;
using Pact.Core.Time;

namespace Pact.Core.Mandates;

/// <summary>
/// The events the daemon records when it acts under a mandate (§14), in the session's stream and in this order:
/// <c>policy.decided</c>, then by effect <c>proposal.signed</c> (with what a signature causes), <c>proposal.declined</c>,
/// or a second <c>policy.decided</c> with the counter's <c>proposal.created</c> and <c>proposal.countered</c>; nothing
/// more for <c>escalate</c>. Pure builders: which mandate applies and what the policy decides is the caller's.
/// </summary>
public static class MandateActions
{
    /// <summary>At most this many proposals are linked by <c>replaces</c> when a mandate counters (the judged one included).</summary>
    public const int CounterCap = 8;

    /// <summary><c>policy.decided</c> (daemon) { proposalId, mandateId, mandateHash, decision, decisionHash, passport } (+ judged for a counter's second decision).</summary>
    public static StreamEvent Decided(string sessionId, string proposalId, MandateRecord mandate, PolicyDecision decision, JsonObject passport, string? judged = null)
    {
        ArgumentNullException.ThrowIfNull(mandate);
        ArgumentNullException.ThrowIfNull(decision);
        var data = new JsonObject
        {
            ["proposalId"] = proposalId,
            ["mandateId"] = mandate.MandateId,
            ["mandateHash"] = mandate.MandateHash,
            ["decision"] = decision.ToJson(),
            ["decisionHash"] = decision.DecisionHash,
            ["passport"] = passport.DeepClone(),
        };
        if (judged is not null) data["judged"] = judged;
        return new StreamEvent(sessionId, EventDraft.ByDaemon(EventTypes.PolicyDecided, data));
    }

    /// <summary>
    /// The principal authorization signatures under the mandate carry: the grant's verified standing policy, or else the
    /// unverified short form naming the mandate's policy.
    /// </summary>
    public static PrincipalAuthorization Authorization(MandateRecord mandate)
    {
        ArgumentNullException.ThrowIfNull(mandate);
        if (mandate.Grant["payload"]?["principalAuthorization"] is JsonObject given && PrincipalAuthorization.FromJson(given).Authorization is { } read)
            return read;
        return new StandingPolicyAuthorization(mandate.PolicyHash);
    }

    /// <summary>
    /// The signature object of §14 for party <paramref name="party"/>: signed by the daemon over the mandate inputs (the
    /// countersignature when <paramref name="firstSig"/> is given), at the time of its <c>policy.decided</c>.
    /// </summary>
    public static SignatureEntry Sign(KeyPair daemon, MandateRecord mandate, PartyRole party, string termsHash, string decisionHash, string? firstSig,
        DateTimeOffset signedAt)
    {
        ArgumentNullException.ThrowIfNull(daemon);
        ArgumentNullException.ThrowIfNull(mandate);
        var sig = firstSig is null
            ? MandateCrypto.SignFirst(daemon, termsHash, mandate.MandateHash, decisionHash)
            : MandateCrypto.Countersign(daemon, termsHash, firstSig, mandate.MandateHash, decisionHash);
        return new SignatureEntry(party, mandate.Agent, sig, Timestamp.Truncate(signedAt), Authorization(mandate))
        {
            Signer = daemon.Did,
            Mandate = mandate.ActionReference(decisionHash),
        };
    }

    /// <summary>
    /// Whether the daemon may sign these terms for the mandate's agent: the signature's principal authorization must be
    /// one a signature would be accepted with (§14: otherwise the decision acts as escalate) — the advanced tier's
    /// demand for a principal signature (PACT-105), a verified standing policy's principal and expiry (PACT-109).
    /// </summary>
    public static bool MaySign(CompactTerms terms, string termsHash, PartyRole party, MandateRecord mandate, DateTimeOffset signedAt) =>
        CompactCrypto.CheckAuthorization(terms, termsHash, party, Authorization(mandate), "", signedAt).Count == 0;

    /// <summary><c>proposal.declined</c> (daemon) { proposalId, reason, mandate }.</summary>
    public static StreamEvent Declined(string sessionId, string proposalId, string? reason, MandateRecord mandate, string decisionHash) =>
        new(sessionId, EventDraft.ByDaemon(EventTypes.ProposalDeclined, new JsonObject
        {
            ["proposalId"] = proposalId,
            ["reason"] = reason,
            ["mandate"] = mandate.ActionReference(decisionHash),
        }));

    /// <summary>
    /// The counter-proposal (daemon): <c>proposal.created</c> { proposalId, compactId, version, termsHash, expiresAt, replaces,
    /// terms, signature, mandate } first-signed under the mandate, then <c>proposal.countered</c> { replaced, by }.
    /// </summary>
    public static Decision Countered(string sessionId, string counterId, string replaced, JsonObject terms, SignatureEntry signature,
        DateTimeOffset? expiresAt)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(signature);
        var signatureJson = signature.ToJson();
        return Decision.Of(
            new StreamEvent(sessionId, EventDraft.ByDaemon(EventTypes.ProposalCreated, new JsonObject
            {
                ["proposalId"] = counterId,
                ["compactId"] = terms["compactId"]!.DeepClone(),
                ["version"] = terms["version"]!.DeepClone(),
                ["termsHash"] = CompactCrypto.TermsHash(terms),
                ["expiresAt"] = expiresAt is { } at ? Timestamp.ToText(at) : null,
                ["replaces"] = replaced,
                ["terms"] = terms.DeepClone(),
                ["signature"] = signatureJson,
                ["mandate"] = signature.Mandate!.DeepClone(),
            })),
            new StreamEvent(sessionId, EventDraft.ByDaemon(EventTypes.ProposalCountered, new JsonObject
            {
                ["proposalId"] = replaced,
                ["by"] = counterId,
            })));
    }

    /// <summary>How many proposals are linked by <c>replaces</c> up to <paramref name="judged"/>: every proposal of its slot (a slot's proposals form one chain of counters).</summary>
    public static int LinkedProposals(NegotiationState state, ProposalRecord judged)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(judged);
        return state.SlotProposals(judged.CompactId, judged.Version).Count(p => string.CompareOrdinal(p.ProposalId, judged.ProposalId) <= 0);
    }
}
