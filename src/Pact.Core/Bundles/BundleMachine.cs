using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Pact.Core.Compacts;
using Pact.Core.Errors;
using Pact.Core.Events;
using Pact.Core.Negotiation;
using Pact.Core.Passport;
using Pact.Core.Policies;
using Pact.Core.Sessions;
using Pact.Core.Terms;
using Pact.Core.Time;

namespace Pact.Core.Bundles;

/// <summary>
/// Bundles (§15) as pure decisions over <see cref="NegotiationState"/>: creation, the prepare of a member's
/// countersignature, the commit (mode <c>all</c>: the last prepare; mode <c>best</c>: at closesAt or once every member is
/// prepared or ended, by <see cref="BundleRanking"/>), and every abort with its events in §15's order.
/// </summary>
public static class BundleMachine
{
    // Abort causes (bundle.aborted's cause.kind).
    public const string CauseDeclined = "declined";
    public const string CauseExpired = "expired";
    public const string CauseWithdrawn = "withdrawn";
    public const string CauseInsufficient = "insufficient";

    // ---- creation --------------------------------------------------------------------------------

    /// <summary>
    /// The state checks of bundle.create across members (§11's order, within one class the first member): visibility,
    /// the right to act, the session, the slots — each member as its own proposal.create would be judged, and no two
    /// members in one slot (PACT-302).
    /// </summary>
    public static PactError? CheckCreate(NegotiationState state, CreateBundle c, DateTimeOffset now)
    {
        if (state.Session(c.SessionId) is not { } session || !session.IsParticipant(c.Signer)) return Refusals.NotFound($"Session {c.SessionId}");
        PactError? first = null;
        var slots = new Dictionary<CompactVersionKey, string>();
        foreach (var m in c.Members)
        {
            var error = NegotiationMachine.Check(state, new CreateProposal(c.Envelope, c.SessionId, m.ProposalId, m.Facts), now);
            var slot = new CompactVersionKey(m.Facts.CompactId, m.Facts.Version);
            if (error is null && !slots.TryAdd(slot, m.ProposalId))
                error = Refusals.SlotOccupied(m.Facts.CompactId, m.Facts.Version, slots[slot]);
            else slots.TryAdd(slot, m.ProposalId);
            if (error is not null && (first is null || Rank(error) < Rank(first))) first = error;
        }
        return first;
    }

    /// <summary>§11's classes: visibility, right to act, session state, resource state, referenced hashes, the rest.</summary>
    public static int Rank(PactError error) => error.Code switch
    {
        PactCodes.NotFound => 0,
        PactCodes.Forbidden => 1,
        PactCodes.SessionNotActive => 2,
        PactCodes.ProposalStatus or PactCodes.SlotOccupied or PactCodes.SlotBurned or PactCodes.CompactState
            or PactCodes.MandateInactive or PactCodes.BundleState => 3,
        PactCodes.HashMismatch => 4,
        _ => 5,
    };

    /// <summary>bundle.created, then each member's proposal.created in member order (mandate decisions follow them, §14).</summary>
    public static Decision Created(CreateBundle c)
    {
        var closesAt = Timestamp.ToText(c.ClosesAt);
        var events = new List<StreamEvent>
        {
            new(c.SessionId, EventDraft.Signed(EventTypes.BundleCreated, c.Envelope, c.Signer, new JsonObject
            {
                ["bundleId"] = c.BundleId,
                ["select"] = c.Select.DeepClone(),
                ["closesAt"] = closesAt,
                ["proposalIds"] = new JsonArray([.. c.Members.Select(m => (JsonNode)JsonValue.Create(m.ProposalId))]),
            })),
        };
        foreach (var m in c.Members)
        {
            events.Add(new(c.SessionId, EventDraft.ByDaemon(EventTypes.ProposalCreated, new JsonObject
            {
                ["proposalId"] = m.ProposalId,
                ["compactId"] = m.Facts.CompactId,
                ["version"] = m.Facts.Version,
                ["termsHash"] = m.Facts.TermsHash,
                ["expiresAt"] = closesAt,
                ["bundleId"] = c.BundleId,
            })));
        }
        // Any mandate decisions on the members follow all of these, in member order (§14; the daemon's MandateRuntime).
        return new Decision([.. events]);
    }

    // ---- withdrawal and termination --------------------------------------------------------------

