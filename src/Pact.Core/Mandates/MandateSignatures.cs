using System.Text.Json.Nodes;
using Pact.Core.Compacts;
using Pact.Core.Contracts;
using Pact.Core.Envelopes;
using Pact.Core.Terms;
using Pact.Core.Time;

namespace Pact.Core.Mandates;

/// <summary>
/// The checks §14 asks of a verifier for one signature made under a mandate, as far as the signature itself and the
/// terms carry them: the grant envelope is the agent's (<c>terms.parties[party].agent</c>), of type <c>mandate.grant</c>,
/// addressed to the record's daemon; <c>mandateHash</c> is the grant payload's; the signature was made before the grant
/// expired and within its scope; and <c>sig</c> verifies under <c>signer</c> over §14's input. Revocation order needs
/// the mandate streams (the export verifier's part); the session scope, the recomputed decision and the act's tie to it
/// need the transcript and the policy (<see cref="DecisionReplay"/>, run by both verifiers).
/// </summary>
public static class MandateSignatures
{
    /// <summary>Null when every check passes, else what failed.</summary>
    /// <param name="signature">A signature with a <c>signer</c>.</param>
    /// <param name="terms">The signed terms.</param>
    /// <param name="termsHash">Their hash.</param>
    /// <param name="firstSig">The first signature when <paramref name="signature"/> is the countersignature, else null.</param>
    /// <param name="daemonId">The daemon that put the compact in force (the grant's <c>aud</c>), or null when not known yet.</param>
    /// <param name="sessionId">The session the terms were negotiated in, or null when not known (its scope check is then left out).</param>
    public static string? Check(SignatureEntry signature, CompactTerms terms, string termsHash, string? firstSig, string? daemonId, string? sessionId)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return signature.Signer is null || signature.Mandate is null
            ? "The signature was not made under a mandate."
            : Check(signature.Party, signature.Agent, signature.Signer, signature.Mandate, signature.Sig, signature.SignedAt, terms, termsHash, firstSig, daemonId, sessionId);
    }

    /// <summary>The same checks on a signature's members (as a proposal or record response lists them).</summary>
    public static string? Check(PartyRole party, string agent, string signer, JsonObject mandate, string sig, DateTimeOffset signedAt,
        CompactTerms terms, string termsHash, string? firstSig, string? daemonId, string? sessionId)
    {
        ArgumentNullException.ThrowIfNull(mandate);
        ArgumentNullException.ThrowIfNull(terms);
        var partyAgent = terms.Parties[party].Agent;
        if (agent != partyAgent) return $"The signature names agent {agent}, but party {party.ToWire()} is {partyAgent}.";
        var (grant, parseError) = Envelope.Parse(mandate["grant"]);
        if (grant is null) return "The mandate's grant is not an envelope: " + parseError?.Detail;
        if (grant.Signer != agent || !grant.VerifySignature()) return $"The grant is not signed by party {party.ToWire()}'s agent.";
        if (grant.Type != EnvelopeTypes.MandateGrant) return $"The grant's type is {grant.Type}, not {EnvelopeTypes.MandateGrant}.";
        if (daemonId is not null && grant.Audience != daemonId) return "The grant is addressed to another daemon.";
        if (Text(mandate, "mandateHash") is not { } mandateHash || mandateHash != MandateCrypto.MandateHash(grant.Payload))
            return "mandateHash is not the hash of the grant's payload.";
        if (Text(mandate, "decisionHash") is not { } decisionHash) return "The mandate reference carries no decisionHash.";
        if (!Timestamp.TryParse(Text(grant.Payload, "expiresAt") ?? "", out var expiresAt) || signedAt >= expiresAt)
            return "The signature was made after the mandate expired.";
        var (scope, _) = MandateScope.Read(grant.Payload["scope"], "/scope");
        var counterparty = terms.Parties[party.Other()].Agent;
        if (scope is null) return "The grant's scope does not read.";
        // Without the session (a record read alone), its part of the scope is left out.
        var judged = sessionId is null ? scope with { Sessions = null } : scope;
        if (!judged.Covers(sessionId ?? "", counterparty, terms.CompactId))
            return "The mandate's scope does not cover this compact, its counterparty or its session.";
        return MandateCrypto.Verify(signer, termsHash, firstSig, mandateHash, decisionHash, sig)
            ? null
            : "sig does not verify under signer over the mandate's signing input.";
    }

    private static string? Text(JsonObject obj, string name) => obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
