using System.Text.Json.Nodes;
using Pact.Core.Time;
using Pact.Store;

namespace Pact.Daemon;

/// <summary>The store's records as the API shows them.</summary>
public static class StoreRecordJson
{
    public static JsonObject ToJson(this AgentRecord agent) => new()
    {
        ["agentId"] = agent.AgentId,
        ["publicKey"] = agent.PublicKey,
        ["principal"] = agent.Principal.DeepClone(),
        ["displayName"] = agent.DisplayName,
        ["registeredAt"] = agent.RegisteredAt,
    };

    /// <summary>GET /v1/proposals/{id} (§5), plus compactId and version.</summary>
    public static JsonObject ToJson(this ProposalRow p) => new()
    {
        ["proposalId"] = p.ProposalId,
        ["sessionId"] = p.SessionId,
        ["compactId"] = p.CompactId,
        ["version"] = p.Version,
        ["status"] = p.Status,
        ["proposer"] = p.Proposer,
        ["terms"] = p.Terms?.DeepClone(),
        ["termsHash"] = p.TermsHash,
        ["signatures"] = p.Signatures?.DeepClone(),
        ["expiresAt"] = p.ExpiresAt,
        ["history"] = p.History?.DeepClone(),
    };

    public static JsonObject ToJson(this SessionCheckpointRow c) => new()
    {
        ["checkpointId"] = c.CheckpointId,
        ["streamSeq"] = c.StreamSeq,
        ["stateHash"] = c.StateHash,
        ["treeSize"] = c.TreeSize,
        ["label"] = c.Label,
        ["createdAt"] = c.CreatedAt,
    };

    /// <summary>A subscription as the API shows it; the secret is never part of it.</summary>
    public static JsonObject ToJson(this SubscriptionRecord s) => new()
    {
        ["subscriptionId"] = s.SubscriptionId,
        ["owner"] = s.Owner,
        ["callback"] = s.Callback,
        ["filter"] = new JsonObject
        {
            ["types"] = s.Types is null ? null : new JsonArray(s.Types.Select(t => (JsonNode?)t).ToArray()),
            ["sessions"] = s.Sessions is null ? null : new JsonArray(s.Sessions.Select(x => (JsonNode?)x).ToArray()),
        },
        ["description"] = s.Description,
        ["createdAt"] = s.CreatedAt,
        ["afterSeq"] = s.AfterSeq,
        ["status"] = s.Status,
        ["disabledReason"] = s.DisabledReason,
        ["disabledAt"] = s.DisabledAt,
        ["consecutiveFailures"] = s.ConsecutiveFailures,
    };

    public static JsonObject ToJson(this DeliveryRecord d) => new()
    {
        ["deliveryId"] = d.DeliveryId,
        ["subscriptionId"] = d.SubscriptionId,
        ["webhookId"] = d.WebhookId,
        ["seq"] = d.Seq,
        ["type"] = d.Type,
        ["stream"] = d.Stream,
        ["attempt"] = d.Attempt,
        ["status"] = d.Status,
        ["httpStatus"] = d.HttpStatus,
        ["error"] = d.Error,
        ["at"] = d.At,
        ["nextAttemptAt"] = d.NextAttemptAt is { } ms ? Timestamp.ToText(DateTimeOffset.FromUnixTimeMilliseconds(ms)) : null,
        ["createdAt"] = d.CreatedAt,
    };
}
