using Pact.Core.Events;
using Pact.Core.Mandates;
using Pact.Core.Negotiation;
using Pact.Core.Time;
using Pact.Daemon.Auth;
using Pact.Daemon.Telemetry;
using Pact.Store;

namespace Pact.Daemon.Application;

/// <summary>What a decision sees: the negotiation state (with every relevant deadline already recorded) and the instant it is judged at.</summary>
public sealed record DecisionInput(NegotiationState State, DateTimeOffset Now);

/// <summary>
/// Runs decisions: lock the command's keys, record the deadlines already reached that concern them (§0),
/// decide with the pure machines of Pact.Core, append the events with their read-model writes, and fold
/// the committed events into the in-memory state with the same Apply that replay uses (ADR 0004).
/// </summary>
public sealed class DecisionEngine(
    IPactStore store, KeyedLock locks, TimeProvider time, TranscriptQuarantine quarantine, BundleCommits bundles, ILogger<DecisionEngine> logger)
{
    private readonly Lock _gate = new();
    private readonly CommitGate _commits = new(locks);
    private NegotiationState _state = NegotiationState.Empty;

    /// <summary>
    /// Raised after new events were folded in that changed the earliest pending deadline (the timer service re-plans), and
    /// after every fold while some sessions are quarantined (the timer then skips held deadlines, so any change may matter).
    /// </summary>
    public event Action? StateChanged;

    public NegotiationState State
    {
        get
        {
            lock (_gate) return _state;
        }
    }

    /// <summary>
    /// Rebuilds the state, as at every start, by folding the transcript after <paramref name="from"/> (a checked state
    /// snapshot, <see cref="StateSnapshots"/>), or the whole transcript when null. A stream whose stored events fail
    /// their checks is left out from its first bad event on and quarantined, instead of stopping the daemon.
    /// </summary>
    public async Task<ReplayResult> LoadAsync(StateSnapshot? from, CancellationToken ct)
    {
        var replay = await TranscriptReplay.RunAsync(store, from, long.MaxValue, ct);
        lock (_gate) _state = replay.State;
        quarantine.Set(replay.Findings);
        logger.LogInformation("Negotiation state rebuilt from {Start} and {Events} events after it: {Proposals} proposals, {Compacts} compact versions",
            from is null ? "the empty state" : $"the state snapshot through seq {from.ThroughSeq}", replay.Events, replay.State.Proposals.Count, replay.State.Compacts.Count);
        return replay;
    }

    /// <summary>A signed command: decide under the keys' locks, commit events, nonce and response together.</summary>
    public async Task<CommandOutcome> ExecuteAsync(
        AuthenticatedEnvelope auth, IEnumerable<string> lockKeys, Func<DecisionInput, Task<Verdict>> decide,
        Func<IStoreTransaction, CommandOutcome> respond, CancellationToken ct)
    {
        var keys = lockKeys.ToList();
        using var held = await locks.AcquireAsync(keys, ct);
        // Nothing is decided from, or appended to, a session whose stored events failed their checks at start.
        if (quarantine.Refuse(keys) is { } quarantined) return quarantined;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Decided again after a stale read: with the log held still, so it cannot be starved.
                return attempt == 1
                    ? await DecideAndCommitAsync(auth, keys, decide, respond, ct)
                    : await _commits.ExclusiveAsync(() => DecideAndCommitAsync(auth, keys, decide, respond, ct), ct);
            }
            catch (StaleDecisionException) when (attempt < DecisionPassports.MaxAttempts)
            {
                // A decision read passports at a head another stream moved past before the commit: decide again.
            }
        }
    }

    private async Task<CommandOutcome> DecideAndCommitAsync(
        AuthenticatedEnvelope auth, List<string> keys, Func<DecisionInput, Task<Verdict>> decide,
        Func<IStoreTransaction, CommandOutcome> respond, CancellationToken ct)
    {
        var now = await RecordDueDeadlinesAsync(keys, ct);
        Verdict verdict;
        using (var span = PactTelemetry.ActivitySource.StartActivity(PactTelemetry.Spans.Decide))
        {
            verdict = await decide(new DecisionInput(State, now));
            if (!verdict.IsAccepted) span.Refused(verdict.Error!.Code);
        }
        PactTelemetry.Commands.Add(1, new KeyValuePair<string, object?>("type", auth.Envelope.Type), new KeyValuePair<string, object?>("outcome", verdict.IsAccepted ? "accepted" : verdict.Error!.Code));
        if (!verdict.IsAccepted) return verdict.Error;
        if (quarantine.IsDegraded && quarantine.Refuse(verdict.Decision.Streams) is { } touches) return touches;
        return await CommitAsync(auth, now, ToAppends(verdict.Decision), respond, ct);
    }

    /// <summary>
    /// Appends a command's events (the store projects them) and computes the response with <paramref name="respond"/>
    /// in the same transaction as the nonce and its response; then folds the events in before the caller releases its locks.
    /// </summary>
    public async Task<CommandOutcome> CommitAsync(
        AuthenticatedEnvelope auth, DateTimeOffset time, IReadOnlyList<StreamAppend> streams,
        Func<IStoreTransaction, CommandOutcome> respond, CancellationToken ct)
    {
        var result = await AppendAsync(time, streams, transaction =>
        {
            DecisionPassports.EnsureCurrent(transaction.Events);
            var outcome = respond(transaction);
            if (outcome.Error is null)
            {
                transaction.RememberNonce(new NonceRecord(auth.Signer, auth.Envelope.Nonce, auth.Envelope.IssuedAt, auth.PayloadHash,
                    outcome.Status, outcome.Body!));
            }
            return outcome;
        }, ct);
        Observe(result.Events);
        return result.Value;
    }

    /// <summary>A command with no transcript events (registration, tokens): same transaction discipline.</summary>
    public Task<CommandOutcome> CommitWithoutEventsAsync(AuthenticatedEnvelope auth, Func<IStoreTransaction, CommandOutcome> respond, CancellationToken ct) =>
        CommitAsync(auth, auth.Now, [], respond, ct);

    /// <summary>
    /// Appends through the store's writer under an append span, which the writer's fan-out of these events
    /// continues (<see cref="CommitTraces"/>).
    /// </summary>
    private async Task<AppendResult<T>> AppendAsync<T>(DateTimeOffset time, IReadOnlyList<StreamAppend> streams, Func<IStoreTransaction, T> respond, CancellationToken ct)
    {
        using var span = PactTelemetry.ActivitySource.StartActivity(PactTelemetry.Spans.Append);
        var result = await _commits.SharedAsync(() => store.AppendAsync(new AppendRequest(time, streams) { PrepareDraft = SealDraft }, transaction =>
        {
            CommitTraces.Remember(transaction.Events, span);
            return respond(transaction);
        }, ct), ct);
        span?.SetTag("pact.events", result.Events.Count);
        if (result.Events.Count > 0) span?.SetTag("pact.seq", result.Events[^1].Seq);
        return result;
    }

    /// <summary>
    /// Fills in what a draft can only know at append time, its stream's prevHash: a failure's transcriptHash (§8.2), and
    /// the initiation hash an acknowledgment under a mandate names (the initiation is the event just before it, §14).
    /// </summary>
    private static EventDraft SealDraft(EventDraft draft, string prevHash) => MandateAcknowledgments.Seal(FailureEvents.Seal(draft, prevHash), prevHash);

    /// <summary>Folds committed events into the state (this instance's own, and on a standby the writer's).</summary>
    public void Observe(IReadOnlyList<TranscriptEvent> events)
    {
        if (events.Count == 0) return;
        Deadline? before, after;
        lock (_gate)
        {
            before = NegotiationMachine.NextDeadline(_state);
            _state = _state.ApplyAll(events);
            after = NegotiationMachine.NextDeadline(_state);
        }
        PactTelemetry.EventsAppended.Add(events.Count);
        // Most commands (a suspension, a signature) leave the plan as it was: the timer is not woken for them.
        if (before != after || quarantine.IsDegraded) StateChanged?.Invoke();
    }

    /// <summary>
    /// The lock every command that a compact's lifecycle can affect takes, besides its own keys: revocations,
    /// markers, lifecycle deadlines (whose cascades reach other sessions), and proposals for version n+1 or
    /// with upstream compacts. Version-1 negotiations without upstream never wait on it.
    /// </summary>
    public const string LifecycleKey = "~lifecycle";

    /// <summary>
    /// Records every reached deadline the held keys cover, so the request is judged as if the timer had fired
    /// on time (§0): proposal deadlines of the held sessions and compact ids, and — when the lifecycle lock is
    /// held — every lifecycle deadline; in one commit or, when a ranking must follow other deadlines' events, in
    /// several. Returns the instant the command is judged at.
    /// </summary>
    public async Task<DateTimeOffset> RecordDueDeadlinesAsync(IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var now = Timestamp.Truncate(time.GetUtcNow());
            var state = State;
            var lifecycle = keys.Contains(LifecycleKey);
            var services = await bundles.ForDueClosesAsync(state, now, ct);
            var decision = NegotiationMachine.FireDue(state, now, d => Covers(state, d, keys, lifecycle) && !Held(state, d, now), services);
            if (decision.IsEmpty) return now;
            if (quarantine.IsDegraded && quarantine.Refuse(decision.Streams) is { } touches) throw new TranscriptIntegrityException(touches.Detail ?? touches.Title);
            try
            {
                var result = await AppendAsync<object?>(now, ToAppends(decision), transaction =>
                {
                    DecisionPassports.EnsureCurrent(transaction.Events);
                    return null;
                }, ct);
                Observe(result.Events);
                logger.LogInformation("Recorded {Count} deadline events", result.Events.Count);
                // FireDue leaves a best bundle's close that follows passport-changing events for a commit of its own.
                attempt = 0;
            }
            catch (StaleDecisionException) when (attempt < DecisionPassports.MaxAttempts)
            {
                // Decide the deadlines again on the moved head.
            }
        }
    }

    /// <summary>
    /// Fires every reached deadline under the locks it needs (the timer service's tick), in rounds: a round lists the
    /// deadlines FireDue reaches, which stops before a ranking that must follow other deadlines' events; the next
    /// round fires it. Rounds end when one records nothing.
    /// </summary>
    public async Task FireDueAsync(CancellationToken ct)
    {
        for (var progressed = true; progressed;)
        {
            var now = Timestamp.Truncate(time.GetUtcNow());
            var state = State;
            var services = await bundles.ForDueClosesAsync(state, now, ct);
            var lockSets = NegotiationMachine.DueDeadlines(state, now, services)
                .Where(d => !Held(state, d, now))
                .Select(d => LockKeysOf(state, d))
                .OfType<string[]>()
                .ToList();
            foreach (var keys in lockSets)
            {
                using var held = await locks.AcquireAsync(keys, ct);
                await RecordDueDeadlinesAsync(keys, ct);
            }
            progressed = lockSets.Count > 0 && !ReferenceEquals(State, state);
        }
    }

    /// <summary>The earliest pending deadline the timer may fire: those of quarantined sessions and compacts wait for a repair.</summary>
    public Deadline? NextDeadline()
    {
        var state = State;
        if (!quarantine.IsDegraded) return NegotiationMachine.NextDeadline(state);
        var later = Timestamp.Truncate(time.GetUtcNow());
        return state.PendingDeadlines().FirstOrDefault(d => !Held(state, d, d.DueAt > later ? d.DueAt : later));
    }

    /// <summary>
    /// Whether a deadline waits for a repair: its subject is quarantined, or firing it would append to a
    /// quarantined stream (a lifecycle cascade reaching a dependent compact in a quarantined session). Held
    /// deadlines are left out one by one, so they never block the deadlines of healthy sessions.
    /// </summary>
    private bool Held(NegotiationState state, Deadline d, DateTimeOffset now) =>
        quarantine.IsDegraded &&
        (quarantine.Holds(state.SubjectOf(d)) || quarantine.Refuse(d.Kind == DeadlineKind.BundleClose
            ? [state.Bundle(d.Id)!.SessionId] // a bundle's close records in its own session only
            : NegotiationMachine.Fire(state, d, now).Streams) is not null);

    private static bool IsProposalDeadline(Deadline d) => d.Kind is DeadlineKind.ProposalExpiry or DeadlineKind.WithdrawalEscalation;

    /// <summary>
    /// The lock every command that depends on an agent's mandates takes (§14): granting and revoking them, the expiry of
    /// one (deadline kind 7), and every proposal that one of them may answer — so which mandate is active at a proposal's
    /// commit is decided by commit order, never both ways.
    /// </summary>
    public static string MandateKey(string agent) => "~mandates:" + agent;

    /// <summary>The locks the timer takes to fire a deadline; null for one whose subject is unknown.</summary>
    private static string[]? LockKeysOf(NegotiationState state, Deadline d)
    {
        if (d.Kind == DeadlineKind.MandateExpiry) return state.Mandate(d.Id) is { } m ? [MandateKey(m.Agent)] : null;
        if (d.Kind == DeadlineKind.BundleClose) return state.Bundle(d.Id) is { } b ? BundleLockKeys(b) : null;
        if (state.SubjectOf(d) is not { } subject) return null;
        return IsProposalDeadline(d) ? [subject.SessionId, subject.CompactId] : [LifecycleKey, subject.SessionId, subject.CompactId];
    }

    /// <summary>
    /// The locks a bundle's commands and its close take: its session, the bundle and every member's compact id, and the
    /// lifecycle lock when a member succeeds a version or names upstream compacts (its commit depends on their state).
    /// </summary>
    public static string[] BundleLockKeys(Pact.Core.Bundles.BundleRecord bundle)
    {
        var keys = new List<string> { bundle.SessionId, bundle.BundleId };
        keys.AddRange(bundle.Members.Select(m => m.CompactId));
        if (bundle.Members.Any(NeedsLifecycle)) keys.Add(LifecycleKey);
        keys.AddRange(bundle.Members.SelectMany(m => m.Terms["upstream"]?.AsArray() ?? []).Select(u => u!["compactId"]!.GetValue<string>()));
        return [.. keys.Distinct()];
    }

    private static bool NeedsLifecycle(Pact.Core.Bundles.BundleMember m) => m.Version > 1 || m.Terms["upstream"] is System.Text.Json.Nodes.JsonArray { Count: > 0 };

    private static bool Covers(NegotiationState state, Deadline d, IReadOnlyCollection<string> keys, bool lifecycle)
    {
        if (d.Kind == DeadlineKind.MandateExpiry) return state.Mandate(d.Id) is { } m && keys.Contains(MandateKey(m.Agent));
        if (d.Kind == DeadlineKind.BundleClose)
            return state.Bundle(d.Id) is { } b && keys.Contains(b.BundleId) && (lifecycle || !b.Members.Any(NeedsLifecycle));
        if (!IsProposalDeadline(d)) return lifecycle;
        return state.SubjectOf(d) is { } s && (keys.Contains(s.SessionId) || keys.Contains(s.CompactId));
    }

    /// <summary>Runs of consecutive events of one stream, in decision order (so global seq follows §8.2's order).</summary>
    public static IReadOnlyList<StreamAppend> ToAppends(Decision decision)
    {
        var appends = new List<StreamAppend>();
        string? current = null;
        var run = new List<EventDraft>();
        foreach (var e in decision.Events)
        {
            if (current is not null && e.Stream != current)
            {
                appends.Add(new StreamAppend(current, run));
                run = [];
            }
            current = e.Stream;
            run.Add(e.Draft);
        }
        if (current is not null) appends.Add(new StreamAppend(current, run));
        return appends;
    }
}
