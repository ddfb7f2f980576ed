using System.Text.Json.Nodes;
using Pact.Core.Crypto;
using Pact.Core.Errors;
using Pact.Core.Identity;
using Pact.Core.Json;
using Pact.Core.Terms;
using Pact.Core.Time;

namespace Pact.Core.Compacts;

/// <summary>
/// The hashes and signing inputs of §4.3. Every input is UTF-8 text: a domain line, then hex and base64url
/// values each followed by "\n", so no input of one kind can be read as another.
/// </summary>
public static class CompactCrypto
{
    public const string TermsDomain = "pact-terms-v1\n";
    public const string SignDomain = "pact-compact-sign-v1\n";
    public const string CountersignDomain = "pact-compact-countersign-v1\n";
    public const string PrincipalDomain = "pact-principal-authorize-v1\n";
    public const string InForceDomain = "pact-in-force-v1\n";
    public const string CompactDomain = "pact-compact-v1\n";

    public const string SignatureTitle = "Compact signature is invalid";

    /// <summary>hex SHA-256( "pact-terms-v1\n" ‖ JCS(terms) ).</summary>
    public static string TermsHash(JsonNode terms) => Jcs.DomainHash(TermsDomain, terms);

    public static string TermsHash(CompactTerms terms) => TermsHash(terms.ToJson());

    /// <summary>hex SHA-256( "pact-compact-v1\n" ‖ JCS(record without compactHash) ).</summary>
    public static string CompactHash(JsonObject recordWithoutCompactHash) => Jcs.DomainHash(CompactDomain, recordWithoutCompactHash);

    public static byte[] FirstSigningInput(string termsHash) => Utf8($"{SignDomain}{termsHash}\n");

    /// <summary>The second signature covers the first, so which came first is provable without clocks.</summary>
    public static byte[] CountersigningInput(string termsHash, string firstSig) => Utf8($"{CountersignDomain}{termsHash}\n{firstSig}\n");

    public static byte[] PrincipalSigningInput(string termsHash) => Utf8($"{PrincipalDomain}{termsHash}\n");

    public static byte[] InForceSigningInput(string termsHash, string secondSig, DateTimeOffset inForceAt) =>
        Utf8($"{InForceDomain}{termsHash}\n{secondSig}\n{Timestamp.ToText(inForceAt)}\n");

    public static string SignFirst(KeyPair agent, string termsHash) => agent.SignB64u(FirstSigningInput(termsHash));

    public static string Countersign(KeyPair agent, string termsHash, string firstSig) => agent.SignB64u(CountersigningInput(termsHash, firstSig));

    /// <summary>A principal authorizing the exact terms with its own key.</summary>
    public static PrincipalSignatureAuthorization AuthorizeAsPrincipal(KeyPair principal, string termsHash) =>
        new(principal.Did, principal.SignB64u(PrincipalSigningInput(termsHash)));

    public static string SignInForce(KeyPair daemon, string termsHash, string secondSig, DateTimeOffset inForceAt) =>
        daemon.SignB64u(InForceSigningInput(termsHash, secondSig, inForceAt));

    public static bool VerifyFirst(string agentDid, string termsHash, string sig) => Verify(agentDid, FirstSigningInput(termsHash), sig);

    public static bool VerifyCountersignature(string agentDid, string termsHash, string firstSig, string sig) =>
        Verify(agentDid, CountersigningInput(termsHash, firstSig), sig);

    public static bool VerifyPrincipal(string principalDid, string termsHash, string sig) => Verify(principalDid, PrincipalSigningInput(termsHash), sig);

    public static bool VerifyInForce(string daemonDid, string termsHash, string secondSig, DateTimeOffset inForceAt, string sig) =>
        Verify(daemonDid, InForceSigningInput(termsHash, secondSig, inForceAt), sig);