    public static PactError? CheckWithdraw(NegotiationState state, WithdrawBundle c, DateTimeOffset now)
    {
        if (state.Bundle(c.BundleId) is not { } bundle || state.Session(bundle.SessionId) is not { } session || !session.IsParticipant(c.Signer))
            return Refusals.NotFound($"Bundle {c.BundleId}");
        if (c.Signer != bundle.Coordinator) return Refusals.Forbidden("Only the coordinator may withdraw a bundle.");
        if (bundle.Status != BundleStatus.Open) return Refusals.BundleState($"Bundle {bundle.BundleId} is {BundleRecord.ToWire(bundle.Status)}.");
        if (bundle.PendingDeadline!.IsReached(now)) return Refusals.BundleState($"Bundle {bundle.BundleId} closed at {Timestamp.ToText(bundle.ClosesAt)}.");
        return null;
    }

    /// <summary>bundle.withdrawn (signer), then the abort (cause withdrawn, agent the coordinator).</summary>
    public static Decision Withdrawn(NegotiationState state, WithdrawBundle c)
    {
        var bundle = state.Bundle(c.BundleId)!;
        var withdrawn = Decision.Of(new StreamEvent(bundle.SessionId,
            EventDraft.Signed(EventTypes.BundleWithdrawn, c.Envelope, c.Signer, new JsonObject { ["bundleId"] = bundle.BundleId })));
        return withdrawn.Then(Abort(state, bundle, CauseWithdrawn, null, bundle.Coordinator, null));
    }

    /// <summary>
    /// What terminating a session does to its open bundles, after session.terminated: each aborts (cause withdrawn,
    /// agent null, no bundle.withdrawn), in id order. The state returned has them folded, so the caller retires only
    /// the proposals still open.
    /// </summary>
    public static (Decision Decision, NegotiationState State) AbortOnTerminate(NegotiationState state, string sessionId, DateTimeOffset now)
    {
        var decision = Decision.Empty;
        foreach (var bundle in state.OpenBundles(sessionId).ToList())
        {
            var abort = Abort(state, bundle, CauseWithdrawn, null, null, null);
            state = NegotiationMachine.Fold(state, abort, now);
            decision = decision.Then(abort);
        }
        return (decision, state);
    }

    // ---- members: prepare, decline ---------------------------------------------------------------

    /// <summary>A member's state checks beyond a proposal's: its bundle must still be open and not closed by now.</summary>
    public static PactError? CheckMember(NegotiationState state, ProposalRecord p, DateTimeOffset now)
    {
        var bundle = state.BundleOf(p)!;
        if (p.Status != ProposalStatus.Open) return Refusals.ProposalStatus($"Proposal {p.ProposalId} is {p.Status.ToWire()}.");
        if (bundle.Status != BundleStatus.Open) return Refusals.BundleState($"Bundle {bundle.BundleId} is {BundleRecord.ToWire(bundle.Status)}.");
        if (bundle.PendingDeadline!.IsReached(now)) return Refusals.BundleState($"Bundle {bundle.BundleId} closed at {Timestamp.ToText(bundle.ClosesAt)}.");
        return null;
    }

    /// <summary>
    /// A member's countersignature: proposal.signed (the member is prepared), then whatever that settles — the commit of
    /// an <c>all</c> bundle whose last member this was, or the close of a <c>best</c> bundle now complete.
    /// </summary>
    public static Decision Prepared(NegotiationState state, SignProposal c, DateTimeOffset now, BundleServices services)
    {
        var p = state.Proposal(c.ProposalId)!;
        var signed = Decision.Of(new StreamEvent(p.SessionId, EventDraft.Signed(EventTypes.ProposalSigned, c.Envelope, c.Signer, new JsonObject
        {
            ["proposalId"] = p.ProposalId,
            ["termsHash"] = p.TermsHash,
        })));
        return AfterPrepare(state, p, signed, now, Decision.Empty, services);
    }

    /// <summary>
    /// A mandate's sign on a member (§14): its proposal.signed (daemon) with the countersignature and the mandate, the member
    /// prepared, then what that settles, as for a hosted sign. <paramref name="preceding"/> are the commit's events before
    /// it (the bundle's creation and the decisions so far), which a <c>best</c> ranking's passports count.
    /// </summary>
    public static Decision PreparedUnderMandate(NegotiationState state, string proposalId, JsonObject signature, JsonObject mandate, DateTimeOffset now,
        Decision preceding, BundleServices services)
    {
        var p = state.Proposal(proposalId)!;
        return AfterPrepare(state, p, Decision.Of(NegotiationMachine.SignedByMandate(p, signature, mandate)), now, preceding, services);
    }

    private static Decision AfterPrepare(NegotiationState state, ProposalRecord p, Decision signed, DateTimeOffset now, Decision preceding, BundleServices services)
    {
        var after = NegotiationMachine.Fold(state, signed, now);
        return signed.Then(Settle(after, p.BundleId!, now, preceding.Then(signed), services));
    }

