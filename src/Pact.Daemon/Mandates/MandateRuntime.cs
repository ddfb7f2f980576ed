using System.Text.Json.Nodes;
using Pact.Core.Bundles;
using Pact.Core.Compacts;
using Pact.Core.Events;
using Pact.Core.Ids;
using Pact.Core.Mandates;
using Pact.Core.Negotiation;
using Pact.Core.Policies;
using Pact.Core.Terms;
using Pact.Daemon.Application;
using Pact.Daemon.Hosting;
using Pact.Daemon.Policies;

namespace Pact.Daemon.Mandates;

/// <summary>
/// What the proposal-creating operation hands the runtime: the proposal as it is about to be recorded, its terms (as
/// sent and typed) and its first signature, by the proposer.
/// </summary>
public sealed record NewProposal(string ProposalId, JsonObject Terms, CompactTerms TypedTerms, SignatureEntry FirstSignature, string? Replaces);

/// <summary>
/// The mandate runtime (§14): in the same commit as the operation that created a proposal, the mandate that applies to
/// its answering party decides on it with its policy, and the daemon carries the decision out — signs, declines,
/// counters — or leaves it to the agent (escalate). A decision the mandate may not carry out is still recorded and
/// then acts as escalate. A counter is itself a proposal created in the commit: the other side's mandate, when one
/// applies, answers it in turn, until a sign, decline or escalate, or the counter cap (8 linked proposals) stops it.
/// <para>
/// Bundle members (§15) are answered by <see cref="AnswerBundleAsync"/>, in member order after all members'
/// <c>proposal.created</c>: a sign prepares the member (and may commit its bundle), a decline declines it (an <c>all</c>
/// bundle aborts), and a counter acts as escalate, since members cannot be countered one by one.
/// </para>
/// </summary>
public sealed class MandateRuntime(PolicyCatalog catalog, PolicyInputs inputs, PolicyService policies, DecisionPassports passports, DaemonIdentity daemon)
{
    /// <summary>
    /// <paramref name="created"/> (the events that created the proposal, judged on <paramref name="before"/>) followed by
    /// what the applying mandates do, or <paramref name="created"/> alone when no mandate applies.
    /// </summary>
    public async Task<Decision> AnswerAsync(NegotiationState before, Decision created, NewProposal proposal, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(created);
        ArgumentNullException.ThrowIfNull(proposal);
        var commit = created;
        PassportsAtHead? read = null;
        for (NewProposal? judged = proposal; judged is not null;)
        {
            var state = NegotiationMachine.After(before, commit, now);
            var record = state.Proposal(judged.ProposalId) ?? throw new InvalidOperationException($"Proposal {judged.ProposalId} was not created.");
            if (state.ApplyingMandate(record.CounterpartyAgent, record.SessionId, record.ProposerAgent, record.CompactId, now) is not { } mandate) break;
            // Both parties' passports at the head once: a chain of counters alternates between them.
            read ??= await passports.ReadAsync([record.ProposerAgent, record.CounterpartyAgent], now, ct);
            (commit, judged) = await AnswerOneAsync(state, commit, judged, record, mandate, read, now, ct);
        }
        return commit;
    }

    /// <summary>
    /// <paramref name="created"/> (a bundle's creation, judged on <paramref name="before"/>) followed by what the mandates
    /// that apply to its members do, member by member in member order. A member its bundle already ended (an earlier
    /// member's decline aborted it) is not answered.
    /// </summary>
    public async Task<Decision> AnswerBundleAsync(NegotiationState before, Decision created, IReadOnlyList<NewProposal> members, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(created);
        ArgumentNullException.ThrowIfNull(members);
        var commit = created;
        PassportsAtHead? read = null;
        foreach (var member in members)
        {
            var state = NegotiationMachine.After(before, commit, now);
            var record = state.Proposal(member.ProposalId) ?? throw new InvalidOperationException($"Member {member.ProposalId} was not created.");
            if (record.Status != ProposalStatus.Open) continue;
            if (state.ApplyingMandate(record.CounterpartyAgent, record.SessionId, record.ProposerAgent, record.CompactId, now) is not { } mandate) continue;
            // The coordinator's passport for the decisions, every counterparty's for a best bundle's ranking: read once.
            read ??= await passports.ReadAsync([record.ProposerAgent, .. state.BundleOf(record)!.Members.Select(m => m.Counterparty)], now, ct);
            (commit, _) = await AnswerOneAsync(state, commit, member, record, mandate, read, now, ct);
        }
        return commit;
    }

