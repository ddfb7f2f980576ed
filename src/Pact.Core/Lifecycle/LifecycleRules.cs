using Pact.Core.Errors;
using Pact.Core.Negotiation;
using Pact.Core.Terms;

namespace Pact.Core.Lifecycle;

/// <summary>
/// Whether a lifecycle command may go ahead, judged on the state as of its instant (<see cref="LifecycleMachine.AsOf"/>).
/// Refusal precedence (§11): visibility (404: unknown compact, version, revocation or marker, or one the signer may
/// not see), right to act (205: not a party; acknowledging one's own revocation or marker), compact, revocation and
/// marker state (304), referenced hash (110), terms (111 for revocations; 101 for a marker the terms do not use).
/// Session state (305) does not apply to the lifecycle: a compact outlives the session it was negotiated in.
/// </summary>
internal static class LifecycleRules
{
    /// <summary>The first refusal of the command, or null.</summary>
    public static PactError? Refusal(NegotiationState s, LifecycleCommand command) => command switch
    {
        RevokeCompact c => CheckRevoke(s, c),
        AcknowledgeRevocation c => CheckRevocationAck(s, c),
        RecordMarker c => CheckMarker(s, c),
        AcknowledgeMarker c => CheckMarkerAck(s, c),
        _ => throw new ArgumentException($"Unknown lifecycle command {command.GetType().Name}.", nameof(command)),
    };

    private static PactError? CheckRevoke(NegotiationState s, RevokeCompact c)
    {
        if (Visible(s, c.CompactId, c.Signer) is not { } binding) return Refusals.NotFound($"Compact {c.CompactId}");
        var version = s.Compact(c.CompactId, c.Version);
        if (version is null) return Refusals.NotFound($"Compact {c.CompactId} version {c.Version}");
        if (RoleOf(binding, c.Signer) is null) return Refusals.Forbidden($"Only a party of {c.CompactId} may revoke it.");
        if (version.Status != CompactVersionStatus.InForce)
            return Refusals.CompactState($"{c.CompactId} version {c.Version} is {version.Status.ToWire()}.");
        if (s.OpenRevocation(c.CompactId, c.Version) is { } open)
            return Refusals.CompactState($"Revocation {open.RevocationId} of {c.CompactId} version {c.Version} is {open.Status.ToWire()}; only one may be open per version.");

        var terms = TermsOf(s, version).Revocation;
        if (c.Emergency && !terms.Emergency)
            return NotAllowed("/payload/emergency", $"The terms of {c.CompactId} version {c.Version} do not allow emergency revocation.");
        if (terms.Mode == RevocationMode.Conditional && (c.Condition is null || !terms.Conditions.Contains(c.Condition, StringComparer.Ordinal)))
            return NotAllowed("/payload/condition", $"{c.CompactId} version {c.Version} may only be revoked naming one of its listed conditions.");
        if (c.Condition is not null && !terms.Conditions.Contains(c.Condition, StringComparer.Ordinal))
            return NotAllowed("/payload/condition", $"'{c.Condition}' is not a condition listed in the terms of {c.CompactId} version {c.Version}.");
        return null;
    }

    private static PactError? CheckRevocationAck(NegotiationState s, AcknowledgeRevocation c)
    {
        if (Visible(s, c.CompactId, c.Signer) is not { } binding) return Refusals.NotFound($"Compact {c.CompactId}");
        var r = s.Revocation(c.RevocationId);
        if (r is null || r.CompactId != c.CompactId) return Refusals.NotFound($"Revocation {c.RevocationId}");
        if (RoleOf(binding, c.Signer) is null) return Refusals.Forbidden($"Only a party of {c.CompactId} may acknowledge its revocation.");
        if (r.InitiatedBy == c.Signer) return Refusals.Forbidden("Only the other party may acknowledge a revocation.");
        if (r.Status != RevocationStatus.Initiated)
            return Refusals.CompactState($"Revocation {r.RevocationId} is {r.Status.ToWire()}.");
        if (c.InitiationHash != r.InitiationHash)
            return Refusals.HashMismatch("/payload/initiationHash", "initiationHash is not the hash of the compact.revocation.initiated event.");
        return null;
    }