    /// <summary>A member's decline: proposal.declined, then an <c>all</c> bundle aborts; a <c>best</c> one may settle.</summary>
    public static Decision Declined(NegotiationState state, DeclineProposal c, DateTimeOffset now, BundleServices? services)
    {
        var p = state.Proposal(c.ProposalId)!;
        var declined = Decision.Of(new StreamEvent(p.SessionId, EventDraft.Signed(EventTypes.ProposalDeclined, c.Envelope, c.Signer, new JsonObject
        {
            ["proposalId"] = p.ProposalId,
        })));
        return AfterDecline(state, p, declined, c.Signer, now, Decision.Empty, services);
    }

    /// <summary>
    /// A mandate's decline of a member (§14), <paramref name="declined"/> its proposal.declined (daemon): as the agent's own
    /// decline would, an <c>all</c> bundle aborts (cause declined, the mandate's agent); a <c>best</c> one may settle.
    /// </summary>
    public static Decision DeclinedUnderMandate(NegotiationState state, string proposalId, StreamEvent declined, string agent, DateTimeOffset now,
        Decision preceding, BundleServices services) =>
        AfterDecline(state, state.Proposal(proposalId)!, Decision.Of(declined), agent, now, preceding, services);

    private static Decision AfterDecline(NegotiationState state, ProposalRecord p, Decision declined, string decliner, DateTimeOffset now, Decision preceding,
        BundleServices? services)
    {
        var after = NegotiationMachine.Fold(state, declined, now);
        var bundle = after.BundleOf(p)!;
        if (bundle.Select.Mode == BundleMode.All)
            return declined.Then(Abort(after, bundle, CauseDeclined, p.ProposalId, decliner, null));
        return declined.Then(Settle(after, bundle.BundleId, now, preceding.Then(declined), services));
    }

    /// <summary>What the bundle's members' statuses settle now, outside its close: a commit, an abort, or nothing yet.</summary>
    private static Decision Settle(NegotiationState state, string bundleId, DateTimeOffset now, Decision preceding, BundleServices? services)
    {
        var bundle = state.Bundle(bundleId)!;
        var statuses = bundle.Members.Select(m => state.Proposal(m.ProposalId)!.Status).ToList();
        var prepared = statuses.Count(s => s == ProposalStatus.Prepared);
        var open = statuses.Count(s => s == ProposalStatus.Open);
        if (bundle.Select.Mode == BundleMode.All)
        {
            if (prepared < bundle.Members.Length) return Decision.Empty;
            if (bundle.Members.FirstOrDefault(m => LeftForce(state, m)) is { } gone)
                return Abort(state, bundle, CauseInsufficient, gone.ProposalId, null, null);
            return Commit(state, bundle, [.. bundle.Members.Select(m => m.ProposalId)], null, null, now, Require(services));
        }
        if (prepared + open < bundle.Select.MinCount) return Abort(state, bundle, CauseInsufficient, null, null, null);
        return open == 0 ? CloseBest(state, bundle, null, now, now, preceding, Require(services)) : Decision.Empty;
    }

    // ---- the close (deadline kind 1b) ------------------------------------------------------------

    /// <summary>
    /// The close at closesAt of a bundle still open: mode <c>all</c> aborts (cause expired: the first member not prepared, its
    /// counterparty's PACT-503 failure); mode <c>best</c> ranks its prepared members and commits or aborts (insufficient).
    /// </summary>
    /// <paramref name="preceding"/> are the events decided before it in the same commit.
    public static Decision Close(NegotiationState state, Deadline deadline, DateTimeOffset now, Decision preceding, BundleServices? services)
    {
        if (state.Bundle(deadline.Id) is not { Status: BundleStatus.Open } bundle || bundle.PendingDeadline != deadline) return Decision.Empty;
        var dueAt = Timestamp.ToText(deadline.DueAt);
        if (bundle.Select.Mode == BundleMode.Best) return CloseBest(state, bundle, dueAt, deadline.DueAt, now, preceding, Require(services));
        var silent = bundle.Members.First(m => state.Proposal(m.ProposalId)!.Status != ProposalStatus.Prepared);
        return Abort(state, bundle, CauseExpired, silent.ProposalId, silent.Counterparty, dueAt);
    }

