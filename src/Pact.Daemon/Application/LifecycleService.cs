using System.Text.Json.Nodes;
using Pact.Core.Compliance;
using Pact.Core.Contracts;
using Pact.Core.Contracts.Responses;
using Pact.Core.Errors;
using Pact.Core.Ids;
using Pact.Core.Lifecycle;
using Pact.Core.Mandates;
using Pact.Core.Negotiation;
using Pact.Core.Time;
using Pact.Daemon.Auth;

namespace Pact.Daemon.Application;

/// <summary>
/// Living under a compact (§6): revocations with their acknowledgments, markers, the compliance check and
/// the disposition duties. Every lifecycle command holds <see cref="DecisionEngine.LifecycleKey"/>, because
/// a revocation can cascade into dependent compacts negotiated in other sessions.
/// </summary>
public sealed class LifecycleService(DecisionEngine engine, ResourceVisibility visibility, TimeProvider time)
{
    public static PayloadShape RevokeSpec => CompactRevokePayload.Shape;

    public static PayloadShape RevokeAckSpec => CompactRevokeAckPayload.Shape;

    public static PayloadShape MarkerSpec => CompactMarkerPayload.Shape;

    public static PayloadShape MarkerAckSpec => CompactMarkerAckPayload.Shape;

    public Task<CommandOutcome> RevokeAsync(AuthenticatedEnvelope auth, CancellationToken ct)
    {
        var p = auth.Payload;
        var compactId = p["compactId"]!.GetValue<string>();
        var revocationId = PactIds.New(PactIds.Revocation, auth.Now);
        var command = new RevokeCompact(auth.ToEventJson(), compactId, p["version"]!.GetValue<long>(), revocationId,
            p["reason"]?.GetValue<string>(), p["condition"]?.GetValue<string>(), p["emergency"]?.GetValue<bool>() ?? false);
        return Run(auth, compactId, command, (state, events) =>
        {
            var initiated = events[0];
            // A mandate may have acknowledged it in the same commit (§14): the status is the revocation's after the whole commit.
            var status = state.Revocation(revocationId)?.Status ?? RevocationStatus.Initiated;
            return CommandOutcome.Ok(201, new RevocationInitiated(revocationId, status.ToWire(),
                Instant(initiated.Data["effectiveAt"]), Instant(initiated.Data["ackDeadline"]), initiated.Hash, compactId, command.Version));
        }, ct, (state, now) => MandateAcknowledgments.ForRevocation(state, revocationId, now));
    }

    public Task<CommandOutcome> AcknowledgeRevocationAsync(AuthenticatedEnvelope auth, CancellationToken ct)
    {
        var p = auth.Payload;
        var compactId = p["compactId"]!.GetValue<string>();
        var revocationId = p["revocationId"]!.GetValue<string>();
        var command = new AcknowledgeRevocation(auth.ToEventJson(), compactId, revocationId, p["initiationHash"]!.GetValue<string>());
        return Run(auth, compactId, command,
            (state, _) => CommandOutcome.Ok(200, LifecycleResources.Revocation(state, revocationId, time.GetUtcNow())!), ct);
    }

    public Task<CommandOutcome> RecordMarkerAsync(AuthenticatedEnvelope auth, CancellationToken ct)
    {
        var p = auth.Payload;
        var compactId = p["compactId"]!.GetValue<string>();
        var markerId = PactIds.New(PactIds.Marker, auth.Now);
        var command = new RecordMarker(auth.ToEventJson(), compactId, markerId, p["marker"]!.GetValue<string>());
        return Run(auth, compactId, command, (state, events) =>
            CommandOutcome.Ok(201, new MarkerRecorded(markerId, (state.Marker(markerId)?.Status ?? MarkerStatus.Recorded).ToWire(), events[0].Hash, compactId,
                command.Marker)), ct,
            (state, now) => MandateAcknowledgments.ForMarker(state, markerId, now));
    }

