namespace Pact.Core.Negotiation;

/// <summary>The event types of §8.2 that negotiation and session state read or write.</summary>
public static class EventTypes
{
    public const string SessionCreated = "session.created";
    public const string SessionSuspended = "session.suspended";
    public const string SessionResumed = "session.resumed";
    public const string SessionTerminated = "session.terminated";
    public const string SessionCheckpointed = "session.checkpointed";

    public const string ProposalCreated = "proposal.created";
    public const string ProposalCountered = "proposal.countered";
    public const string ProposalSigned = "proposal.signed";
    public const string ProposalDeclined = "proposal.declined";
    public const string WithdrawalInitiated = "proposal.withdrawal.initiated";
    public const string WithdrawalAcknowledged = "proposal.withdrawal.acknowledged";
    public const string WithdrawalEscalated = "proposal.withdrawal.escalated";
    public const string ProposalWithdrawn = "proposal.withdrawn";
    public const string ProposalExpired = "proposal.expired";
    public const string ProposalRetired = "proposal.retired";

    public const string CompactInForce = "compact.in-force";
    public const string CompactSuperseded = "compact.superseded";
    public const string CompactRevoked = "compact.revoked";
    public const string CompactExpired = "compact.expired";
    public const string RevocationInitiated = "compact.revocation.initiated";
    public const string RevocationLapsed = "compact.revocation.lapsed";

    public const string BundleCreated = "bundle.created";
    public const string BundleCommitted = "bundle.committed";
    public const string BundleAborted = "bundle.aborted";
    public const string BundleWithdrawn = "bundle.withdrawn";

    public const string Failure = "failure";

    public const string PolicyDecided = "policy.decided";
    public const string MandateGranted = "mandate.granted";
    public const string MandateRevoked = "mandate.revoked";
    public const string MandateExpired = "mandate.expired";
}
