using System.Text.Json.Nodes;

namespace Pact.Core.Negotiation;

/// <summary>
/// A negotiation request that passed the envelope checks of §2. <see cref="Envelope"/> is the accepted
/// envelope as parsed JSON ({ payload, signer, sig }); it is stored as <c>data.envelope</c> and its
/// <c>signer</c> is the acting agent and the event's actor.
/// </summary>
public abstract record NegotiationCommand(JsonObject Envelope)
{
    public string Signer => Envelope["signer"]?.GetValue<string>()
        ?? throw new ArgumentException("The envelope has no signer.", nameof(Envelope));
}

/// <summary>proposal.create: <paramref name="ProposalId"/> is daemon-generated; <paramref name="Replaces"/> makes it a counter-proposal.</summary>
public sealed record CreateProposal(JsonObject Envelope, string SessionId, string ProposalId, ProposalFacts Facts, string? Replaces = null)
    : NegotiationCommand(Envelope);

/// <summary>
/// proposal.sign. Judge it first without <paramref name="Compact"/> (<see cref="NegotiationMachine.Check"/>), then
/// verify the signatures, build the signed record with the daemon key, and decide with it.
/// </summary>
public sealed record SignProposal(JsonObject Envelope, string ProposalId, string TermsHash, SignedCompact? Compact = null)
    : NegotiationCommand(Envelope)
{
    /// <summary>For a bundle member (§15), instead of <see cref="Compact"/>: what its bundle's commit needs.</summary>
    public Bundles.BundleServices? Bundle { get; init; }
}

/// <summary>The signed compact record (§4.3) and its compactHash, built by the caller with the daemon key.</summary>
public sealed record SignedCompact(JsonObject Record, string CompactHash);

/// <summary>proposal.decline (the payload's optional reason is not recorded in event data).</summary>
public sealed record DeclineProposal(JsonObject Envelope, string ProposalId, string TermsHash) : NegotiationCommand(Envelope)
{
    /// <summary>For a member of a <c>best</c> bundle (§15), whose decline may close it: what its commit needs.</summary>
    public Bundles.BundleServices? Bundle { get; init; }
}

/// <summary>proposal.withdraw by the proposer.</summary>
public sealed record WithdrawProposal(JsonObject Envelope, string ProposalId, string TermsHash) : NegotiationCommand(Envelope);

/// <summary>proposal.withdrawal.ack by the counterparty, naming the hash of the withdrawal.initiated event.</summary>
public sealed record AcknowledgeWithdrawal(JsonObject Envelope, string ProposalId, string WithdrawalHash) : NegotiationCommand(Envelope);
