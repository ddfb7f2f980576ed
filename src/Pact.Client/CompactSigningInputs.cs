namespace Pact.Client;

/// <summary>
/// The signing inputs of PROTOCOL.md §4.3, as UTF-8 bytes. This mirrors §4.3 exactly and is kept here only
/// so the client builds on its own; it is to be replaced by the equivalent Pact.Core.Compacts helpers.
/// </summary>
internal static class CompactSigningInputs
{
    public const string TermsHashDomain = "pact-terms-v1\n";

    /// <summary>The proposer's signature: "pact-compact-sign-v1\n" + termsHash + "\n".</summary>
    public static byte[] First(string termsHash) =>
        System.Text.Encoding.UTF8.GetBytes("pact-compact-sign-v1\n" + termsHash + "\n");

    /// <summary>The countersignature, over the first: "pact-compact-countersign-v1\n" + termsHash + "\n" + firstSig + "\n".</summary>
    public static byte[] Second(string termsHash, string firstSigB64u) =>
        System.Text.Encoding.UTF8.GetBytes("pact-compact-countersign-v1\n" + termsHash + "\n" + firstSigB64u + "\n");

    /// <summary>A principal's authorization: "pact-principal-authorize-v1\n" + termsHash + "\n".</summary>
    public static byte[] PrincipalAuthorization(string termsHash) =>
        System.Text.Encoding.UTF8.GetBytes("pact-principal-authorize-v1\n" + termsHash + "\n");
}
