namespace Pact.Core.Errors;

/// <summary>The stable error codes of PROTOCOL.md §11. Clients switch on these, never on titles.</summary>
public static class PactCodes
{
    public const string InvalidJson = "PACT-100";
    public const string InvalidPayload = "PACT-101";
    public const string UnknownVocabulary = "PACT-102";
    public const string OperationCategoryMismatch = "PACT-103";
    public const string MissingDisposition = "PACT-104";
    public const string TierRuleBroken = "PACT-105";
    public const string InvalidParties = "PACT-106";
    public const string EmptyEffectiveInterval = "PACT-107";
    public const string InvalidUpstream = "PACT-108";
    public const string BadCompactSignature = "PACT-109";
    public const string HashMismatch = "PACT-110";
    public const string RevocationNotAllowed = "PACT-111";
    public const string StandingPolicyRefused = "PACT-112";
    public const string PolicyInvalid = "PACT-120";
    public const string BadEnvelopeSignature = "PACT-201";
    public const string UnknownSigner = "PACT-202";
    public const string NonceReused = "PACT-203";
    public const string StaleIssuedAt = "PACT-204";
    public const string Forbidden = "PACT-205";
    public const string WrongAudience = "PACT-206";
    public const string BadToken = "PACT-207";
    public const string AdmissionRefused = "PACT-208";
    public const string ProposalStatus = "PACT-301";
    public const string SlotOccupied = "PACT-302";
    public const string SlotBurned = "PACT-303";
    public const string CompactState = "PACT-304";
    public const string SessionNotActive = "PACT-305";
    public const string MandateInactive = "PACT-306";
    public const string BundleState = "PACT-307";
    public const string IntegrityFailure = "PACT-401";
    public const string NotFound = "PACT-404";
    public const string MethodNotAllowed = "PACT-405";
    public const string BodyTooLarge = "PACT-413";
    public const string UnsupportedMediaType = "PACT-415";
    public const string HostNotAllowed = "PACT-421";
    public const string RateLimited = "PACT-429";
    public const string NegotiationTimeout = "PACT-501";
    public const string AcknowledgmentTimeout = "PACT-502";

    /// <summary>A bundle counterparty's silence until closesAt (§15): a failure event's code, never a response.</summary>
    public const string BundleTimeout = "PACT-503";

    // Additions to the protocol's table (§11), never answers to a valid protocol request:
    // an unexpected fault (the 500 reveals only the trace id), and /readyz while the store refuses a write.
    public const string Internal = "PACT-500";
    public const string NotReady = "PACT-503";
}
