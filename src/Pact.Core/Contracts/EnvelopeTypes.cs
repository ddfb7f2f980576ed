namespace Pact.Core.Contracts;

/// <summary>
/// The <c>type</c> of every signed envelope the daemon accepts (PROTOCOL §2–§10): one name per request, shared by
/// the daemon (which endpoint takes which) and the SDK (what it signs).
/// </summary>
public static class EnvelopeTypes
{
    public const string AgentRegister = "agent.register";
    public const string AuthToken = "auth.token";

    public const string SessionCreate = "session.create";
    public const string SessionSuspend = "session.suspend";
    public const string SessionResume = "session.resume";
    public const string SessionTerminate = "session.terminate";
    public const string SessionCheckpoint = "session.checkpoint";

    public const string ProposalCreate = "proposal.create";
    public const string ProposalSign = "proposal.sign";
    public const string ProposalDecline = "proposal.decline";
    public const string ProposalWithdraw = "proposal.withdraw";
    public const string ProposalWithdrawalAck = "proposal.withdrawal.ack";

    public const string BundleCreate = "bundle.create";
    public const string BundleWithdraw = "bundle.withdraw";

    public const string CompactRevoke = "compact.revoke";
    public const string CompactRevokeAck = "compact.revoke.ack";
    public const string CompactMarker = "compact.marker";
    public const string CompactMarkerAck = "compact.marker.ack";

    public const string SubscriptionCreate = "subscription.create";

    public const string PolicyPublish = "policy.publish";

    public const string MandateGrant = "mandate.grant";
    public const string MandateRevoke = "mandate.revoke";
}
