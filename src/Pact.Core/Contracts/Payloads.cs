using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Pact.Core.Ids;
using Pact.Core.Json;

namespace Pact.Core.Contracts;

/// <summary>
/// The type-specific members of one envelope type's payload (§2–§10). The SDK signs the record as
/// <see cref="Payloads.ToJson{T}"/> writes it; the daemon checks a received payload against <see cref="Shape"/>.
/// An optional member left null is omitted, never sent as <c>null</c>: the signed bytes are JCS over exactly the
/// members present, and clients have always left optional members out.
/// </summary>
public interface IEnvelopePayload<TSelf> where TSelf : IEnvelopePayload<TSelf>
{
    /// <summary>The envelope type and the members its payload may carry.</summary>
    static abstract PayloadShape Shape { get; }
}

/// <summary>Writing payload records as the JSON members that are signed.</summary>
public static class Payloads
{
    /// <summary>The record's members as a JSON object, with PactJson's naming; optional members left null are omitted.</summary>
    public static JsonObject ToJson<T>(T payload) where T : IEnvelopePayload<T> =>
        JsonSerializer.SerializeToNode(payload, PactJson.Options)?.AsObject() ?? [];
}

/// <summary>The human, organization or agent an agent acts for (§3).</summary>
/// <param name="Id">A did:key or an opaque identifier.</param>
/// <param name="Kind">One of <see cref="PrincipalKinds"/>.</param>
/// <param name="Name">A readable name.</param>
public sealed record Principal(string Id, string Kind, string Name)
{
    /// <summary>The principal as the JSON object the protocol carries.</summary>
    public JsonObject ToJson() => new() { ["id"] = Id, ["kind"] = Kind, ["name"] = Name };
}

/// <summary>The values of <see cref="Principal.Kind"/>.</summary>
public static class PrincipalKinds
{
    /// <summary>A person.</summary>
    public const string Human = "human";

    /// <summary>A company or other organization.</summary>
    public const string Organization = "organization";

    /// <summary>Another agent.</summary>
    public const string Agent = "agent";
}

/// <summary><c>agent.register</c> (§3), signed by the new agent's own key.</summary>
public sealed record AgentRegisterPayload(
    Principal Principal,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DisplayName = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Invite = null)
    : IEnvelopePayload<AgentRegisterPayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.AgentRegister)
        .Required("principal", PayloadRules.Principal)
        .Optional("displayName", PayloadRules.StringOrNull)
        .Optional("invite", PayloadRules.StringOrNull);
}

/// <summary><c>auth.token</c> (§3): no members of its own.</summary>
public sealed record AuthTokenPayload : IEnvelopePayload<AuthTokenPayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.AuthToken);
}

/// <summary>
/// <c>session.create</c> (§7); the signer must be among the participants. With <see cref="Admission"/>, every other
/// participant must pass the passport check (§16) or nothing is recorded (PACT-208).
/// </summary>
public sealed record SessionCreatePayload(
    IReadOnlyList<string> Participants,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Topic = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonObject? Metadata = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SessionAdmission? Admission = null)
    : IEnvelopePayload<SessionCreatePayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.SessionCreate)
        .Required("participants", PayloadRules.DidArray)
        .Optional("topic", PayloadRules.StringOrNull)
        .Optional("metadata", PayloadRules.ObjectOrNull)
        .Optional("admission", PayloadRules.Admission);
}

/// <summary>A session's passport admission (§16): thresholds in hundredths (score) and percent (confidence).</summary>
public sealed record SessionAdmission(long MinScore, long MinConfidence);

/// <summary><c>session.suspend</c> (§7).</summary>
public sealed record SessionSuspendPayload(string SessionId) : IEnvelopePayload<SessionSuspendPayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.SessionSuspend).Target("sessionId");
}

/// <summary><c>session.resume</c> (§7).</summary>
public sealed record SessionResumePayload(string SessionId) : IEnvelopePayload<SessionResumePayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.SessionResume).Target("sessionId");
}

/// <summary><c>session.terminate</c> (§7).</summary>
public sealed record SessionTerminatePayload(string SessionId) : IEnvelopePayload<SessionTerminatePayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.SessionTerminate).Target("sessionId");
}

/// <summary><c>session.checkpoint</c> (§7).</summary>
public sealed record SessionCheckpointPayload(
    string SessionId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Label = null)
    : IEnvelopePayload<SessionCheckpointPayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.SessionCheckpoint)
        .Target("sessionId")
        .Optional("label", PayloadRules.StringOrNull);
}

