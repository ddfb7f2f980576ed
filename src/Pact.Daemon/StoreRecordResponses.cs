using System.Text.Json;
using System.Text.Json.Nodes;
using Pact.Core.Contracts;
using Pact.Core.Contracts.Responses;
using Pact.Core.Json;
using Pact.Core.Time;
using Pact.Store;

namespace Pact.Daemon;

/// <summary>
/// The store's rows as the API shows them: the one place each row type becomes its response record
/// (Pact.Core.Contracts.Responses). Members the store keeps as canonical JSON (signatures, histories, signed
/// records) are read into their records member for member.
/// </summary>
public static class StoreRecordResponses
{
    public static AgentInfo ToResponse(this AgentRecord agent) =>
        new(agent.AgentId, agent.PublicKey, Read<Principal>(agent.Principal), agent.DisplayName, Timestamp.Parse(agent.RegisteredAt));

    /// <summary>GET /v1/proposals/{id} (§5), plus compactId and version.</summary>
    public static Proposal ToResponse(this ProposalRow p) => new(
        p.ProposalId, p.SessionId, p.CompactId, p.Version, p.Status, p.Proposer, p.Terms?.AsObject(), p.TermsHash,
        ReadOrNull<List<CompactSignatureInfo>>(p.Signatures), Instant(p.ExpiresAt), ReadOrNull<List<HistoryEntry>>(p.History), p.BundleId);

    public static SessionCheckpointInfo ToResponse(this SessionCheckpointRow c) =>
        new(c.CheckpointId, c.StreamSeq, c.StateHash, c.TreeSize, c.Label, Timestamp.Parse(c.CreatedAt));

    public static CompactVersionInfo ToResponse(this CompactVersionRow v) =>
        new(v.Version, v.CompactHash, v.Status, v.SessionId, Timestamp.Parse(v.InForceAt));

    /// <summary>A compact as GET /v1/compacts lists it: the row of its current version.</summary>
    public static CompactSummary ToSummary(this CompactVersionRow v) =>
        new(v.CompactId, v.Version, v.Status, v.CompactHash, v.SessionId, new CompactPartyAgents(v.AgentA, v.AgentB));

    /// <summary>A signed compact record as stored (in an event or the compacts read model).</summary>
    public static CompactRecordInfo ToCompactRecord(JsonNode record) => Read<CompactRecordInfo>(record);

    /// <summary>A subscription as the API shows it; the secret is never part of it.</summary>
    public static Subscription ToResponse(this SubscriptionRecord s) => new(
        s.SubscriptionId, s.Owner, s.Callback, new SubscriptionFilter(s.Types, s.Sessions), s.Description, Timestamp.Parse(s.CreatedAt),
        s.AfterSeq, s.Status, s.DisabledReason, Instant(s.DisabledAt), s.ConsecutiveFailures);

    public static WebhookDelivery ToResponse(this DeliveryRecord d) => new(
        d.DeliveryId, d.SubscriptionId, d.WebhookId, d.Seq, d.Type, d.Stream, d.Attempt, d.Status, d.HttpStatus, d.Error, Instant(d.At),
        d.NextAttemptAt is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null, Timestamp.Parse(d.CreatedAt));

    private static DateTimeOffset? Instant(string? text) => text is null ? null : Timestamp.Parse(text);

    private static T Read<T>(JsonNode node) =>
        node.Deserialize<T>(PactJson.Options) ?? throw new InvalidOperationException($"A stored {typeof(T).Name} is null.");

    private static T? ReadOrNull<T>(JsonNode? node) where T : class => node is null ? null : Read<T>(node);
}
