using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Events;
using Pact.Core.Negotiation;
using Pact.Core.Time;

namespace Pact.Core.Mandates;

/// <summary>A <c>mandate.grant</c> that passed the envelope checks; <see cref="MandateId"/> is daemon-generated.</summary>
public sealed record GrantMandate(JsonObject Envelope, string MandateId)
{
    public JsonObject Payload => Envelope["payload"]!.AsObject();

    public string Signer => Envelope["signer"]!.GetValue<string>();

    public string MandateHash => MandateCrypto.MandateHash(Payload);
}

/// <summary>A <c>mandate.revoke</c> by the granter.</summary>
public sealed record RevokeMandate(JsonObject Envelope, string MandateId)
{
    public string Signer => Envelope["signer"]!.GetValue<string>();
}

/// <summary>
/// Grant and revocation of mandates (§14) as pure functions of the state, like <see cref="NegotiationMachine"/>: the
/// state checks (a mandateHash granted before, a mandate no longer active: PACT-306) and the events of each stream.
/// What needs the daemon's stores (visibility of scoped sessions, the published policy, the principal's authorization)
/// is the caller's, judged in §11's order around these.
/// </summary>
public static class MandateMachine
{
    /// <summary>The longest a mandate may run (§14: <c>expiresAt</c> at most one year ahead).</summary>
    public static readonly IsoDuration MaxLifetime = IsoDuration.Parse("P1Y");

    public const string InactiveTitle = "Mandate is not active";

    /// <summary>PACT-306 when a mandate with the same hash was granted before (a resend of the identical envelope is §2's replay, answered earlier).</summary>
    public static PactError? CheckGrantState(NegotiationState state, GrantMandate command)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        var hash = command.MandateHash;
        var twin = state.MandatesOf(command.Signer).FirstOrDefault(m => m.MandateHash == hash);
        return twin is null ? null : Inactive($"A mandate with this mandateHash was already granted: {twin.MandateId}.");
    }

    /// <summary><c>expiresAt</c> later than now and at most one year ahead (PACT-101), as field errors.</summary>
    public static IReadOnlyList<FieldError> CheckExpiry(DateTimeOffset expiresAt, DateTimeOffset now)
    {
        if (expiresAt <= now)
            return [new FieldError("/payload/expiresAt", PactCodes.InvalidPayload, "expiresAt must be in the future.")];
        if (expiresAt > MaxLifetime.AddTo(now))
            return [new FieldError("/payload/expiresAt", PactCodes.InvalidPayload, "expiresAt may be at most one year ahead.")];
        return [];
    }

    /// <summary><c>mandate.granted</c> (signer) in the new mandate's own stream.</summary>
    public static Decision Granted(GrantMandate command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var payload = command.Payload;
        return Decision.Of(new StreamEvent(command.MandateId, EventDraft.Signed(EventTypes.MandateGranted, command.Envelope, command.Signer, new JsonObject
        {
            ["mandateId"] = command.MandateId,
            ["mandateHash"] = command.MandateHash,
            ["policyHash"] = payload["policyHash"]!.DeepClone(),
            ["scope"] = payload["scope"]!.DeepClone(),
            ["acknowledge"] = payload["acknowledge"]!.DeepClone(),
            ["expiresAt"] = payload["expiresAt"]!.DeepClone(),
        })));
    }

    /// <summary>
    /// Revocation by the granter: 404 for anyone else (a mandate is visible to its granter only), PACT-306 once it is no
    /// longer active at <paramref name="now"/>; else <c>mandate.revoked</c> (signer) in its stream.
    /// </summary>
    public static Verdict Revoke(NegotiationState state, RevokeMandate command, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        if (state.Mandate(command.MandateId) is not { } m || m.Agent != command.Signer) return PactError.NotFound($"Mandate {command.MandateId}");
        var status = m.StatusAt(Timestamp.Truncate(now));
        if (status != MandateStatus.Active) return Inactive($"Mandate {m.MandateId} is {status.ToWire()}.");
        return Decision.Of(new StreamEvent(m.MandateId, EventDraft.Signed(EventTypes.MandateRevoked, command.Envelope, command.Signer, new JsonObject
        {
            ["mandateId"] = m.MandateId,
        })));
    }

    public static PactError Inactive(string detail) => new(PactCodes.MandateInactive, 409, InactiveTitle, detail);
}