/// <summary>
/// <c>proposal.create</c> (§5). <c>terms</c> and <c>signature</c> stay JSON: they are hashed and signed as sent,
/// and checked member by member by the daemon's terms and signature validation (§4.2, §4.3), not here.
/// </summary>
public sealed record ProposalCreatePayload(
    string SessionId,
    JsonObject Terms,
    JsonObject Signature,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Replaces = null)
    : IEnvelopePayload<ProposalCreatePayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.ProposalCreate)
        .Target("sessionId", PayloadRules.DaemonId(PactIds.Session))
        .Required("terms", PayloadRules.Object)
        .Required("signature", PayloadRules.Object)
        .Optional("replaces", PayloadRules.DaemonIdOrNull(PactIds.Proposal));
}

/// <summary><c>proposal.sign</c> (§5): the countersignature.</summary>
public sealed record ProposalSignPayload(string ProposalId, string TermsHash, JsonObject Signature) : IEnvelopePayload<ProposalSignPayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.ProposalSign)
        .Target("proposalId", PayloadRules.DaemonId(PactIds.Proposal))
        .Required("termsHash", PayloadRules.Digest)
        .Required("signature", PayloadRules.Object);
}

/// <summary><c>proposal.decline</c> (§5).</summary>
public sealed record ProposalDeclinePayload(
    string ProposalId,
    string TermsHash,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null)
    : IEnvelopePayload<ProposalDeclinePayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.ProposalDecline)
        .Target("proposalId", PayloadRules.DaemonId(PactIds.Proposal))
        .Required("termsHash", PayloadRules.Digest)
        .Optional("reason", PayloadRules.StringOrNull);
}

/// <summary><c>proposal.withdraw</c> (§5), by the proposer.</summary>
public sealed record ProposalWithdrawPayload(string ProposalId, string TermsHash) : IEnvelopePayload<ProposalWithdrawPayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.ProposalWithdraw)
        .Target("proposalId", PayloadRules.DaemonId(PactIds.Proposal))
        .Required("termsHash", PayloadRules.Digest);
}

/// <summary>
/// <c>bundle.create</c> (§15): 2–16 members <c>{ terms, signature }</c> from one coordinator, how they commit, and when
/// the bundle closes. Only the payload's own members are checked with the envelope; what is inside <c>members</c> and
/// <c>select</c>, the member count and <c>closesAt</c>'s range are judged after the session and slots (§11).
/// </summary>
public sealed record BundleCreatePayload(string SessionId, JsonArray Members, JsonObject Select, string ClosesAt) : IEnvelopePayload<BundleCreatePayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.BundleCreate)
        .Target("sessionId", PayloadRules.DaemonId(PactIds.Session))
        .Required("members", n => n is JsonArray ? null : "must be an array")
        .Required("select", PayloadRules.Object)
        .Required("closesAt", PayloadRules.String);
}

/// <summary><c>bundle.withdraw</c> (§15), by the coordinator.</summary>
public sealed record BundleWithdrawPayload(string BundleId) : IEnvelopePayload<BundleWithdrawPayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.BundleWithdraw)
        .Target("bundleId", PayloadRules.DaemonId(PactIds.Bundle));
}

/// <summary><c>proposal.withdrawal.ack</c> (§5), by the other party.</summary>
public sealed record ProposalWithdrawalAckPayload(string ProposalId, string WithdrawalHash) : IEnvelopePayload<ProposalWithdrawalAckPayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.ProposalWithdrawalAck)
        .Target("proposalId", PayloadRules.DaemonId(PactIds.Proposal))
        .Required("withdrawalHash", PayloadRules.Digest);
}

/// <summary><c>compact.revoke</c> (§6.2). <c>emergency</c> is sent only when true.</summary>
public sealed record CompactRevokePayload(
    string CompactId,
    long Version,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Condition = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Emergency = null)
    : IEnvelopePayload<CompactRevokePayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.CompactRevoke)
        .Target("compactId", PayloadRules.CompactId)
        .Required("version", PayloadRules.PositiveInteger)
        .Optional("reason", PayloadRules.StringOrNull)
        .Optional("condition", PayloadRules.StringOrNull)
        .Optional("emergency", PayloadRules.BooleanOrNull);
}

