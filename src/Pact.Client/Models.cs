using Pact.Core.Contracts.Responses;

namespace Pact.Client;

// The daemon's answers are the records of Pact.Core.Contracts.Responses: the daemon writes them and this client
// reads them, so the contract is written once. Only what the client adds to an answer lives here.

/// <summary>The answer to a registration.</summary>
/// <param name="Agent">The agent's record.</param>
/// <param name="Created">True when this request registered it (201), false when it was already registered (200).</param>
public sealed record Registration(AgentInfo Agent, bool Created);

/// <summary>A bundle member's countersignature: by its counterparty, or under the counterparty's mandate (§14).</summary>
/// <param name="ProposalId">The member.</param>
/// <param name="Agent">The counterparty the signature is for.</param>
/// <param name="Signer">The daemon that signed under a mandate, or null when the agent signed itself.</param>
/// <param name="MandateId">The mandate it was made under, or null.</param>
public sealed record MemberCountersignature(string ProposalId, string Agent, string? Signer, string? MandateId)
{
    /// <summary>"agent", or "mandate mnd_…": who prepared the member, as <c>pact bundle show</c> prints it.</summary>
    public string PreparedBy => MandateId is null ? "agent" : $"mandate {MandateId}";
}