    private static Decision CloseBest(NegotiationState state, BundleRecord bundle, string? dueAt, DateTimeOffset inForceAt, DateTimeOffset now,
        Decision preceding, BundleServices services)
    {
        var passports = services.Passports
            ?? throw new InvalidOperationException($"Ranking bundle {bundle.BundleId} needs the counterparties' passports.");
        var session = state.Session(bundle.SessionId)!;
        var candidates = new List<RankingCandidate>();
        foreach (var m in bundle.Members)
        {
            var p = state.Proposal(m.ProposalId)!;
            if (p.Status != ProposalStatus.Prepared) continue;
            var passport = PassportBefore(passports, m.Counterparty, preceding, now);
            candidates.Add(new RankingCandidate(m.ProposalId, m.Counterparty, InputFor(bundle, m, p, session, PolicyPassportFacts.From(passport)),
                passport.ToJson(), LeftForce(state, m)));
        }
        var result = BundleRanking.Rank(bundle.Select, candidates);
        if (!result.Sufficient) return Abort(state, bundle, CauseInsufficient, null, null, dueAt);
        return Commit(state, bundle, result.Selected, result.Ranking, dueAt, inForceAt, services);
    }

    /// <summary>
    /// A counterparty's passport as of the event before <c>bundle.committed</c>: the log as committed when deciding, then
    /// what the decision's own events before the commit count for it, all at <paramref name="now"/> (their time). Only a
    /// member's decline can count there: a close that would follow deadline events that may change a passport is decided
    /// in a commit of its own (<see cref="NegotiationMachine.FireDue(NegotiationState, DateTimeOffset, BundleServices?)"/>).
    /// </summary>
    private static AgentPassport PassportBefore(Func<string, string?, AgentPassport> passports, string agent, Decision preceding, DateTimeOffset now)
    {
        if (preceding.IsEmpty) return passports(agent, null);
        var at = Timestamp.ToText(now);
        var passport = passports(agent, at);
        var seq = passport.AsOfSeq;
        var counts = passport.Counts;
        var failures = passport.RecentFailures.ToList();
        foreach (var (stream, draft) in preceding.Events)
        {
            var e = new TranscriptEvent(++seq, stream, 0, draft.Type, at, draft.Actor, draft.Data, "", "");
            foreach (var entry in PassportEvents.Of(e, UndecidedFacts.Instance).Where(x => x.Agent == agent))
            {
                counts += entry.Delta;
                if (entry.Failure is { } failure) failures.Add(failure);
            }
        }
        return passport with { AsOfSeq = seq, AsOf = at, Counts = counts, RecentFailures = RecentFailures.Select(failures, at) };
    }

    /// <summary>The facts of earlier events, which the events that may precede a ranking in its commit never need.</summary>
    private sealed class UndecidedFacts : IPassportFacts
    {
        public static readonly UndecidedFacts Instance = new();

        public CompactParties? PartiesOf(string compactId, long version) => throw Unexpected();

        public string? InitiatorOf(string revocationId) => throw Unexpected();

        public bool FollowsAckTimeoutLapse(TranscriptEvent e) => throw Unexpected();

        private static InvalidOperationException Unexpected() =>
            new("An event before a bundle's ranking in its commit needs earlier facts to count: it should have been committed first.");
    }

    /// <summary>§13's input for the coordinator's side of a member, as a ranking key sees it.</summary>
    public static PolicyInput InputFor(BundleRecord bundle, BundleMember m, ProposalRecord p, SessionInfo session, PolicyPassportFacts passport)
    {
        var me = m.CoordinatorRole.ToWire();
        var facts = new PolicyProposalFacts(p.ProposalId, bundle.SessionId, p.CompactId, p.Version, me, null, p.TermsHash, bundle.CreatedAt, bundle.BundleId);
        return PolicyInput.For(m.Terms, me, facts, passport, new PolicySessionFacts(session.SessionId, session.Topic, session.Participants));
    }

    // ---- commit and abort ------------------------------------------------------------------------

    /// <summary>
    /// bundle.committed, then each selected member's compact.in-force (and supersession events) in the given order, all
    /// with one inForceAt; then proposal.retired for every other member not yet ended, in id order.
    /// </summary>
    private static Decision Commit(NegotiationState state, BundleRecord bundle, ImmutableArray<string> selected, JsonArray? ranking, string? dueAt,
        DateTimeOffset inForceAt, BundleServices services)
    {
        var events = new List<StreamEvent>
        {
            new(bundle.SessionId, EventDraft.ByDaemon(EventTypes.BundleCommitted, new JsonObject
            {
                ["bundleId"] = bundle.BundleId,
                ["selected"] = new JsonArray([.. selected.Select(id => (JsonNode)JsonValue.Create(id))]),
                ["ranking"] = ranking,
                ["dueAt"] = dueAt,
            })),
        };
        foreach (var id in selected)
        {
            var p = state.Proposal(id)!;
            events.AddRange(NegotiationMachine.InForceEvents(state, p, Seal(bundle, bundle.Member(id)!, inForceAt, services)));
        }
        var chosen = selected.ToHashSet(StringComparer.Ordinal);
        events.AddRange(Retirements(state, bundle, chosen));
        return new Decision([.. events]);
    }