    public Task<CommandOutcome> AcknowledgeMarkerAsync(AuthenticatedEnvelope auth, CancellationToken ct)
    {
        var p = auth.Payload;
        var compactId = p["compactId"]!.GetValue<string>();
        var markerId = p["markerId"]!.GetValue<string>();
        var command = new AcknowledgeMarker(auth.ToEventJson(), compactId, markerId, p["initiationHash"]!.GetValue<string>());
        return Run(auth, compactId, command,
            (state, _) => CommandOutcome.Ok(200, LifecycleResources.Marker(state, markerId, time.GetUtcNow())!), ct);
    }

    /// <summary>The compliance decision of §6.3 for a visible compact; null when the caller may not see it.</summary>
    public (ComplianceDecision? Body, PactError? Error) Check(Caller caller, string compactId, JsonNode? body)
    {
        var state = engine.State;
        if (!visibility.CanSeeCompact(caller, compactId)) return (null, PactError.NotFound($"Compact {compactId}"));
        var (request, invalid) = ComplianceRequest.FromJson(body);
        if (invalid is not null) return (null, invalid);
        var (decision, error) = ComplianceCheck.Evaluate(state, compactId, request!, time.GetUtcNow());
        return error is not null ? (null, error) : (decision, null);
    }

    /// <summary>The duty in force now for each party and category.</summary>
    public (Dispositions? Body, PactError? Error) Dispositions(Caller caller, string compactId, long? version)
    {
        var state = engine.State;
        if (!visibility.CanSeeCompact(caller, compactId)) return (null, PactError.NotFound($"Compact {compactId}"));
        var now = time.GetUtcNow();
        var report = DispositionDuties.Compute(LifecycleMachine.AsOf(state, now), compactId, now, version);
        return report is null ? (null, PactError.NotFound($"Compact {compactId}")) : (Pact.Core.Contracts.Responses.Dispositions.From(report), null);
    }

    public (RevocationInfo? Body, PactError? Error) Revocation(Caller caller, string compactId, string revocationId)
    {
        var state = engine.State;
        var body = visibility.CanSeeCompact(caller, compactId) ? LifecycleResources.Revocation(state, revocationId, time.GetUtcNow()) : null;
        return body is not null && body.CompactId == compactId ? (body, null) : (null, PactError.NotFound($"Revocation {revocationId}"));
    }

    public (MarkerInfo? Body, PactError? Error) Marker(Caller caller, string compactId, string markerId)
    {
        var state = engine.State;
        var body = visibility.CanSeeCompact(caller, compactId) ? LifecycleResources.Marker(state, markerId, time.GetUtcNow()) : null;
        return body is not null && body.CompactId == compactId ? (body, null) : (null, PactError.NotFound($"Marker {markerId}"));
    }

    private static DateTimeOffset? Instant(JsonNode? text) => text is null ? null : Timestamp.Parse(text.GetValue<string>());

    /// <param name="then">
    /// What follows in the same commit, judged on the state after the command's events: the other party's acknowledgment
    /// under its mandate (§14), whose lock is then held too.
    /// </param>
    private Task<CommandOutcome> Run(AuthenticatedEnvelope auth, string compactId, LifecycleCommand command,
        Func<NegotiationState, IReadOnlyList<Pact.Core.Events.TranscriptEvent>, CommandOutcome> respond, CancellationToken ct,
        Func<NegotiationState, DateTimeOffset, Decision>? then = null)
    {
        var keys = new List<string> { DecisionEngine.LifecycleKey, compactId };
        if (then is not null && engine.State.Bindings.TryGetValue(compactId, out var binding))
            keys.Add(DecisionEngine.MandateKey(binding.AgentA == auth.Signer ? binding.AgentB : binding.AgentA));
        NegotiationState? judged = null;
        return engine.ExecuteAsync(auth, keys, input =>
        {
            judged = input.State;
            var verdict = LifecycleMachine.Decide(input.State, command, input.Now);
            if (!verdict.IsAccepted || then is null) return Task.FromResult(verdict);
            return Task.FromResult<Verdict>(verdict.Decision.Then(then(NegotiationMachine.After(input.State, verdict.Decision, input.Now), input.Now)));
        }, context => respond(judged!.ApplyAll(context.Events), context.Events), ct);
    }
}
