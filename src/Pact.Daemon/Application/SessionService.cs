using System.Text.Json.Nodes;
using Pact.Core.Bundles;
using Pact.Core.Contracts;
using Pact.Core.Contracts.Responses;
using Pact.Core.Errors;
using Pact.Core.Ids;
using Pact.Core.Negotiation;
using Pact.Core.Passport;
using Pact.Core.Sessions;
using Pact.Daemon.Auth;
using Pact.Store;

namespace Pact.Daemon.Application;

/// <summary>Sessions (§7): create, suspend, resume, terminate, checkpoint; each an event in the session's stream.</summary>
public sealed class SessionService(
    DecisionEngine engine, IAgentDirectory agents, ISessionReadModel sessions, ISessionCheckpointReadModel checkpoints, IPactStore store, PassportService passports)
{
    public static PayloadShape CreateSpec => SessionCreatePayload.Shape;

    public static PayloadShape SuspendSpec => SessionSuspendPayload.Shape;
    public static PayloadShape ResumeSpec => SessionResumePayload.Shape;
    public static PayloadShape TerminateSpec => SessionTerminatePayload.Shape;
    public static PayloadShape CheckpointSpec => SessionCheckpointPayload.Shape;

    public Task<CommandOutcome> CreateAsync(AuthenticatedEnvelope auth, CancellationToken ct)
    {
        var sessionId = PactIds.New(PactIds.Session, auth.Now);
        var participants = auth.Payload["participants"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();
        // The payload's shape was checked with the envelope: an admission present is well formed.
        var admission = auth.Payload["admission"] is JsonObject given ? PassportRequirement.Read(given, "/payload/admission", new List<FieldError>()) : null;
        var command = new CreateSession(auth.ToEventJson(), sessionId, participants,
            auth.Payload["topic"]?.GetValue<string>(), auth.Payload["metadata"]?.DeepClone(), admission);
        return engine.ExecuteAsync(auth, [sessionId], async input =>
        {
            var verdict = SessionMachine.Decide(null, command, input.Now);
            if (!verdict.IsAccepted) return verdict;
            var unknown = new List<FieldError>();
            for (var i = 0; i < participants.Count; i++)
            {
                if (!await agents.IsRegisteredAsync(participants[i], ct))
                    unknown.Add(new FieldError($"/payload/participants/{i}", PactCodes.InvalidPayload, $"{participants[i]} is not a registered agent."));
            }
            if (unknown.Count > 0) return PactError.FromFieldErrors("Invalid payload", unknown);
            return await AdmitAsync(command, ct) ?? verdict;
        }, _ => CommandOutcome.Ok(201, new SessionCreated(sessionId)), ct);
    }

    /// <summary>
    /// Admission (§16), judged after every other check: each participant but the signer, in the given order, must
    /// pass the passport check as of the last committed event; the first that does not is the refusal.
    /// </summary>
    private async Task<PactError?> AdmitAsync(CreateSession command, CancellationToken ct)
    {
        if (command.Admission is not { } requirement) return null;
        foreach (var participant in command.Participants.Where(p => p != command.Signer))
        {
            var verdict = await passports.CheckAtHeadAsync(participant, requirement, ct);
            if (!verdict.Pass) return PassportCheck.AdmissionRefusal(verdict);
        }
        return null;
    }

    public Task<CommandOutcome> SuspendAsync(AuthenticatedEnvelope auth, CancellationToken ct) => Change(auth, new SuspendSession(auth.ToEventJson()), ct);

    public Task<CommandOutcome> ResumeAsync(AuthenticatedEnvelope auth, CancellationToken ct) => Change(auth, new ResumeSession(auth.ToEventJson()), ct);

    /// <summary>Terminates: session.terminated, the aborts of its open bundles (§15), then the retirement of its other live proposals.</summary>
    public Task<CommandOutcome> TerminateAsync(AuthenticatedEnvelope auth, CancellationToken ct)
    {
        var sessionId = auth.Payload["sessionId"]!.GetValue<string>();
        var keys = new List<string> { sessionId };
        foreach (var bundle in engine.State.OpenBundles(sessionId)) keys.AddRange(DecisionEngine.BundleLockKeys(bundle));
        return Change(auth, keys.Distinct(), input => new TerminateSession(auth.ToEventJson())
        {
            BundleAborts = BundleMachine.AbortOnTerminate(input.State, sessionId, input.Now).Decision,
        }, ct);
    }

    public Task<CommandOutcome> CheckpointAsync(AuthenticatedEnvelope auth, CancellationToken ct)
    {
        var checkpointId = PactIds.New(PactIds.Checkpoint, auth.Now);
        var command = new CheckpointSession(auth.ToEventJson(), checkpointId, auth.Payload["label"]?.GetValue<string>());
        var sessionId = auth.Payload["sessionId"]!.GetValue<string>();
        // The recorded stateHash must be the state at the event: besides the session's own commands, only those
        // holding the lifecycle lock (revocations, supersession by a version negotiated elsewhere, cascades)
        // append to a session's stream, so holding both keeps the state still between decision and commit.
        return engine.ExecuteAsync(auth, [sessionId, DecisionEngine.LifecycleKey], input => DecideOnSession(sessionId, command, input, ct), context =>
        {
            var e = context.Events[^1];
            return CommandOutcome.Ok(201, new CheckpointCreated(checkpointId, e.StreamSeq, e.Data["stateHash"]!.GetValue<string>(), e.Seq));
        }, ct);
    }

    private Task<CommandOutcome> Change(AuthenticatedEnvelope auth, SessionCommand command, CancellationToken ct) =>
        Change(auth, [auth.Payload["sessionId"]!.GetValue<string>()], _ => command, ct);

    private Task<CommandOutcome> Change(AuthenticatedEnvelope auth, IEnumerable<string> keys, Func<DecisionInput, SessionCommand> command, CancellationToken ct)
    {
        var sessionId = auth.Payload["sessionId"]!.GetValue<string>();
        return engine.ExecuteAsync(auth, keys, input => DecideOnSession(sessionId, command(input), input, ct), context =>
        {
            var row = context.GetSession(sessionId)!;
            var state = context.GetSessionState(row);
            var last = context.Events[^1];
            var list = context.ListSessionCheckpoints(sessionId);
            return CommandOutcome.Ok(200, View(row, state, new StreamHead(last.StreamSeq, last.Hash), list));
        }, ct);
    }

    private async Task<Verdict> DecideOnSession(string sessionId, SessionCommand command, DecisionInput input, CancellationToken ct)
    {
        // Suspend and resume need only what the negotiation state holds: no read of the §7 state on their path.
        if (command is SuspendSession or ResumeSession) return SessionMachine.DecidePause(input.State.Session(sessionId), command);
        var state = await sessions.GetStateAsync(sessionId, ct);
        return SessionMachine.Decide(state, command, input.Now);
    }

    /// <summary>GET /v1/sessions/{id}: the state of §7 plus topic, metadata, head and checkpoints.</summary>
    public async Task<SessionView> GetViewAsync(SessionRow row, CancellationToken ct)
    {
        var state = await sessions.GetStateAsync(row.SessionId, ct) ?? throw new InvalidOperationException($"Session {row.SessionId} has a row but no state.");
        var head = await store.GetStreamHeadAsync(row.SessionId, ct);
        var list = await checkpoints.ListAsync(row.SessionId, ct);
        return View(row, state, head is { } h ? new StreamHead(h.StreamSeq, h.Hash) : null, list);
    }

    /// <summary>The state's members (§7) plus the session's metadata, stream head and checkpoints.</summary>
    public static SessionView View(SessionRow row, SessionState state, StreamHead? head, IReadOnlyList<SessionCheckpointRow> checkpointRows) =>
        SessionView.Of(state.Snapshot(), row.Metadata, head, [.. checkpointRows.Select(c => c.ToResponse())]);

    /// <summary>
    /// The state after event k, rebuilt from the nearest checkpoint at or before k with only the later
    /// events applied — the same fold the live path uses (§7).
    /// </summary>
    public async Task<(SessionStateView? Body, PactError? Error)> StateAtAsync(string sessionId, long? at, CancellationToken ct)
    {
        var head = await store.GetStreamHeadAsync(sessionId, ct);
        if (head is null) return (null, PactError.NotFound($"Session {sessionId}"));
        var k = at ?? head.Value.StreamSeq;
        if (k < 1 || k > head.Value.StreamSeq)
            return (null, PactError.InvalidPayload($"'at' must be between 1 and the stream head {head.Value.StreamSeq}.", "/at"));
        var checkpoint = await checkpoints.NearestAsync(sessionId, k, ct);
        SessionState? state = checkpoint is null ? null : await VerifiedSnapshotAsync(checkpoint, ct);
        var from = checkpoint?.StreamSeq ?? 0;
        var applied = 0L;
        while (from < k)
        {
            var page = await store.ReadStreamAsync(sessionId, from, (int)Math.Min(1000, k - from), ct);
            if (page.Count == 0) break;
            foreach (var e in page)
            {
                // From a checkpoint, bundle members created before it are known from the log's state (§15).
                state = state is null ? SessionState.Created(e) : state.Apply(e, engine.State);
                applied++;
            }
            from = page[^1].StreamSeq;
        }
        return (new SessionStateView(state!.Snapshot(), k, state.StateHash(), new ReplayInfo(checkpoint?.CheckpointId, applied)), null);
    }

    /// <summary>
    /// The state a stored session checkpoint holds, once it is shown to be the one its event recorded: the snapshot
    /// must hash to the row's stateHash, and the session.checkpointed event at the row's streamSeq (read checked
    /// against its hash) must name this checkpoint and this stateHash. Anything else is 500 PACT-401 for the session.
    /// </summary>
    private async Task<SessionState> VerifiedSnapshotAsync(SessionCheckpointRow checkpoint, CancellationToken ct)
    {
        var sessionId = checkpoint.SessionId;
        TranscriptIntegrityException Altered(string why, Exception? inner = null) =>
            new($"The stored checkpoint {checkpoint.CheckpointId} of session {sessionId} {why}", inner!) { SessionId = sessionId };
        SessionState state;
        try
        {
            state = SessionState.FromJson(checkpoint.State);
        }
        catch (Exception x) when (x is not OperationCanceledException)
        {
            throw Altered("cannot be read.", x);
        }
        if (state.StateHash() != checkpoint.StateHash) throw Altered("does not hash to its stateHash.");
        var recorded = await store.ReadStreamAsync(sessionId, checkpoint.StreamSeq - 1, 1, ct);
        if (recorded is not [{ Type: EventTypes.SessionCheckpointed } e] || e.StreamSeq != checkpoint.StreamSeq
            || e.Data["checkpointId"]?.GetValue<string>() != checkpoint.CheckpointId || e.Data["stateHash"]?.GetValue<string>() != checkpoint.StateHash)
            throw Altered("is not the one its session.checkpointed event recorded.");
        return state;
    }
}