    private static PactError? CheckMarker(NegotiationState s, RecordMarker c)
    {
        if (Visible(s, c.CompactId, c.Signer) is not { } binding) return Refusals.NotFound($"Compact {c.CompactId}");
        if (RoleOf(binding, c.Signer) is null) return Refusals.Forbidden($"Only a party of {c.CompactId} may record a marker.");
        var current = s.CurrentVersion(c.CompactId)!;
        if (current.Status != CompactVersionStatus.InForce)
            return Refusals.CompactState($"{c.CompactId} is {current.Status.ToWire()}; markers are recorded while it is in force.");
        if (s.MarkersOf(c.CompactId).FirstOrDefault(m => m.Marker == c.Marker) is { } earlier)
            return Refusals.CompactState($"Marker {c.Marker} of {c.CompactId} was already recorded as {earlier.MarkerId}.");
        var terms = TermsOf(s, current);
        if (!UsesMarker(terms, c.Marker))
        {
            return PactError.InvalidPayload(
                $"The terms of {c.CompactId} version {current.Version} name no marker '{c.Marker}' (retain mode until-marker).", "/payload/marker");
        }
        return null;
    }

    private static PactError? CheckMarkerAck(NegotiationState s, AcknowledgeMarker c)
    {
        if (Visible(s, c.CompactId, c.Signer) is not { } binding) return Refusals.NotFound($"Compact {c.CompactId}");
        var m = s.Marker(c.MarkerId);
        if (m is null || m.CompactId != c.CompactId) return Refusals.NotFound($"Marker {c.MarkerId}");
        if (RoleOf(binding, c.Signer) is null) return Refusals.Forbidden($"Only a party of {c.CompactId} may acknowledge its marker.");
        if (m.RecordedBy == c.Signer) return Refusals.Forbidden("Only the other party may acknowledge a marker.");
        if (m.Status != MarkerStatus.Recorded) return Refusals.CompactState($"Marker {m.MarkerId} is {m.Status.ToWire()}.");
        if (c.InitiationHash != m.InitiationHash)
            return Refusals.HashMismatch("/payload/initiationHash", "initiationHash is not the hash of the compact.marker event.");
        return null;
    }

    /// <summary>True when a retention entry of either party keeps a category until this marker.</summary>
    private static bool UsesMarker(CompactTerms terms, string marker) =>
        terms.Retention.A.Concat(terms.Retention.B).Any(e => e.Retain.Mode == RetainMode.UntilMarker && e.Retain.Marker == marker);

    /// <summary>
    /// The compact's binding when the signer may see it: a party, or a participant of the session of one of its
    /// versions (§3). Null for an unknown compact (no signed version) or one the signer may not see.
    /// </summary>
    internal static CompactBinding? Visible(NegotiationState s, string compactId, string signer)
    {
        var binding = s.Bindings.GetValueOrDefault(compactId);
        if (binding is null || s.CurrentVersion(compactId) is null) return null;
        if (RoleOf(binding, signer) is not null) return binding;
        return s.Versions(compactId).Any(v => s.Session(v.SessionId)?.IsParticipant(signer) == true) ? binding : null;
    }

    private static PartyRole? RoleOf(CompactBinding binding, string agent) =>
        binding.AgentA == agent ? PartyRole.A : binding.AgentB == agent ? PartyRole.B : null;

    internal static CompactTerms TermsOf(NegotiationState s, CompactVersionInfo version) =>
        s.Lifecycle(version.CompactId, version.Version)?.Terms
        ?? throw new InvalidOperationException($"{version.CompactId} version {version.Version} has no readable terms in its compact.in-force record.");

    private static PactError NotAllowed(string pointer, string detail) =>
        new(PactCodes.RevocationNotAllowed, 422, "Revocation not allowed by the terms", detail,
            [new FieldError(pointer, PactCodes.RevocationNotAllowed, detail)]);
}
