using Pact.Core.Terms;
using System.Text.Json.Nodes;
using Pact.Core.Bundles;
using Pact.Core.Errors;
using Pact.Core.Events;
using Pact.Core.Lifecycle;
using Pact.Core.Passport;
using Pact.Core.Sessions;
using Pact.Core.Time;

namespace Pact.Core.Negotiation;

/// <summary>
/// The two-phase negotiation of §5 as pure functions: <see cref="Decide"/> judges a command against a
/// <see cref="NegotiationState"/> at <c>now</c> and returns the events of §8.2 or a refusal.
/// <para>
/// Time: <c>now</c> must be the instant the appender will stamp on the events (expiresAt is computed from
/// it). Requests are judged as if every deadline reached by <c>now</c> had fired (§0), but Decide does not
/// record those deadlines: the daemon first appends <see cref="FireDue"/>'s events, then decides.
/// </para>
/// <para>
/// Refusal precedence (§11): visibility (404), right to act (205), session state (305), proposal and
/// compact state (301–304), referenced hashes (110). Checks on terms and signatures (101–109) come after
/// all of these and belong to the caller, which therefore calls <see cref="Check"/> before them.
/// </para>
/// </summary>
public static class NegotiationMachine
{
    /// <summary>Runs every state check of the command and answers the first refusal, or null. Ignores <see cref="SignProposal.Compact"/>.</summary>
    public static PactError? Check(NegotiationState state, NegotiationCommand command, DateTimeOffset now)
    {
        now = Timestamp.Truncate(now);
        return command switch
        {
            CreateProposal c => CheckCreate(state, c, now),
            SignProposal c => CheckSign(state, c, now),
            DeclineProposal c => CheckDecline(state, c, now),
            WithdrawProposal c => CheckWithdraw(state, c, now),
            AcknowledgeWithdrawal c => CheckAck(state, c, now),
            CreateBundle c => BundleMachine.CheckCreate(state, c, now),
            WithdrawBundle c => BundleMachine.CheckWithdraw(state, c, now),
            _ => throw new ArgumentException($"Unknown negotiation command {command.GetType().Name}.", nameof(command)),
        };
    }

    /// <summary>Judges the command and returns its events (§8.2) in append order, or the refusal.</summary>
    /// <exception cref="ArgumentException">A <see cref="SignProposal"/> without its <see cref="SignedCompact"/>.</exception>
    public static Verdict Decide(NegotiationState state, NegotiationCommand command, DateTimeOffset now)
    {
        now = Timestamp.Truncate(now);
        var error = Check(state, command, now);
        if (error is not null) return error;
        var answered = command switch { SignProposal c => c.ProposalId, DeclineProposal c => c.ProposalId, _ => null };
        if (answered is not null && state.Proposal(answered)?.BundleId is not null)
        {
            return command switch
            {
                SignProposal c => BundleMachine.Prepared(state, c, now,
                    c.Bundle ?? throw new ArgumentException("Deciding a bundle member's signature needs BundleServices.", nameof(command))),
                DeclineProposal c => BundleMachine.Declined(state, c, now, c.Bundle),
                _ => throw new InvalidOperationException(),
            };
        }
        if (command is SignProposal { Compact: null })
            throw new ArgumentException("Deciding a signature needs the signed compact record; use Check to judge it before building one.", nameof(command));
        return command switch
        {
            CreateBundle c => BundleMachine.Created(c),
            WithdrawBundle c => BundleMachine.Withdrawn(state, c),
            CreateProposal c => Created(c, now),
            SignProposal c => Signed(state, c),
            DeclineProposal c => Decision.Of(new StreamEvent(SessionOf(state, c.ProposalId), Draft(EventTypes.ProposalDeclined, c, new JsonObject
            {
                ["proposalId"] = c.ProposalId,
            }))),
            WithdrawProposal c => Decision.Of(new StreamEvent(SessionOf(state, c.ProposalId), Draft(EventTypes.WithdrawalInitiated, c, new JsonObject
            {
                ["proposalId"] = c.ProposalId,
            }))),
            AcknowledgeWithdrawal c => Decision.Of(
                new StreamEvent(SessionOf(state, c.ProposalId), Draft(EventTypes.WithdrawalAcknowledged, c, new JsonObject
                {
                    ["proposalId"] = c.ProposalId,
                    ["withdrawalHash"] = c.WithdrawalHash,
                })),
                new StreamEvent(SessionOf(state, c.ProposalId), Daemon(EventTypes.ProposalWithdrawn, new JsonObject
                {
                    ["proposalId"] = c.ProposalId,
                }))),
            _ => throw new ArgumentException($"Unknown negotiation command {command.GetType().Name}.", nameof(command)),
        };
    }

