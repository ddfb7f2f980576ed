using System.Text.Json.Nodes;
using Pact.Core.Crypto;
using Pact.Core.Negotiation;
using Pact.Core.Passport;

namespace Pact.Core.Bundles;

/// <summary>One member of a bundle.create: the proposal id the daemon gives it and the facts of its validated terms.</summary>
public sealed record BundleMemberDraft(string ProposalId, ProposalFacts Facts);

/// <summary>bundle.create (§15), its members' terms and first signatures already validated by the caller.</summary>
public sealed record CreateBundle(
    JsonObject Envelope, string SessionId, string BundleId, IReadOnlyList<BundleMemberDraft> Members, JsonObject Select, DateTimeOffset ClosesAt)
    : NegotiationCommand(Envelope);

/// <summary>bundle.withdraw by the coordinator.</summary>
public sealed record WithdrawBundle(JsonObject Envelope, string BundleId) : NegotiationCommand(Envelope);

/// <summary>
/// What a bundle's commit needs besides the state: the daemon key that seals every member's record (one inForceAt for
/// all), and for a <c>best</c> ranking each counterparty's passport over the log as committed when deciding, its recent
/// failures in the window ending at the instant given (null: the time of the log's last event). The ranking needs the
/// passport as of <c>bundle.committed</c>'s seq − 1; <see cref="BundleMachine"/> adds what the decision's own events
/// before <c>bundle.committed</c> change in it.
/// </summary>
public sealed record BundleServices(KeyPair DaemonKey, Func<string, string?, AgentPassport>? Passports = null);