    /// <summary>bundle.aborted, a PACT-503 failure for <c>expired</c> only, then proposal.retired for every member not yet ended, in id order.</summary>
    private static Decision Abort(NegotiationState state, BundleRecord bundle, string kind, string? proposalId, string? agent, string? dueAt)
    {
        var events = new List<StreamEvent>
        {
            new(bundle.SessionId, EventDraft.ByDaemon(EventTypes.BundleAborted, new JsonObject
            {
                ["bundleId"] = bundle.BundleId,
                ["cause"] = new JsonObject { ["kind"] = kind, ["proposalId"] = proposalId, ["agent"] = agent },
                ["dueAt"] = dueAt,
            })),
        };
        if (kind == CauseExpired)
        {
            events.Add(new(bundle.SessionId, FailureEvents.Draft(PactCodes.BundleTimeout, FailureEvents.NegotiationStage, FailureEvents.Terminal,
                "bundle:" + bundle.BundleId, "proposal:" + proposalId, agent!)));
        }
        events.AddRange(Retirements(state, bundle, []));
        return new Decision([.. events]);
    }

    private static IEnumerable<StreamEvent> Retirements(NegotiationState state, BundleRecord bundle, HashSet<string> kept) =>
        bundle.Members.Select(m => m.ProposalId).Order(StringComparer.Ordinal)
            .Where(id => !kept.Contains(id) && state.Proposal(id)!.Status.HoldsSlot())
            .Select(id => new StreamEvent(bundle.SessionId, EventDraft.ByDaemon(EventTypes.ProposalRetired, new JsonObject { ["proposalId"] = id })));

    /// <summary>The compact versions whose standing <see cref="LeftForce"/> reads: the member's predecessor, then each upstream it names.</summary>
    public static IEnumerable<CompactVersionKey> Dependencies(BundleMember m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var terms = m.Terms;
        if (terms["predecessor"] is JsonObject predecessor) yield return new CompactVersionKey(m.CompactId, JsonRead.Integer(predecessor["version"]));
        foreach (var u in terms["upstream"]?.AsArray() ?? []) yield return new CompactVersionKey(u!["compactId"]!.GetValue<string>(), JsonRead.Integer(u["version"]));
    }

    /// <summary>Whether a member's predecessor or an upstream compact it names is no longer in force.</summary>
    public static bool LeftForce(NegotiationState state, BundleMember m)
    {
        var terms = m.Terms;
        if (terms["predecessor"] is JsonObject predecessor)
        {
            var current = state.InForce(m.CompactId);
            if (current is null || current.Version != JsonRead.Integer(predecessor["version"])
                || current.CompactHash != predecessor["compactHash"]?.GetValue<string>())
                return true;
        }
        foreach (var u in terms["upstream"]?.AsArray() ?? [])
        {
            if (state.InForce(u!["compactId"]!.GetValue<string>()) is not { } inForce || inForce.Version != JsonRead.Integer(u["version"])) return true;
        }
        return false;
    }

    /// <summary>The member's signed record: its first signature from the bundle, its prepared countersignature, the daemon's seal.</summary>
    private static SignedCompact Seal(BundleRecord bundle, BundleMember m, DateTimeOffset inForceAt, BundleServices services)
    {
        var (terms, errors) = TermsReader.Read(m.Terms);
        if (terms is null) throw new InvalidOperationException($"Member {m.ProposalId}'s recorded terms do not read: {(errors.Count > 0 ? errors[0].Message : "")}");
        var signature = m.Payload["signature"]!.AsObject();
        var (authorization, _) = PrincipalAuthorization.FromJson(signature["principalAuthorization"]);
        var first = new SignatureEntry(m.CoordinatorRole, bundle.Coordinator, signature["sig"]!.GetValue<string>(), bundle.IssuedAt, authorization!);
        var second = bundle.Prepared[m.ProposalId];
        var record = SignedCompactRecord.Create(terms, first, second, Timestamp.Truncate(inForceAt), services.DaemonKey);
        return new SignedCompact(record.ToJson(), record.CompactHash);
    }

    private static BundleServices Require(BundleServices? services) =>
        services ?? throw new InvalidOperationException("Settling a bundle needs the daemon key (BundleServices).");
}
