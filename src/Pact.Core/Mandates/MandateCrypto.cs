using System.Text.Json.Nodes;
using Pact.Core.Crypto;
using Pact.Core.Identity;
using Pact.Core.Json;

namespace Pact.Core.Mandates;

/// <summary>
/// The hash and signing inputs of §14. A signature under a mandate is the daemon's, over an input that binds the terms,
/// the agent's grant (by <c>mandateHash</c>) and the policy's decision (by <c>decisionHash</c>), so it cannot be
/// replayed under another grant or for another decision; the domains differ from §4.3's, so no agent signature can be
/// read as one.
/// </summary>
public static class MandateCrypto
{
    public const string MandateDomain = "pact-mandate-v1\n";
    public const string SignDomain = "pact-mandate-sign-v1\n";
    public const string CountersignDomain = "pact-mandate-countersign-v1\n";

    /// <summary>hex SHA-256( "pact-mandate-v1\n" ‖ JCS(the grant envelope's payload) ).</summary>
    public static string MandateHash(JsonNode grantPayload) => Jcs.DomainHash(MandateDomain, grantPayload);

    /// <summary>The first signature's input: "pact-mandate-sign-v1\n" + termsHash + "\n" + mandateHash + "\n" + decisionHash + "\n".</summary>
    public static byte[] FirstSigningInput(string termsHash, string mandateHash, string decisionHash) =>
        Utf8($"{SignDomain}{termsHash}\n{mandateHash}\n{decisionHash}\n");

    /// <summary>The countersignature's input, over the first signature like §4.3's.</summary>
    public static byte[] CountersigningInput(string termsHash, string firstSig, string mandateHash, string decisionHash) =>
        Utf8($"{CountersignDomain}{termsHash}\n{firstSig}\n{mandateHash}\n{decisionHash}\n");

    public static string SignFirst(KeyPair daemon, string termsHash, string mandateHash, string decisionHash) =>
        daemon.SignB64u(FirstSigningInput(termsHash, mandateHash, decisionHash));

    public static string Countersign(KeyPair daemon, string termsHash, string firstSig, string mandateHash, string decisionHash) =>
        daemon.SignB64u(CountersigningInput(termsHash, firstSig, mandateHash, decisionHash));

    /// <summary>Checks a signature made under a mandate: the first signature when <paramref name="firstSig"/> is null, else the countersignature.</summary>
    public static bool Verify(string signerDid, string termsHash, string? firstSig, string mandateHash, string decisionHash, string sig)
    {
        var input = firstSig is null
            ? FirstSigningInput(termsHash, mandateHash, decisionHash)
            : CountersigningInput(termsHash, firstSig, mandateHash, decisionHash);
        return Encoding.Base64Url.TryDecode(sig, out var bytes) && DidKey.Verify(signerDid, input, bytes);
    }

    private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