    // ---- deadlines -------------------------------------------------------------------------------

    /// <summary>
    /// Every deadline reached at <paramref name="now"/> (time ≥ D), of all six kinds, in (D, kind, id) order: exactly
    /// the deadlines <see cref="FireDue(NegotiationState, DateTimeOffset)"/> fires, including those that only arise
    /// while earlier ones fire (an escalation before the notice period ends schedules the revocation's activation).
    /// </summary>
    public static IReadOnlyList<Deadline> DueDeadlines(NegotiationState state, DateTimeOffset now, BundleServices? bundles = null) =>
        RunDue(state, now, null, bundles).Fired;

    /// <summary>The earliest pending deadline of any kind, for a timer service to wait on.</summary>
    public static Deadline? NextDeadline(NegotiationState state)
    {
        return state.PendingDeadlines().FirstOrDefault();
    }

    /// <summary>
    /// The events of one deadline, judged against <paramref name="state"/> as it is. Proposal expiry is
    /// proposal.expired then failure (PACT-501); withdrawal escalation is proposal.withdrawal.escalated, failure
    /// (PACT-502), proposal.withdrawn; kinds 3–6 are the compact lifecycle's (§8.2). Empty when the deadline is not
    /// reached or no longer pending. Failure drafts need <see cref="FailureEvents.Seal"/>.
    /// Deadlines that fire together affect each other (an escalation that revokes a compact cancels its expiry at
    /// the same instant); use <see cref="FireDue(NegotiationState, DateTimeOffset)"/>, which folds each deadline's
    /// events before firing the next.
    /// </summary>
    public static Decision Fire(NegotiationState state, Deadline deadline, DateTimeOffset now, BundleServices? bundles = null, Decision? preceding = null)
    {
        if (!deadline.IsReached(Timestamp.Truncate(now))) return Decision.Empty;
        if (deadline.Kind == DeadlineKind.MandateExpiry) return FireMandateExpiry(state, deadline);
        if (deadline.Kind == DeadlineKind.BundleClose) return BundleMachine.Close(state, deadline, now, preceding ?? Decision.Empty, bundles);
        if (deadline.Kind is not (DeadlineKind.ProposalExpiry or DeadlineKind.WithdrawalEscalation))
            return LifecycleDeadlines.Fire(state, deadline, now);
        var p = state.Proposal(deadline.Id);
        if (p is null || p.PendingDeadline != deadline) return Decision.Empty;
        var dueAt = Timestamp.ToText(deadline.DueAt);
        var evidence = "proposal:" + p.ProposalId;
        return deadline.Kind switch
        {
            DeadlineKind.ProposalExpiry => Decision.Of(
                new StreamEvent(p.SessionId, Daemon(EventTypes.ProposalExpired, new JsonObject { ["proposalId"] = p.ProposalId, ["dueAt"] = dueAt })),
                new StreamEvent(p.SessionId, FailureEvents.Draft(PactCodes.NegotiationTimeout, FailureEvents.NegotiationStage,
                    FailureEvents.Terminal, "event:" + p.CreatedEventHash, evidence, p.CounterpartyAgent))),
            _ => Decision.Of(
                new StreamEvent(p.SessionId, Daemon(EventTypes.WithdrawalEscalated, new JsonObject { ["proposalId"] = p.ProposalId, ["dueAt"] = dueAt })),
                new StreamEvent(p.SessionId, FailureEvents.Draft(PactCodes.AcknowledgmentTimeout, FailureEvents.NegotiationStage,
                    FailureEvents.NonTerminal, "event:" + p.Withdrawal!.InitiationHash, evidence, p.CounterpartyAgent)),
                new StreamEvent(p.SessionId, Daemon(EventTypes.ProposalWithdrawn, new JsonObject { ["proposalId"] = p.ProposalId }))),
        };
    }

