using System.Text.Json.Nodes;
using Pact.Core.Contracts.Responses;
using Pact.Core.Negotiation;
using Pact.Core.Time;

namespace Pact.Core.Mandates;

/// <summary>The statuses of a mandate (§14): active until revoked by its granter or expired at <c>expiresAt</c>.</summary>
public enum MandateStatus
{
    Active,
    Revoked,
    Expired,
}

/// <summary>The kinds of initiation a mandate may acknowledge for its agent (§14 <c>acknowledge</c>).</summary>
public static class AcknowledgeKinds
{
    public const string Withdrawal = "withdrawal";
    public const string Marker = "marker";
    public const string Revocation = "revocation";
    public const string MutualRevocation = "mutual-revocation";

    public static IReadOnlyList<string> All { get; } = [Withdrawal, Marker, Revocation, MutualRevocation];
}

/// <summary>
/// A mandate as its stream says (§14): the grant, its hash, and what happened since. <see cref="GrantSeq"/> is the
/// global seq of <c>mandate.granted</c>: among mandates that could act, the one granted last (highest) does.
/// <see cref="Actions"/> counts the decisions and acknowledgments recorded under it (a counter makes two decisions).
/// </summary>
public sealed record MandateRecord(
    string MandateId,
    string MandateHash,
    string Agent,
    string PolicyHash,
    MandateScope Scope,
    JsonObject ScopeJson,
    IReadOnlyList<string> Acknowledge,
    DateTimeOffset ExpiresAt,
    MandateStatus Status,
    long GrantSeq,
    JsonObject Grant,
    long Actions)
{
    /// <summary>The expiry (deadline kind 7) while the mandate is active.</summary>
    public Deadline? PendingDeadline => Status == MandateStatus.Active ? new Deadline(ExpiresAt, DeadlineKind.MandateExpiry, MandateId) : null;

    /// <summary>The status at <paramref name="now"/>: an active mandate whose expiry is reached but not yet recorded reads expired.</summary>
    public MandateStatus StatusAt(DateTimeOffset now) => Status == MandateStatus.Active && now >= ExpiresAt ? MandateStatus.Expired : Status;

    /// <summary>Whether the mandate may act at <paramref name="now"/>.</summary>
    public bool IsActiveAt(DateTimeOffset now) => StatusAt(now) == MandateStatus.Active;

    /// <summary>Whether the mandate acknowledges initiations of <paramref name="kind"/> (one of <see cref="AcknowledgeKinds"/>).</summary>
    public bool Acknowledges(string kind) => Acknowledge.Contains(kind, StringComparer.Ordinal);

    /// <summary>The <c>mandate</c> member of an action taken under this mandate; <paramref name="decisionHash"/> null for an acknowledgment.</summary>
    public JsonObject ActionReference(string? decisionHash) => new()
    {
        ["mandateId"] = MandateId,
        ["mandateHash"] = MandateHash,
        ["decisionHash"] = decisionHash,
        ["grant"] = Grant.DeepClone(),
    };

    /// <summary>The mandate resource of §14 as of <paramref name="now"/>.</summary>
    public MandateResource ToResource(DateTimeOffset now) => new(
        MandateId, MandateHash, Agent, PolicyHash, ScopeJson.DeepClone().AsObject(), Acknowledge, ExpiresAt, StatusAt(now).ToWire(),
        Grant.DeepClone().AsObject(), Actions);

    /// <summary>
    /// The record a <c>mandate.granted</c> event describes; its envelope is the grant. Null for data that is not one
    /// (the fold then ignores the event, as it does every event it does not read).
    /// </summary>
    public static MandateRecord? FromGranted(JsonObject data, long seq)
    {
        if (data["envelope"] is not JsonObject grant || data["scope"] is not JsonObject scopeJson) return null;
        var (scope, _) = MandateScope.Read(scopeJson, "/scope");
        if (scope is null || grant["signer"]?.GetValue<string>() is not { } agent) return null;
        var acknowledge = data["acknowledge"] is JsonArray kinds ? kinds.Select(k => k!.GetValue<string>()).ToList() : [];
        return new MandateRecord(
            data["mandateId"]!.GetValue<string>(), data["mandateHash"]!.GetValue<string>(), agent, data["policyHash"]!.GetValue<string>(),
            scope, scopeJson, acknowledge, Timestamp.Parse(data["expiresAt"]!.GetValue<string>()), MandateStatus.Active, seq, grant, 0);
    }
}

/// <summary>Wire names of <see cref="MandateStatus"/>.</summary>
public static class MandateStatusWire
{
    public static string ToWire(this MandateStatus status) => status switch
    {
        MandateStatus.Active => "active",
        MandateStatus.Revoked => "revoked",
        _ => "expired",
    };
}
