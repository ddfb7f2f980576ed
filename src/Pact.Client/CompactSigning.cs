using Pact.Core.Compacts;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.Identity;
using Pact.Core.Json;

namespace Pact.Client;

/// <summary>
/// How a party's principal authorizes its agent's compact signature (§4.3): the principal signs the terms
/// hash itself, or the agent claims a standing policy by its hash.
/// </summary>
public abstract record PrincipalAuthority
{
    private PrincipalAuthority() { }

    /// <summary>The principal signs: <c>principal-signature</c>. The principal's did:key must be the party's <c>principal.id</c>.</summary>
    /// <param name="principalKey">The principal's own key pair.</param>
    public static PrincipalAuthority Signature(KeyPair principalKey) => new PrincipalSignature(principalKey);

    /// <summary>The agent acts under a standing policy: <c>standing-policy</c> with the policy document's SHA-256.</summary>
    /// <param name="policyHash">64 lowercase hex characters.</param>
    public static PrincipalAuthority StandingPolicy(string policyHash)
    {
        if (!Hex.IsDigest(policyHash)) throw new ArgumentException("A policy hash is 64 lowercase hex characters.", nameof(policyHash));
        return new StandingPolicyHash(policyHash);
    }

    /// <summary>A standing policy given as the document itself; its SHA-256 is claimed.</summary>
    /// <param name="policyDocument">The policy document's bytes.</param>
    public static PrincipalAuthority StandingPolicyDocument(ReadOnlySpan<byte> policyDocument) =>
        new StandingPolicyHash(Hex.Encode(SHA256.HashData(policyDocument)));

    /// <summary>
    /// A verified standing policy (§13): the principal's signed authorization of a published policy for the agent, until
    /// <c>notAfter</c>. The daemon evaluates the policy on the terms and refuses the signature (PACT-112) unless it signs.
    /// </summary>
    /// <param name="authorization">Made by the principal with <see cref="VerifiedStandingPolicyAuthorization.Sign"/>.</param>
    public static PrincipalAuthority VerifiedStandingPolicy(VerifiedStandingPolicyAuthorization authorization) =>
        new VerifiedPolicy(authorization ?? throw new ArgumentNullException(nameof(authorization)));

    /// <summary>The <c>principalAuthorization</c> object for these terms.</summary>
    /// <param name="termsHash">The terms hash being authorized.</param>
    public abstract JsonObject Authorize(string termsHash);

    private sealed record PrincipalSignature(KeyPair Key) : PrincipalAuthority
    {
        public override JsonObject Authorize(string termsHash) => new()
        {
            ["method"] = "principal-signature",
            ["principal"] = Key.Did,
            ["sig"] = Key.SignB64u(CompactCrypto.PrincipalSigningInput(termsHash)),
        };
    }

    private sealed record VerifiedPolicy(VerifiedStandingPolicyAuthorization Authorization) : PrincipalAuthority
    {
        public override JsonObject Authorize(string termsHash) => Authorization.ToJson();
    }

    private sealed record StandingPolicyHash(string PolicyHash) : PrincipalAuthority
    {
        public override JsonObject Authorize(string termsHash) => new()
        {
            ["method"] = "standing-policy",
            ["policyHash"] = PolicyHash,
        };
    }
}

/// <summary>The compact hashes and signatures of §4.3, built the way the daemon checks them.</summary>
public static class CompactSigning
{
    /// <summary>termsHash = hex SHA-256("pact-terms-v1\n" ‖ JCS(terms)).</summary>
    /// <param name="terms">The terms.</param>
    public static string TermsHash(JsonObject terms) => CompactCrypto.TermsHash(terms);

    /// <summary>The proposer's compact signature (b64u) over a terms hash.</summary>
    /// <param name="agentKey">The proposing agent's key.</param>
    /// <param name="termsHash">The terms hash.</param>
    public static string FirstSignature(KeyPair agentKey, string termsHash) =>
        agentKey.SignB64u(CompactCrypto.FirstSigningInput(termsHash));

    /// <summary>The countersignature (b64u) over the terms hash and the first signature.</summary>
    /// <param name="agentKey">The countersigning agent's key.</param>
    /// <param name="termsHash">The terms hash.</param>
    /// <param name="firstSig">The first signature, b64u, exactly as recorded.</param>
    public static string SecondSignature(KeyPair agentKey, string termsHash, string firstSig) =>
        agentKey.SignB64u(CompactCrypto.CountersigningInput(termsHash, firstSig));

    /// <summary>True when <paramref name="firstSig"/> is <paramref name="agentDid"/>'s first signature over the terms hash.</summary>
    /// <param name="agentDid">The proposer's did:key.</param>
    /// <param name="termsHash">The terms hash.</param>
    /// <param name="firstSig">The signature, b64u.</param>
    public static bool VerifyFirstSignature(string agentDid, string termsHash, string firstSig) =>
        Base64Url.TryDecode(firstSig, out var sig) && DidKey.Verify(agentDid, CompactCrypto.FirstSigningInput(termsHash), sig);

    /// <summary>
    /// The <c>signature</c> member of a proposal.create or proposal.sign payload:
    /// <c>{ party, sig, principalAuthorization }</c>.
    /// </summary>
    /// <param name="party">"a" or "b".</param>
    /// <param name="sig">The compact signature, b64u.</param>
    /// <param name="principalAuthorization">The principal's authorization for the same terms hash.</param>
    public static JsonObject SignatureObject(string party, string sig, JsonObject principalAuthorization) => new()
    {
        ["party"] = party,
        ["sig"] = sig,
        ["principalAuthorization"] = principalAuthorization,
    };

    /// <summary>Which party ("a" or "b") of the terms the agent is, or null when it is neither.</summary>
    /// <param name="terms">The terms.</param>
    /// <param name="agentDid">The agent's did:key.</param>
    public static string? PartyOf(JsonObject terms, string agentDid)
    {
        foreach (var party in new[] { "a", "b" })
        {
            if (AgentOf(terms, party) == agentDid) return party;
        }
        return null;
    }

    /// <summary>The agent did:key of a party ("a" or "b") of the terms, or null when the terms do not say.</summary>
    /// <param name="terms">The terms.</param>
    /// <param name="party">"a" or "b".</param>
    public static string? AgentOf(JsonObject terms, string party) =>
        terms["parties"] is JsonObject parties && parties[party] is JsonObject entry &&
        entry["agent"] is JsonValue v && v.TryGetValue<string>(out var did) ? did : null;
}