    /// <summary>Kind 7 (§14): <c>mandate.expired</c> in the mandate's own stream, while it is still active.</summary>
    private static Decision FireMandateExpiry(NegotiationState state, Deadline deadline)
    {
        var m = state.Mandate(deadline.Id);
        if (m is null || m.PendingDeadline != deadline) return Decision.Empty;
        return Decision.Of(new StreamEvent(m.MandateId, Daemon(EventTypes.MandateExpired, new JsonObject
        {
            ["mandateId"] = m.MandateId,
            ["dueAt"] = Timestamp.ToText(deadline.DueAt),
        })));
    }

    /// <summary>
    /// The events of every deadline reached at <paramref name="now"/>, all six kinds, in firing order. This is the
    /// one call for the timer and for "record reached deadlines before judging" (§0): each deadline is fired
    /// against the state with the previous ones' events folded in, and deadlines that arise meanwhile fire too.
    /// It stops before a best bundle's close that would follow events that may change a passport (its ranking needs
    /// them committed): append what it decided and fire again, until it decides nothing.
    /// </summary>
    public static Decision FireDue(NegotiationState state, DateTimeOffset now, BundleServices? bundles = null) => RunDue(state, now, null, bundles).Decision;

    /// <summary>
    /// Like <see cref="FireDue(NegotiationState, DateTimeOffset)"/> but only for the deadlines
    /// <paramref name="include"/> accepts (e.g. those whose <see cref="NegotiationState.SubjectOf"/> is locked).
    /// A revocation or expiry still cascades into every dependent compact.
    /// </summary>
    public static Decision FireDue(NegotiationState state, DateTimeOffset now, Func<Deadline, bool> include, BundleServices? bundles = null) =>
        RunDue(state, now, include, bundles).Decision;

    /// <summary>Fires reached deadlines one at a time, earliest first, folding each one's events before the next.</summary>
    internal static (Decision Decision, NegotiationState State, IReadOnlyList<Deadline> Fired) RunDue(
        NegotiationState state, DateTimeOffset now, Func<Deadline, bool>? include, BundleServices? bundles = null)
    {
        now = Timestamp.Truncate(now);
        var decision = Decision.Empty;
        var fired = new List<Deadline>();
        var tried = new HashSet<Deadline>();
        while (true)
        {
            // Earliest first: past the first deadline not yet reached, none is.
            var next = state.PendingDeadlines().TakeWhile(d => d.IsReached(now)).FirstOrDefault(d => !tried.Contains(d) && (include is null || include(d)));
            if (next is null) break;
            tried.Add(next);
            if (IsRanking(state, next))
            {
                // Without passports (a projection such as LifecycleMachine.AsOf) a best bundle's ranking is not decided: it stays open.
                if (bundles is null) continue;
                // The ranking reads passports as of the event before its commit; after deadline events that may change
                // one, it is decided in the next commit, on a log that holds them.
                if (decision.Events.Any(e => PassportEvents.MayCount(e.Draft.Type))) break;
            }
            var events = Fire(state, next, now, bundles, decision);
            if (events.IsEmpty) continue;
            fired.Add(next);
            state = Fold(state, events, now);
            decision = decision.Then(events);
        }
        return (decision, state, fired);
    }

    /// <summary>Whether <paramref name="d"/> is the close of an open best bundle, which ranks its members.</summary>
    private static bool IsRanking(NegotiationState state, Deadline d) =>
        d.Kind == DeadlineKind.BundleClose && state.Bundle(d.Id) is { Status: BundleStatus.Open, Select.Mode: BundleMode.Best };

    /// <summary>Folds decided events as if appended at <paramref name="time"/> (their hashes are not needed by the fold).</summary>
    public static NegotiationState Fold(NegotiationState state, Decision decision, DateTimeOffset time)
    {
        var text = Timestamp.ToText(time);
        foreach (var (stream, draft) in decision.Events)
            state = state.Apply(new TranscriptEvent(0, stream, 0, draft.Type, text, draft.Actor, draft.Data, "", ""));
        return state;
    }

    // ---- checks ----------------------------------------------------------------------------------