    /// <summary>
    /// Checks a compact signature against valid terms: the party's agent signed (the first signature when
    /// <paramref name="firstSig"/> is null, else the countersignature over it) and its principal authorization
    /// holds (PACT-109), and the advanced tier's demand for a principal signature (PACT-105, unless an extension
    /// covers that party's principal). Null when all is well. Whether the envelope's signer is that agent is the caller's check.
    /// </summary>
    public static PactError? CheckSignature(CompactTerms terms, string termsHash, CompactSignature signature, string? firstSig = null, string pointer = "/signature",
        DateTimeOffset? signedAt = null)
    {
        var errors = new List<FieldError>();
        var agent = terms.Parties[signature.Party].Agent;
        var ok = firstSig is null ? VerifyFirst(agent, termsHash, signature.Sig) : VerifyCountersignature(agent, termsHash, firstSig, signature.Sig);
        if (!ok)
            errors.Add(new FieldError(pointer + "/sig", PactCodes.BadCompactSignature,
                $"Not a {(firstSig is null ? "first signature" : "countersignature")} by party {signature.Party.ToWire()}'s agent over these terms."));
        errors.AddRange(CheckAuthorization(terms, termsHash, signature.Party, signature.PrincipalAuthorization, pointer + "/principalAuthorization", signedAt));
        return errors.Count == 0 ? null : PactError.FromFieldErrors(SignatureTitle, errors);
    }

    /// <summary>
    /// The principal authorization of one party: PACT-109 when a principal signature is wrong or names another principal
    /// (for a verified standing policy also when <c>notAfter</c> is not later than <paramref name="signedAt"/>), PACT-105
    /// for an unverified standing policy in the advanced tier. Whether a verified policy is published and signs these
    /// terms is the daemon's question (§13).
    /// </summary>
    public static IReadOnlyList<FieldError> CheckAuthorization(CompactTerms terms, string termsHash, PartyRole party, PrincipalAuthorization authorization, string pointer,
        DateTimeOffset? signedAt = null)
    {
        var errors = new List<FieldError>();
        var principal = terms.Parties[party].Principal.Id;
        switch (authorization)
        {
            case PrincipalSignatureAuthorization ps when ps.Principal != principal:
                errors.Add(new FieldError(pointer + "/principal", PactCodes.BadCompactSignature,
                    $"Names {ps.Principal}, but party {party.ToWire()}'s principal is {principal}."));
                break;
            case PrincipalSignatureAuthorization when !DidKey.IsValid(principal):
                errors.Add(new FieldError(pointer + "/principal", PactCodes.BadCompactSignature,
                    $"Party {party.ToWire()}'s principal is not a did:key, so it cannot sign."));
                break;
            case PrincipalSignatureAuthorization ps when !VerifyPrincipal(ps.Principal, termsHash, ps.Sig):
                errors.Add(new FieldError(pointer + "/sig", PactCodes.BadCompactSignature, "Not the principal's signature over these terms."));
                break;
            case VerifiedStandingPolicyAuthorization vs when vs.Principal != principal:
                errors.Add(new FieldError(pointer + "/principal", PactCodes.BadCompactSignature,
                    $"Names {vs.Principal}, but party {party.ToWire()}'s principal is {principal}."));
                break;
            case VerifiedStandingPolicyAuthorization when !DidKey.IsValid(principal):
                errors.Add(new FieldError(pointer + "/principal", PactCodes.BadCompactSignature,
                    $"Party {party.ToWire()}'s principal is not a did:key, so it cannot authorize a policy."));
                break;
            case VerifiedStandingPolicyAuthorization vs when signedAt is { } at && vs.NotAfter <= at:
                errors.Add(new FieldError(pointer + "/notAfter", PactCodes.BadCompactSignature,
                    $"The policy authorization ended at {Time.Timestamp.ToText(vs.NotAfter)}, before this signature ({Time.Timestamp.ToText(at)})."));
                break;
            case VerifiedStandingPolicyAuthorization vs
                when !Verify(vs.Principal, VerifiedStandingPolicyAuthorization.SigningInput(vs.PolicyHash, terms.Parties[party].Agent, vs.NotAfter), vs.Sig):
                errors.Add(new FieldError(pointer + "/sig", PactCodes.BadCompactSignature,
                    $"Not the principal's authorization of policy {vs.PolicyHash} for party {party.ToWire()}'s agent."));
                break;
            case StandingPolicyAuthorization when terms.Tier == Tier.Advanced
                && !TermsValidator.IsCoveredByExtension(terms, TermsValidator.PrincipalPointer(party)):
                errors.Add(new FieldError(pointer + "/method", PactCodes.TierRuleBroken,
                    "The advanced tier needs the principal's own signature, not a standing policy (no extension covers this)."));
                break;
        }
        return errors;
    }

    private static bool Verify(string did, byte[] input, string sigB64u) =>
        Encoding.Base64Url.TryDecode(sigB64u, out var sig) && DidKey.Verify(did, input, sig);

    private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