/// <summary><c>compact.revoke.ack</c> (§6.2), by the party that did not initiate.</summary>
public sealed record CompactRevokeAckPayload(string CompactId, string RevocationId, string InitiationHash) : IEnvelopePayload<CompactRevokeAckPayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.CompactRevokeAck)
        .Target("compactId", PayloadRules.CompactId)
        .Target("revocationId", PayloadRules.DaemonId(PactIds.Revocation))
        .Required("initiationHash", PayloadRules.Digest);
}

/// <summary><c>compact.marker</c> (§6.4).</summary>
public sealed record CompactMarkerPayload(string CompactId, string Marker) : IEnvelopePayload<CompactMarkerPayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.CompactMarker)
        .Target("compactId", PayloadRules.CompactId)
        .Required("marker", PayloadRules.String);
}

/// <summary><c>compact.marker.ack</c> (§6.4), by the other party.</summary>
public sealed record CompactMarkerAckPayload(string CompactId, string MarkerId, string InitiationHash) : IEnvelopePayload<CompactMarkerAckPayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.CompactMarkerAck)
        .Target("compactId", PayloadRules.CompactId)
        .Target("markerId", PayloadRules.DaemonId(PactIds.Marker))
        .Required("initiationHash", PayloadRules.Digest);
}

/// <summary>
/// <c>subscription.create</c> (§10). The filter is checked member by member by the subscription service (its
/// pointers go into <c>/payload/filter</c>); a filter with neither member is left out.
/// </summary>
public sealed record SubscriptionCreatePayload(
    string Callback,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SubscriptionFilterPayload? Filter = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description = null)
    : IEnvelopePayload<SubscriptionCreatePayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.SubscriptionCreate)
        .Required("callback", PayloadRules.String)
        .Optional("filter", PayloadRules.ObjectOrNull)
        .Optional("description", PayloadRules.StringOrNull);
}

/// <summary>The <c>filter</c> of a <c>subscription.create</c>: a member left null matches everything and is omitted.</summary>
public sealed record SubscriptionFilterPayload(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Types = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Sessions = null);

/// <summary>
/// <c>policy.publish</c> (§13). The policy stays JSON: it is hashed as sent, and every defect inside it is PACT-120,
/// judged by the policy reader after the envelope checks (which look only at the payload's own members).
/// </summary>
public sealed record PolicyPublishPayload(JsonObject Policy) : IEnvelopePayload<PolicyPublishPayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.PolicyPublish)
        .Required("policy", _ => null);
}

/// <summary>
/// <c>mandate.grant</c> (§14): the daemon may answer proposals addressed to the signer as the published policy decides,
/// within <see cref="Scope"/>, until <see cref="ExpiresAt"/>. The inside of <c>scope</c> is judged after the envelope
/// checks and visibility (§11); <see cref="PrincipalAuthorization"/>, when given, is a verified standing policy (§13).
/// </summary>
public sealed record MandateGrantPayload(
    string PolicyHash,
    JsonObject Scope,
    IReadOnlyList<string> Acknowledge,
    string ExpiresAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonObject? PrincipalAuthorization = null)
    : IEnvelopePayload<MandateGrantPayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.MandateGrant)
        .Required("policyHash", PayloadRules.Digest)
        .Required("scope", _ => null)
        .Required("acknowledge", AcknowledgeKinds)
        .Required("expiresAt", PayloadRules.Timestamp)
        .Optional("principalAuthorization", PayloadRules.Object);

    private static string? AcknowledgeKinds(JsonNode? n)
    {
        if (n is not JsonArray kinds) return "must be a list of withdrawal, marker, revocation, mutual-revocation";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var kind in kinds)
        {
            if (kind is not JsonValue v || !v.TryGetValue<string>(out var text) || !Mandates.AcknowledgeKinds.All.Contains(text))
                return "may hold only withdrawal, marker, revocation and mutual-revocation";
            if (!seen.Add(text)) return $"names '{text}' twice";
        }
        return null;
    }
}

/// <summary><c>mandate.revoke</c> (§14), by the granter.</summary>
public sealed record MandateRevokePayload(string MandateId) : IEnvelopePayload<MandateRevokePayload>
{
    public static PayloadShape Shape { get; } = PayloadShape.For(EnvelopeTypes.MandateRevoke)
        .Target("mandateId", PayloadRules.DaemonId(PactIds.Mandate));
}