    private static PactError? CheckCreate(NegotiationState state, CreateProposal c, DateTimeOffset now)
    {
        var signer = c.Signer;
        var f = c.Facts;
        var session = state.Session(c.SessionId);
        if (session is null || !session.IsParticipant(signer)) return Refusals.NotFound($"Session {c.SessionId}");

        if (signer != f.ProposerAgent)
            return Refusals.Forbidden($"The signer is not the agent of party {f.Proposer.ToWire()} in the terms.");
        if (!session.IsParticipant(f.AgentA) || !session.IsParticipant(f.AgentB))
            return Refusals.Forbidden("Both parties of the terms must be participants of the session.");
        var replaced = c.Replaces is null ? null : state.Proposal(c.Replaces);
        if (replaced is not null && replaced.SessionId == c.SessionId && replaced.CompactId == f.CompactId
            && replaced.Version == f.Version && replaced.ProposerAgent == signer)
            return Refusals.Forbidden($"Only the other party may counter proposal {replaced.ProposalId}.");

        if (session.Status != SessionStatus.Active) return SessionRefusal(session);

        if (state.Bindings.TryGetValue(f.CompactId, out var binding) && (binding.AgentA != f.AgentA || binding.AgentB != f.AgentB))
            return Refusals.CompactState($"{f.CompactId} is bound to other agents in roles a and b.");
        if (f.Version > 1 && CheckSuccession(state, f.CompactId, f.Version, f.Predecessor) is { } succession) return succession;

        ProposalRecord? occupant = null;
        foreach (var p in state.SlotProposals(f.CompactId, f.Version))
        {
            var status = p.StatusAt(now);
            if (status == ProposalStatus.Signed)
                return Refusals.CompactState($"{f.CompactId} version {f.Version} was signed by proposal {p.ProposalId}.");
            if (status.BurnsSlot()) return Refusals.SlotBurned(f.CompactId, f.Version, p.ProposalId, status);
            if (status.HoldsSlot()) occupant = p;
        }

        if (c.Replaces is null)
            return occupant is null ? null : Refusals.SlotOccupied(f.CompactId, f.Version, occupant.ProposalId);
        if (occupant?.BundleId is not null && occupant.ProposalId == c.Replaces)
            return Refusals.ProposalStatus($"Proposal {occupant.ProposalId} is a member of bundle {occupant.BundleId} and cannot be countered on its own.");
        if (occupant is null || occupant.ProposalId != c.Replaces || occupant.SessionId != c.SessionId)
            return Refusals.ProposalStatus($"'replaces' must name the open proposal of {f.CompactId} version {f.Version} in session {c.SessionId}.");
        if (occupant.StatusAt(now) != ProposalStatus.Open)
            return Refusals.ProposalStatus($"Proposal {occupant.ProposalId} is {occupant.StatusAt(now).ToWire()} and cannot be countered.");
        return null;
    }

    private static PactError? CheckSign(NegotiationState state, SignProposal c, DateTimeOffset now)
    {
        if (Visible(state, c.ProposalId, c.Signer) is not (var p, var session)) return Refusals.NotFound($"Proposal {c.ProposalId}");
        if (c.Signer != p.CounterpartyAgent) return Refusals.Forbidden("Only the other party may sign a proposal.");
        // A countersignature in the proposer's role is a matter of who may act, not of the signature (§11).
        if (ClaimedParty(c) is { } claimed && claimed != p.Proposer.Other())
            return Refusals.Forbidden($"The countersignature is party {p.Proposer.Other().ToWire()}'s; the signer is not party {claimed.ToWire()}.");
        if (session.Status != SessionStatus.Active) return SessionRefusal(session);
        if (p.BundleId is not null && BundleMachine.CheckMember(state, p, now) is { } member) return member;
        var status = p.StatusAt(now);
        if (!status.IsLive()) return Refusals.ProposalStatus($"Proposal {p.ProposalId} is {status.ToWire()}.");
        // A bundle member's predecessor or upstream that left force is judged by its bundle's commit, not here (§15: insufficient, or excluded).
        if (p.BundleId is null && p.Version > 1 && CheckSuccession(state, p.CompactId, p.Version, p.Predecessor) is { } succession) return succession;
        return TermsHashCheck(p, c.TermsHash);
    }

    private static PactError? CheckDecline(NegotiationState state, DeclineProposal c, DateTimeOffset now)
    {
        if (Visible(state, c.ProposalId, c.Signer) is not (var p, var session)) return Refusals.NotFound($"Proposal {c.ProposalId}");
        if (c.Signer != p.CounterpartyAgent) return Refusals.Forbidden("Only the other party may decline a proposal.");
        if (session.Status != SessionStatus.Active) return SessionRefusal(session);
        if (p.BundleId is not null && BundleMachine.CheckMember(state, p, now) is { } member) return member;
        var status = p.StatusAt(now);
        if (status != ProposalStatus.Open) return Refusals.ProposalStatus($"Proposal {p.ProposalId} is {status.ToWire()}.");
        return TermsHashCheck(p, c.TermsHash);
    }