    /// <summary>The mandate's answer to one proposal created in <paramref name="commit"/>, and the counter it made, if any.</summary>
    private async Task<(Decision Commit, NewProposal? Counter)> AnswerOneAsync(NegotiationState state, Decision commit, NewProposal proposal,
        ProposalRecord judged, MandateRecord mandate, PassportsAtHead read, DateTimeOffset now, CancellationToken ct)
    {
        // The grant was judged against a published policy, and a publication is never taken back.
        var policy = await catalog.GetAsync(mandate.PolicyHash, ct)
            ?? throw new InvalidOperationException($"Mandate {mandate.MandateId} names policy {mandate.PolicyHash}, which is not published.");

        var me = judged.Proposer.Other();
        var facts = new PolicyProposalFacts(judged.ProposalId, judged.SessionId, judged.CompactId, judged.Version, judged.Proposer.ToWire(),
            proposal.Replaces, judged.TermsHash, now, judged.BundleId);
        // The passport as of the seq before the judged proposal.created: the head, moved by this commit's events before it.
        var passport = read.Of(judged.ProposerAgent, EventsBefore(commit, judged.ProposalId));
        var input = await inputs.ForMandateAsync(proposal.Terms, me.ToWire(), facts, passport, ct);
        var outcome = PolicyEvaluator.Evaluate(policy, input, await policies.CounterCheckAsync(proposal.Terms, me.ToWire(), ct));
        var passportJson = passport.ToJson();
        var decided = commit.Then(Decision.Of(MandateActions.Decided(judged.SessionId, judged.ProposalId, mandate, outcome.Decision, passportJson)));

        switch (outcome.Decision.Effect)
        {
            case PolicyEffects.Sign when MandateActions.MaySign(proposal.TypedTerms, judged.TermsHash, me, mandate, now):
                {
                    var second = MandateActions.Sign(daemon.Key, mandate, me, judged.TermsHash, outcome.DecisionHash, proposal.FirstSignature.Sig, now);
                    var stateDecided = NegotiationMachine.After(state, Decision.Of(decided.Events[^1]), now);
                    var reference = mandate.ActionReference(outcome.DecisionHash);
                    if (judged.BundleId is not null)
                    {
                        // A member is prepared; its bundle's commit, when this settles it, seals every member's record (§15).
                        return (decided.Then(BundleMachine.PreparedUnderMandate(stateDecided, judged.ProposalId, second.ToJson(), reference, now, decided,
                            BundleServicesFrom(read))), null);
                    }
                    var record = SignedCompactRecord.Create(proposal.TypedTerms, proposal.FirstSignature, second, now, daemon.Key);
                    return (decided.Then(NegotiationMachine.SignedUnderMandate(stateDecided, judged.ProposalId, second.ToJson(),
                        reference, new SignedCompact(record.ToJson(), record.CompactHash))), null);
                }
            case PolicyEffects.Decline:
                {
                    var declined = MandateActions.Declined(judged.SessionId, judged.ProposalId, outcome.Decision.Reason, mandate, outcome.DecisionHash);
                    if (judged.BundleId is null) return (decided.Then(Decision.Of(declined)), null);
                    var stateDecided = NegotiationMachine.After(state, Decision.Of(decided.Events[^1]), now);
                    return (decided.Then(BundleMachine.DeclinedUnderMandate(stateDecided, judged.ProposalId, declined, mandate.Agent, now, decided,
                        BundleServicesFrom(read))), null);
                }
            // A counter on a bundle member acts as escalate (§14, §15): members cannot be countered one by one.
            case PolicyEffects.Counter when judged.BundleId is null && outcome.CounterTerms is { } patched && outcome.CounterDecision is { } again
                && MandateActions.LinkedProposals(state, judged) < MandateActions.CounterCap:
                {
                    var (typed, _) = TermsReader.Read(patched);
                    var patchedHash = CompactCrypto.TermsHash(patched);
                    // A counter whose negotiationTimeout ends on no real instant is refused like the agent's own
                    // proposal.create would be (ProposalExpiry): the decision stays recorded, the agent is left to act.
                    if (typed is null || !MandateActions.MaySign(typed, patchedHash, me, mandate, now)
                        || !ProposalExpiry.TryCompute(typed.NegotiationTimeoutDuration, now, out var expiresAt)) return (decided, null);
                    var counterId = PactIds.New(PactIds.Proposal, now);
                    var signature = MandateActions.Sign(daemon.Key, mandate, me, patchedHash, again.DecisionHash, null, now);
                    var countered = decided
                        .Then(Decision.Of(MandateActions.Decided(judged.SessionId, counterId, mandate, again, passportJson, judged.ProposalId)))
                        .Then(MandateActions.Countered(judged.SessionId, counterId, judged.ProposalId, patched, signature, expiresAt));
                    return (countered, new NewProposal(counterId, patched, typed, signature, judged.ProposalId));
                }
            default:
                // escalate, or a decision the mandate may not carry out: recorded, then left to the agent (§14).
                return (decided, null);
        }
    }

    /// <summary>What a bundle's commit in this decision needs: the daemon key, and the passports read for it (their window at the commit).</summary>
    private BundleServices BundleServicesFrom(PassportsAtHead read) => new(daemon.Key, read.WithWindowEndingAt);

    /// <summary>How many of the commit's events come before <paramref name="proposalId"/>'s <c>proposal.created</c>.</summary>
    private static int EventsBefore(Decision commit, string proposalId)
    {
        for (var i = 0; i < commit.Events.Length; i++)
        {
            var draft = commit.Events[i].Draft;
            if (draft.Type == EventTypes.ProposalCreated && draft.Data["proposalId"]?.GetValue<string>() == proposalId) return i;
        }
        throw new InvalidOperationException($"Proposal {proposalId} is not created in this commit.");
    }
}
