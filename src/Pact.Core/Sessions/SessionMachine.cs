using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Events;
using Pact.Core.Identity;
using Pact.Core.Negotiation;

namespace Pact.Core.Sessions;

/// <summary>
/// Session commands of §7 as a pure decision over <see cref="SessionState"/>. Deadlines of the session's
/// proposals must have been recorded before (see <see cref="NegotiationMachine.FireDue"/>), so that
/// terminating retires exactly the proposals still open or withdrawal-pending.
/// </summary>
public static class SessionMachine
{
    /// <summary>
    /// Judges a session command. <paramref name="state"/> is null only for <see cref="CreateSession"/>;
    /// any other command on a session that does not exist is PACT-404. No session decision depends on a
    /// deadline; <paramref name="now"/> keeps the shape of every other Decide.
    /// </summary>
    public static Verdict Decide(SessionState? state, SessionCommand command, DateTimeOffset now)
    {
        if (command is CreateSession create)
        {
            if (state is not null) throw new ArgumentException("A session is created only once.", nameof(state));
            return Create(create);
        }
        if (command is SuspendSession or ResumeSession)
            return DecidePause(state is null ? null : new SessionInfo(state.SessionId, state.Status, state.Participants, state.Topic), command);
        if (state is null || !state.IsParticipant(command.Signer)) return Refusals.NotFound("Session");
        return command switch
        {
            TerminateSession c => state.Status != SessionStatus.Terminated
                ? Terminate(state, c)
                : Refusals.SessionState($"Session {state.SessionId} is already terminated."),
            CheckpointSession c => One(state, Signed(EventTypes.SessionCheckpointed, c, new JsonObject
            {
                ["checkpointId"] = c.CheckpointId,
                ["label"] = c.Label,
                // A checkpoint changes no state, so the state after it is the state now.
                ["stateHash"] = state.StateHash(),
            })),
            _ => throw new ArgumentException($"Unknown session command {command.GetType().Name}.", nameof(command)),
        };
    }

    /// <summary>
    /// Judges a suspend or resume, which depend only on the session's status and participants: the daemon decides them
    /// from its negotiation state's <see cref="SessionInfo"/>, without assembling the §7 state.
    /// </summary>
    public static Verdict DecidePause(SessionInfo? session, SessionCommand command)
    {
        if (session is null || !session.IsParticipant(command.Signer)) return Refusals.NotFound("Session");
        return command switch
        {
            SuspendSession c => session.Status == SessionStatus.Active
                ? Decision.Of(new StreamEvent(session.SessionId, Signed(EventTypes.SessionSuspended, c, [])))
                : Refusals.SessionState($"Session {session.SessionId} is {session.Status.ToWire()}; only an active session can be suspended."),
            ResumeSession c => session.Status == SessionStatus.Suspended
                ? Decision.Of(new StreamEvent(session.SessionId, Signed(EventTypes.SessionResumed, c, [])))
                : Refusals.SessionState($"Session {session.SessionId} is {session.Status.ToWire()}; only a suspended session can be resumed."),
            _ => throw new ArgumentException($"{command.GetType().Name} is not a suspend or a resume.", nameof(command)),
        };
    }

    private static Verdict Create(CreateSession c)
    {
        var errors = new List<FieldError>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < c.Participants.Count; i++)
        {
            var did = c.Participants[i];
            var pointer = $"/payload/participants/{i}";
            if (!DidKey.IsValid(did)) errors.Add(new FieldError(pointer, PactCodes.InvalidPayload, "A participant must be an Ed25519 did:key."));
            else if (!seen.Add(did)) errors.Add(new FieldError(pointer, PactCodes.InvalidPayload, "A participant is listed twice."));
        }
        if (c.Participants.Distinct(StringComparer.Ordinal).Count() < 2)
            errors.Add(new FieldError("/payload/participants", PactCodes.InvalidPayload, "A session has at least two distinct participants."));
        if (errors.Count > 0) return PactError.FromFieldErrors("Invalid payload", errors);
        if (!seen.Contains(c.Signer)) return Refusals.Forbidden("The signer must be one of the participants.");

        var data = new JsonObject
        {
            ["participants"] = new JsonArray(c.Participants.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
            ["topic"] = c.Topic,
            ["metadata"] = c.Metadata?.DeepClone(),
        };
        // Only when the request had it (§16): a session without admission keeps §8.2's exact bytes.
        if (c.Admission is { } admission)
            data["admission"] = new JsonObject { ["minScore"] = admission.MinScore, ["minConfidence"] = admission.MinConfidence };
        return Decision.Of(new StreamEvent(c.SessionId, Signed(EventTypes.SessionCreated, c, data)));
    }

    private static Decision Terminate(SessionState state, TerminateSession c)
    {
        var events = ImmutableArray.CreateBuilder<StreamEvent>();
        events.Add(new StreamEvent(state.SessionId, Signed(EventTypes.SessionTerminated, c, [])));
        events.AddRange(c.BundleAborts.Events);
        var retired = c.BundleAborts.Events.Where(e => e.Draft.Type == EventTypes.ProposalRetired)
            .Select(e => e.Draft.Data["proposalId"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        foreach (var p in state.LiveProposals.Where(p => !retired.Contains(p.ProposalId)))
        {
            events.Add(new StreamEvent(state.SessionId,
                new EventDraft(EventTypes.ProposalRetired, TranscriptEvent.DaemonActor, new JsonObject { ["proposalId"] = p.ProposalId })));
        }
        return new Decision(events.ToImmutable());
    }

    private static Decision One(SessionState state, EventDraft draft) => Decision.Of(new StreamEvent(state.SessionId, draft));

    private static EventDraft Signed(string type, SessionCommand c, JsonObject members) => EventDraft.Signed(type, c.Envelope, c.Signer, members);
}
