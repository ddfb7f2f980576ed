using System.Text.Json.Nodes;
using Pact.Core.Compacts;
using Pact.Core.Contracts;
using Pact.Core.Contracts.Responses;
using Pact.Core.Errors;
using Pact.Core.Ids;
using Pact.Core.Mandates;
using Pact.Core.Negotiation;
using Pact.Core.Sessions;
using Pact.Core.Terms;
using Pact.Core.Time;
using Pact.Daemon.Auth;
using Pact.Daemon.Hosting;
using Pact.Daemon.Mandates;
using Pact.Daemon.Policies;
using Pact.Daemon.Telemetry;

using Pact.Store;

namespace Pact.Daemon.Application;

/// <summary>
/// The two-phase negotiation over REST (§5): proposals, counter-proposals, countersignatures that put a
/// compact in force, declines, withdrawals and their acknowledgments.
/// </summary>
public sealed class ProposalService(
    DecisionEngine engine, IAgentDirectory agents, IProposalReadModel proposals, TranscriptQuarantine quarantine, DaemonIdentity daemon,
    StandingPolicies standingPolicies, PolicyInputs policyInputs, MandateRuntime mandates, BundleCommits bundleCommits)
{
    public const string NegotiationTimeoutOmitted = "NEGOTIATION_TIMEOUT_OMITTED";
    public const string StandingPolicyUnverified = "STANDING_POLICY_UNVERIFIED";

    public static PayloadShape CreateSpec => ProposalCreatePayload.Shape;

    public static PayloadShape SignSpec => ProposalSignPayload.Shape;

    public static PayloadShape DeclineSpec => ProposalDeclinePayload.Shape;

    public static PayloadShape WithdrawSpec => ProposalWithdrawPayload.Shape;

    public static PayloadShape WithdrawalAckSpec => ProposalWithdrawalAckPayload.Shape;

    public async Task<CommandOutcome> CreateAsync(AuthenticatedEnvelope auth, CancellationToken ct)
    {
        var payload = auth.Payload;
        var sessionId = payload["sessionId"]!.GetValue<string>();
        var termsNode = payload["terms"]!;
        var (terms, readErrors) = TermsReader.Read(termsNode);
        var (signature, signatureErrors) = CompactSignature.FromJson(payload["signature"], "/payload/signature");
        var proposalId = PactIds.New(PactIds.Proposal, auth.Now);
        var replaces = payload["replaces"]?.GetValue<string>();
        var termsHash = CompactCrypto.TermsHash(termsNode);
        // Registration is async; the validator asks synchronously, so look the parties up first.
        var registered = new HashSet<string>(StringComparer.Ordinal);
        if (terms is not null)
        {
            foreach (var did in new[] { terms.Parties.A.Agent, terms.Parties.B.Agent })
            {
                if (await agents.IsRegisteredAsync(did, ct)) registered.Add(did);
            }
        }
        var keys = new List<string> { sessionId };
        if (terms is not null) keys.Add(terms.CompactId);
        if (terms is not null && (terms.Version > 1 || terms.Upstream.Count > 0)) keys.Add(DecisionEngine.LifecycleKey);
        // Upstream compacts are judged from their state too: naming them makes a quarantined one refuse the command.
        if (terms is not null) keys.AddRange(terms.Upstream.Select(u => u.CompactId));
        // Both parties' mandates: which one is active at this commit is decided by commit order (§14) — the answering
        // party's for the proposal, the proposer's for a counter its mandate may answer in the same commit.
        if (terms is not null && signature is not null)
        {
            keys.Add(DecisionEngine.MandateKey(terms.Parties[signature.Party.Other()].Agent));
            keys.Add(DecisionEngine.MandateKey(terms.Parties[signature.Party].Agent));
        }

        return await engine.ExecuteAsync(auth, keys, async input =>
        {
            var state = input.State;
            // Visibility, the right to act, the session and the slot come before anything about the terms (§11): judged
            // on the facts that can be read even from invalid terms, or on the session alone when those cannot.
            if (state.Session(sessionId) is not { } session || !session.IsParticipant(auth.Signer))
                return PactError.NotFound($"Session {sessionId}");
            if (terms is null || signature is null)
            {
                var readable = ProposalFacts.ForStateChecks(payload, termsHash);
                var stateRefusal = readable is not null
                    ? NegotiationMachine.Check(state, new CreateProposal(auth.ToEventJson(), sessionId, proposalId, readable, replaces), input.Now)
                    : session.Status != SessionStatus.Active ? Refusals.SessionNotActive(sessionId, session.Status.ToWire()) : null;
                return stateRefusal ?? PactError.FromFieldErrors("Terms are invalid",
                    readErrors.Select(e => e with { Pointer = "/payload/terms" + e.Pointer }).Concat(signatureErrors));
            }
            var facts = new ProposalFacts(terms.CompactId, terms.Version, terms.Parties.A.Agent, terms.Parties.B.Agent, signature.Party, termsHash,
                terms.NegotiationTimeoutDuration, terms.Revocation.AckTimeoutDuration, terms.Predecessor);
            var command = new CreateProposal(auth.ToEventJson(), sessionId, proposalId, facts, replaces);
            if (NegotiationMachine.Check(state, command, input.Now) is { } refusal) return refusal;
            var context = new TermsValidationContext(registered.Contains, (id, version) => Upstream(state, id, version), auth.Signer, input.Now);
            var errors = TermsValidator.Validate(terms, context).Select(e => e with { Pointer = "/payload/terms" + e.Pointer }).ToList();
            if (errors.Count > 0) return PactError.FromFieldErrors("Terms are invalid", errors);
            if (CompactCrypto.CheckSignature(terms, termsHash, signature, pointer: "/payload/signature", signedAt: auth.Envelope.IssuedAt) is { } badSignature)
                return badSignature;
            var me = signature.Party.ToWire();
            if (await standingPolicies.CheckAsync(signature.PrincipalAuthorization, "/payload/signature/principalAuthorization", termsNode.AsObject(),
                    () => policyInputs.ForNewProposalAsync(termsNode.AsObject(), me, proposalId, sessionId, replaces, termsHash, input.Now, ct), ct) is { } notAuthorized)
                return notAuthorized;
            var verdict = NegotiationMachine.Decide(state, command, input.Now);
            if (!verdict.IsAccepted) return verdict;
            var first = new SignatureEntry(signature.Party, auth.Signer, signature.Sig, auth.Envelope.IssuedAt, signature.PrincipalAuthorization);
            return await mandates.AnswerAsync(state, verdict.Decision, new NewProposal(proposalId, termsNode.AsObject(), terms, first, replaces), input.Now, ct);
        }, context =>
        {
            var expiresAt = context.Events[0].Data["expiresAt"]?.GetValue<string>();
            // A mandate may have answered in the same commit (§14): the status is the proposal's after the whole commit.
            var status = context.GetProposal(proposalId)?.Status ?? ProposalStatus.Open.ToWire();
            var warnings = new List<string>();
            if (terms!.NegotiationTimeout is null) warnings.Add(NegotiationTimeoutOmitted);
            if (!signature!.PrincipalAuthorization.IsVerifiable) warnings.Add(StandingPolicyUnverified);
            return CommandOutcome.Ok(201, new ProposalCreated(proposalId, termsHash, status,
                expiresAt is null ? null : Timestamp.Parse(expiresAt), warnings, sessionId, terms.CompactId, terms.Version));
        }, ct);
    }

    public async Task<CommandOutcome> SignAsync(AuthenticatedEnvelope auth, CancellationToken ct)
    {
        var payload = auth.Payload;
        var proposalId = payload["proposalId"]!.GetValue<string>();
        var termsHash = payload["termsHash"]!.GetValue<string>();
        if (engine.State.Proposal(proposalId) is not { } known) return await UnknownProposalAsync(proposalId, auth.Signer, ct);
        if (HiddenByQuarantine(known, auth.Signer)) return PactError.NotFound($"Proposal {proposalId}");
        var (signature, signatureErrors) = CompactSignature.FromJson(payload["signature"], "/payload/signature");
        var stored = await proposals.GetProposalAsync(proposalId, ct);
        var bundle = engine.State.BundleOf(known);
        var keys = bundle is not null ? [.. DecisionEngine.BundleLockKeys(bundle)] : new List<string> { known.SessionId, known.CompactId };
        if (known.Version > 1 || stored?.Terms?["upstream"] is JsonArray { Count: > 0 }) keys.Add(DecisionEngine.LifecycleKey);
        if (stored?.Terms?["upstream"] is JsonArray upstream)
            keys.AddRange(upstream.Select(u => u?["compactId"]?.GetValue<string>()).OfType<string>());
        return await engine.ExecuteAsync(auth, keys, async input =>
        {
            var state = input.State;
            var check = new SignProposal(auth.ToEventJson(), proposalId, termsHash);
            if (NegotiationMachine.Check(state, check, input.Now) is { } refusal) return refusal;
            if (signature is null) return PactError.FromFieldErrors("Signature is invalid", signatureErrors);
            var (terms, _) = TermsReader.Read(stored!.Terms);
            // The countersigner's role was judged with the right to act (PACT-205) in Check.
            var first = SignatureOf(stored.Signatures![0]!.AsObject());
            if (CompactCrypto.CheckSignature(terms!, termsHash, signature, first.Sig, "/payload/signature", auth.Envelope.IssuedAt) is { } badSignature)
                return badSignature;
            // A bundle member's upstream that left force is judged by its bundle's commit (§15), not refused here.
            foreach (var (upstream, i) in terms!.Upstream.Select((u, i) => (u, i)).Where(_ => known.BundleId is null))
            {
                if (Upstream(state, upstream.CompactId, upstream.Version) is not { } info || info.InForceVersion != upstream.Version)
                    // The pointer goes into the request body as sent (§4.2); the terms are the proposal's, not in this body.
                    return PactError.FromFieldErrors("Upstream not in force",
                        [new FieldError("/payload/proposalId", PactCodes.InvalidUpstream, $"upstream/{i} of the proposal's terms: {upstream.CompactId} version {upstream.Version} is no longer in force.")]);
            }
            var me = signature.Party.ToWire();
            if (await standingPolicies.CheckAsync(signature.PrincipalAuthorization, "/payload/signature/principalAuthorization", stored.Terms!.AsObject(),
                    async () => await policyInputs.ForProposalAsync(stored, me, ct) ?? throw new InvalidOperationException($"Proposal {proposalId} has no readable terms."),
                    ct) is { } notAuthorized)
                return notAuthorized;
            if (state.Proposal(proposalId)!.BundleId is not null)
            {
                // A bundle member is prepared; its bundle's commit seals every member's record (§15).
                var services = await bundleCommits.ForAsync([state.BundleOf(state.Proposal(proposalId)!)!], input.Now, ct);
                return NegotiationMachine.Decide(state, check with { Bundle = services }, input.Now);
            }
            var second = new SignatureEntry(signature.Party, auth.Signer, signature.Sig, auth.Envelope.IssuedAt, signature.PrincipalAuthorization);
            var record = SignedCompactRecord.Create(terms, first, second, input.Now, daemon.Key);
            var command = check with { Compact = new SignedCompact(record.ToJson(), record.CompactHash) };
            return NegotiationMachine.Decide(state, command, input.Now);
        }, context =>
        {
            // 200 the signed record when this commit put the proposal in force; a bundle member only prepared is 202 the proposal.
            var inForce = context.Events.FirstOrDefault(e => e.Type == EventTypes.CompactInForce
                && e.Data["compactId"]!.GetValue<string>() == known.CompactId && e.Data["version"]!.GetValue<long>() == known.Version);
            if (inForce is null) return CommandOutcome.Ok(202, context.GetProposal(proposalId)!.ToResponse());
            PactTelemetry.Negotiations.Add(1);
            return CommandOutcome.Ok(200, StoreRecordResponses.ToCompactRecord(inForce.Data["record"]!));
        }, ct);
    }

    public async Task<CommandOutcome> DeclineAsync(AuthenticatedEnvelope auth, CancellationToken ct)
    {
        var proposalId = auth.Payload["proposalId"]!.GetValue<string>();
        var decline = new DeclineProposal(auth.ToEventJson(), proposalId, auth.Payload["termsHash"]!.GetValue<string>());
        if (engine.State.Proposal(proposalId) is not { BundleId: not null } member)
            return await OnProposal(auth, _ => decline, (context, id) => CommandOutcome.Ok(200, context.GetProposal(id)!.ToResponse()), ct);
        // A member's decline may abort or close its bundle (§15): it takes the bundle's locks, and what a commit needs.
        return await engine.ExecuteAsync(auth, DecisionEngine.BundleLockKeys(engine.State.BundleOf(member)!), async input =>
        {
            if (input.State.Proposal(proposalId)?.BundleId is not { } bundleId) return NegotiationMachine.Decide(input.State, decline, input.Now);
            var services = await bundleCommits.ForAsync([input.State.Bundle(bundleId)!], input.Now, ct);
            return NegotiationMachine.Decide(input.State, decline with { Bundle = services }, input.Now);
        }, context => CommandOutcome.Ok(200, context.GetProposal(proposalId)!.ToResponse()), ct);
    }

    /// <summary>A withdrawal; the counterparty's mandate may acknowledge it in the same commit (§14), the answer showing the proposal after it.</summary>
    public Task<CommandOutcome> WithdrawAsync(AuthenticatedEnvelope auth, CancellationToken ct) =>
        OnProposal(auth, p => new WithdrawProposal(auth.ToEventJson(), p, auth.Payload["termsHash"]!.GetValue<string>()),
            (context, proposalId) => CommandOutcome.Ok(200, new Withdrawal(context.GetProposal(proposalId)?.ToResponse(), context.Events[0].Hash)), ct,
            (state, proposalId, now) => MandateAcknowledgments.ForWithdrawal(state, proposalId, now));

    public Task<CommandOutcome> AcknowledgeWithdrawalAsync(AuthenticatedEnvelope auth, CancellationToken ct) =>
        OnProposal(auth, p => new AcknowledgeWithdrawal(auth.ToEventJson(), p, auth.Payload["withdrawalHash"]!.GetValue<string>()),
            (context, proposalId) => CommandOutcome.Ok(200, context.GetProposal(proposalId)!.ToResponse()), ct);

    /// <summary>The session a proposal was made in, as the log says (null for one the state does not know).</summary>
    public string? SessionOf(string proposalId) => engine.State.Proposal(proposalId)?.SessionId;

    /// <param name="then">What follows in the same commit, judged on the state after the command's events (a mandate's acknowledgment).</param>
    private async Task<CommandOutcome> OnProposal(AuthenticatedEnvelope auth, Func<string, NegotiationCommand> command,
        Func<IStoreTransaction, string, CommandOutcome> respond, CancellationToken ct,
        Func<NegotiationState, string, DateTimeOffset, Decision>? then = null)
    {
        var proposalId = auth.Payload["proposalId"]!.GetValue<string>();
        if (engine.State.Proposal(proposalId) is not { } known) return await UnknownProposalAsync(proposalId, auth.Signer, ct);
        if (HiddenByQuarantine(known, auth.Signer)) return PactError.NotFound($"Proposal {proposalId}");
        List<string> keys = [known.SessionId, known.CompactId];
        if (then is not null) keys.Add(DecisionEngine.MandateKey(known.CounterpartyAgent));
        return await engine.ExecuteAsync(auth, keys, input =>
        {
            var verdict = NegotiationMachine.Decide(input.State, command(proposalId), input.Now);
            if (!verdict.IsAccepted || then is null) return Task.FromResult(verdict);
            var after = NegotiationMachine.After(input.State, verdict.Decision, input.Now);
            return Task.FromResult<Verdict>(verdict.Decision.Then(then(after, proposalId, input.Now)));
        }, context => respond(context, proposalId), ct);
    }

    /// <summary>
    /// A proposal the in-memory state does not know: 404 — unless the daemon started degraded and the proposal was
    /// recorded in a quarantined session after its first bad event (so it was never replayed); then the session's
    /// participants get the quarantine's 500 PACT-401, everyone else the usual 404 (§3).
    /// </summary>
    private async Task<PactError> UnknownProposalAsync(string proposalId, string signer, CancellationToken ct)
    {
        if (quarantine.IsDegraded
            && await proposals.GetProposalAsync(proposalId, ct) is { } stored
            && engine.State.Session(stored.SessionId) is { } session && session.IsParticipant(signer)
            && quarantine.Refuse([stored.SessionId, stored.CompactId]) is { } refusal)
            return refusal;
        return PactError.NotFound($"Proposal {proposalId}");
    }

    /// <summary>
    /// Whether a quarantined proposal must look unknown to <paramref name="signer"/>: the quarantine's 500 PACT-401 names
    /// the session, so only its participants get it (as for a proposal recorded after the damage); to anyone else the
    /// proposal is 404, as the decision would have answered.
    /// </summary>
    private bool HiddenByQuarantine(ProposalRecord known, string signer) =>
        quarantine.IsDegraded
        && quarantine.Refuse([known.SessionId, known.CompactId]) is not null
        && engine.State.Session(known.SessionId)?.IsParticipant(signer) != true;

    private static UpstreamInfo? Upstream(NegotiationState state, string compactId, long version)
    {
        _ = version;
        if (state.InForce(compactId) is not { } inForce || !state.Bindings.TryGetValue(compactId, out var binding)) return null;
        return new UpstreamInfo(inForce.Version, binding.AgentA, binding.AgentB);
    }

    private static SignatureEntry SignatureOf(JsonObject stored)
    {
        var party = Wire.Parse<PartyRole>(stored["party"]!.GetValue<string>());
        var (authorization, _) = PrincipalAuthorization.FromJson(stored["principalAuthorization"]);
        // A first signature made under a mandate (a counter, §14) keeps its signer and mandate in the record.
        return new SignatureEntry(party, stored["agent"]!.GetValue<string>(), stored["sig"]!.GetValue<string>(),
            Timestamp.Parse(stored["signedAt"]!.GetValue<string>()), authorization!)
        {
            Signer = stored["signer"]?.GetValue<string>(),
            Mandate = stored["mandate"]?.DeepClone() as JsonObject,
        };
    }
}
