using Pact.Client;
using Pact.Core.Contracts;

namespace Pact.Samples.WebhookReceiver;

/// <summary>The samples' agent identity: a key file read with the SDK, or created (mode 0600) on first use.</summary>
public static class AgentKeys
{
    public static AgentKey LoadOrCreate(string path)
    {
        if (File.Exists(path)) return AgentKey.Load(path);
        var key = AgentKey.Generate();
        key.Save(path);
        return key;
    }

    /// <summary>Registers the agent as acting for itself; an agent already registered gets its record back.</summary>
    public static Task<Registration> RegisterAsync(PactClient client, string name, CancellationToken ct) =>
        client.RegisterAsync(new Principal(client.AgentId!, PrincipalKinds.Agent, name), name, cancellationToken: ct);
}