    private static PactError? CheckWithdraw(NegotiationState state, WithdrawProposal c, DateTimeOffset now)
    {
        if (Visible(state, c.ProposalId, c.Signer) is not (var p, var session)) return Refusals.NotFound($"Proposal {c.ProposalId}");
        if (c.Signer != p.ProposerAgent) return Refusals.Forbidden("Only the proposer may withdraw a proposal.");
        // Withdrawals stay possible while the session is suspended.
        if (session.Status == SessionStatus.Terminated) return SessionRefusal(session);
        if (p.BundleId is not null)
            return Refusals.ProposalStatus($"Proposal {p.ProposalId} is a member of bundle {p.BundleId}; withdraw the bundle instead.");
        var status = p.StatusAt(now);
        if (status != ProposalStatus.Open) return Refusals.ProposalStatus($"Proposal {p.ProposalId} is {status.ToWire()}.");
        return TermsHashCheck(p, c.TermsHash);
    }

    private static PactError? CheckAck(NegotiationState state, AcknowledgeWithdrawal c, DateTimeOffset now)
    {
        if (Visible(state, c.ProposalId, c.Signer) is not (var p, var session)) return Refusals.NotFound($"Proposal {c.ProposalId}");
        if (c.Signer != p.CounterpartyAgent) return Refusals.Forbidden("Only the other party may acknowledge a withdrawal.");
        if (session.Status == SessionStatus.Terminated) return SessionRefusal(session);
        var status = p.StatusAt(now);
        if (status != ProposalStatus.WithdrawalPending) return Refusals.ProposalStatus($"Proposal {p.ProposalId} is {status.ToWire()}.");
        if (p.Withdrawal is null || p.Withdrawal.InitiationHash != c.WithdrawalHash)
            return Refusals.HashMismatch("/payload/withdrawalHash", "withdrawalHash is not the hash of the proposal.withdrawal.initiated event.");
        return null;
    }

    /// <summary>The role payload.signature.party claims, when it names one; a malformed signature is judged with the terms and signatures.</summary>
    private static PartyRole? ClaimedParty(SignProposal c) =>
        c.Envelope["payload"]?["signature"]?["party"] is JsonValue v && v.TryGetValue<string>(out var text) && Wire.TryParse<PartyRole>(text, out var role)
            ? role
            : null;

    /// <summary>Version n+1 only succeeds the in-force version n, named with its compactHash (PACT-304).</summary>
    private static PactError? CheckSuccession(NegotiationState state, string compactId, long version, PredecessorRef? predecessor)
    {
        var current = state.InForce(compactId);
        if (current is null || current.Version != version - 1)
            return Refusals.CompactState($"{compactId} version {version} must succeed version {version - 1} while it is in force.");
        if (predecessor is null || predecessor.Version != current.Version || predecessor.CompactHash != current.CompactHash)
            return Refusals.CompactState($"predecessor must be {{ version: {current.Version}, compactHash: {current.CompactHash} }}.");
        return null;
    }

    private static PactError? TermsHashCheck(ProposalRecord p, string termsHash) =>
        termsHash == p.TermsHash ? null : Refusals.HashMismatch("/payload/termsHash", $"termsHash does not match proposal {p.ProposalId}.");

    /// <summary>The proposal and its session when the signer may see it (a participant of that session), else null.</summary>
    private static (ProposalRecord Proposal, SessionInfo Session)? Visible(NegotiationState state, string proposalId, string signer)
    {
        var p = state.Proposal(proposalId);
        if (p is null) return null;
        var session = state.Session(p.SessionId)
            ?? throw new InvalidOperationException($"The state holds proposal {proposalId} but not its session {p.SessionId}.");
        return session.IsParticipant(signer) ? (p, session) : null;
    }

    private static PactError SessionRefusal(SessionInfo session) => Refusals.SessionNotActive(session.SessionId, session.Status.ToWire());

    // ---- events ----------------------------------------------------------------------------------

