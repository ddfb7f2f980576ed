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
/// all), and the counterparties' passports for a <c>best</c> ranking — as of <c>bundle.committed</c>'s seq − 1, which
/// is the log head when deciding plus <c>eventsBefore</c>, the decision's events before <c>bundle.committed</c>.
/// </summary>
public sealed record BundleServices(KeyPair DaemonKey, Func<string, int, AgentPassport>? Passports = null);
