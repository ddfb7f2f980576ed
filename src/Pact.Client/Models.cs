using Pact.Core.Contracts.Responses;

namespace Pact.Client;

// The daemon's answers are the records of Pact.Core.Contracts.Responses: the daemon writes them and this client
// reads them, so the contract is written once. Only what the client adds to an answer lives here.

/// <summary>The answer to a registration.</summary>
/// <param name="Agent">The agent's record.</param>
/// <param name="Created">True when this request registered it (201), false when it was already registered (200).</param>
public sealed record Registration(AgentInfo Agent, bool Created);