    private static Decision Created(CreateProposal c, DateTimeOffset now)
    {
        var f = c.Facts;
        var expiresAt = ProposalExpiry.Of(f.NegotiationTimeout, now) is { } at ? Timestamp.ToText(at) : null;
        var created = new StreamEvent(c.SessionId, Draft(EventTypes.ProposalCreated, c, new JsonObject
        {
            ["proposalId"] = c.ProposalId,
            ["compactId"] = f.CompactId,
            ["version"] = f.Version,
            ["termsHash"] = f.TermsHash,
            ["expiresAt"] = expiresAt,
        }));
        if (c.Replaces is null) return Decision.Of(created);
        return Decision.Of(created, new StreamEvent(c.SessionId, Daemon(EventTypes.ProposalCountered, new JsonObject
        {
            ["proposalId"] = c.Replaces,
            ["by"] = c.ProposalId,
        })));
    }

    private static Decision Signed(NegotiationState state, SignProposal c)
    {
        var p = state.Proposal(c.ProposalId)!;
        var signed = new StreamEvent(p.SessionId, Draft(EventTypes.ProposalSigned, c, new JsonObject
        {
            ["proposalId"] = p.ProposalId,
            ["termsHash"] = p.TermsHash,
        }));
        return new Decision([signed, .. InForceEvents(state, p, c.Compact!)]);
    }

    /// <summary>
    /// A countersignature the daemon made under a mandate (§14): <c>proposal.signed</c> (daemon) { proposalId, termsHash,
    /// signature, mandate }, then what any signature causes. The caller judged the proposal live and built the record.
    /// </summary>
    public static Decision SignedUnderMandate(NegotiationState state, string proposalId, JsonObject signature, JsonObject mandate, SignedCompact compact)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(compact);
        var p = state.Proposal(proposalId) ?? throw new ArgumentException($"The state holds no proposal {proposalId}.", nameof(proposalId));
        return new Decision([SignedByMandate(p, signature, mandate), .. InForceEvents(state, p, compact)]);
    }

    /// <summary>The <c>proposal.signed</c> (daemon) { proposalId, termsHash, signature, mandate } of a countersignature under a mandate (§14).</summary>
    public static StreamEvent SignedByMandate(ProposalRecord p, JsonObject signature, JsonObject mandate)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(mandate);
        return new StreamEvent(p.SessionId, Daemon(EventTypes.ProposalSigned, new JsonObject
        {
            ["proposalId"] = p.ProposalId,
            ["termsHash"] = p.TermsHash,
            ["signature"] = signature.DeepClone(),
            ["mandate"] = mandate.DeepClone(),
        }));
    }

    /// <summary>The state after <paramref name="decision"/> were committed at <paramref name="time"/>: what a later part of the same commit is judged on.</summary>
    public static NegotiationState After(NegotiationState state, Decision decision, DateTimeOffset time) => Fold(state, decision, Timestamp.Truncate(time));

    /// <summary>
    /// What a signature that puts <paramref name="p"/>'s compact in force records after it: compact.in-force, and for
    /// version n+1, in version n's stream, compact.superseded and the lapse of its open revocation (§8.2).
    /// </summary>
    public static IReadOnlyList<StreamEvent> InForceEvents(NegotiationState state, ProposalRecord p, SignedCompact compact)
    {
        var events = new List<StreamEvent>
        {
            new(p.SessionId, Daemon(EventTypes.CompactInForce, new JsonObject
            {
                ["compactId"] = p.CompactId,
                ["version"] = p.Version,
                ["compactHash"] = compact.CompactHash,
                ["record"] = compact.Record.DeepClone(),
            })),
        };
        if (p.Version > 1)
        {
            // Version n's events go to the stream of the session in which n was negotiated.
            var previous = state.Compact(p.CompactId, p.Version - 1)!;
            events.Add(new(previous.SessionId, Daemon(EventTypes.CompactSuperseded, new JsonObject
            {
                ["compactId"] = previous.CompactId,
                ["version"] = previous.Version,
            })));
            if (previous.OpenRevocationId is { } revocationId)
            {
                events.Add(new(previous.SessionId, Daemon(EventTypes.RevocationLapsed, new JsonObject
                {
                    ["revocationId"] = revocationId,
                    ["reason"] = "superseded",
                })));
            }
        }
        return events;
    }

    private static string SessionOf(NegotiationState state, string proposalId) => state.Proposal(proposalId)!.SessionId;

    /// <summary>An event carrying the request's envelope: actor is the signer, data starts with the envelope.</summary>
    private static EventDraft Draft(string type, NegotiationCommand c, JsonObject members) => EventDraft.Signed(type, c.Envelope, c.Signer, members);

    private static EventDraft Daemon(string type, JsonObject data) => EventDraft.ByDaemon(type, data);
}
