using Pact.Client;
using Pact.Core.Contracts;

namespace Pact.Samples.WebhookReceiver;

/// <summary>The samples' agent registration.</summary>
public static class AgentKeys
{
    /// <summary>Registers the agent as acting for itself; an agent already registered gets its record back.</summary>
    public static Task<Registration> RegisterAsync(PactClient client, string name, CancellationToken ct) =>
        client.RegisterAsync(new Principal(client.AgentId!, PrincipalKinds.Agent, name), name, cancellationToken: ct);
}
