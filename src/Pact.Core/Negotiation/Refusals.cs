using Pact.Core.Errors;

namespace Pact.Core.Negotiation;

/// <summary>The refusals of §5 and §7 with their §11 codes and statuses.</summary>
public static class Refusals
{
    public static PactError NotFound(string what) => PactError.NotFound(what);

    public static PactError Forbidden(string detail) => PactError.Forbidden(detail);

    public static PactError SessionNotActive(string sessionId, string status) =>
        SessionState($"Session {sessionId} is {status}.");

    public static PactError SessionState(string detail) =>
        new(PactCodes.SessionNotActive, 409, "Session state does not allow this", detail);

    public static PactError ProposalStatus(string detail) =>
        new(PactCodes.ProposalStatus, 409, "Proposal status does not allow this", detail);

    public static PactError SlotOccupied(string compactId, long version, string occupant) =>
        new(PactCodes.SlotOccupied, 409, "Compact version has an open proposal",
            $"Proposal {occupant} is open or withdrawal-pending for {compactId} version {version}.");

    public static PactError SlotBurned(string compactId, long version, string proposalId, ProposalStatus status) =>
        new(PactCodes.SlotBurned, 409, "Compact version is burned",
            $"{compactId} version {version} belongs to proposal {proposalId}, which ended {status.ToWire()}.");

    public static PactError CompactState(string detail) =>
        new(PactCodes.CompactState, 409, "Compact state does not allow this", detail);

    public static PactError BundleState(string detail) =>
        new(PactCodes.BundleState, 409, "Bundle state does not allow this", detail);

    public static PactError HashMismatch(string pointer, string detail) =>
        new(PactCodes.HashMismatch, 422, "Referenced hash does not match", detail,
            [new FieldError(pointer, PactCodes.HashMismatch, detail)]);
}
