using System.Text.Json.Nodes;
using Pact.Core.Bundles;
using Pact.Core.Compacts;
using Pact.Core.Contracts;
using Pact.Core.Contracts.Responses;
using Pact.Core.Errors;
using Pact.Core.Ids;
using Pact.Core.Negotiation;
using Pact.Core.Sessions;
using Pact.Core.Terms;
using Pact.Core.Time;
using Pact.Daemon.Auth;
using Pact.Daemon.Mandates;
using Pact.Daemon.Policies;
using Pact.Store;

namespace Pact.Daemon.Application;

/// <summary>
/// Bundles over REST (§15): creation (every member judged as its own proposal.create would be, errors across members in
/// §11's order, nothing recorded on any), the resource, and the coordinator's withdrawal. Members are signed and
/// declined through <see cref="ProposalService"/>, which hands them to the bundle machine.
/// </summary>
public sealed class BundleService(DecisionEngine engine, IAgentDirectory agents, StandingPolicies standingPolicies, PolicyInputs policyInputs, MandateRuntime mandates)
{
    public const int MinMembers = 2;
    public const int MaxMembers = 16;

    /// <summary>closesAt's bound when no member has a negotiation timeout.</summary>
    private static readonly IsoDuration DefaultWindow = IsoDuration.Parse("P30D");

    public static PayloadShape CreateSpec => BundleCreatePayload.Shape;

    public static PayloadShape WithdrawSpec => BundleWithdrawPayload.Shape;

    public async Task<CommandOutcome> CreateAsync(AuthenticatedEnvelope auth, CancellationToken ct)
    {
        var payload = auth.Payload;
        var sessionId = payload["sessionId"]!.GetValue<string>();
        var bundleId = PactIds.New(PactIds.Bundle, auth.Now);
        // One past the limit is enough to refuse the count: the rest is never read, hashed or looked up.
        var members = payload["members"]!.AsArray().Take(MaxMembers + 1).Select((node, i) => ReadMember(node, i, auth.Now)).ToList();
        var registered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var did in members.Where(m => m.Terms is not null).SelectMany(m => new[] { m.Terms!.Parties.A.Agent, m.Terms.Parties.B.Agent }).Distinct())
        {
            if (await agents.IsRegisteredAsync(did, ct)) registered.Add(did);
        }
        var keys = new List<string> { sessionId, bundleId };
        keys.AddRange(members.Select(m => m.Facts?.CompactId).OfType<string>());
        if (members.Any(m => m.Terms is { } t && (t.Version > 1 || t.Upstream.Count > 0))) keys.Add(DecisionEngine.LifecycleKey);
        keys.AddRange(members.SelectMany(m => m.Terms?.Upstream ?? []).Select(u => u.CompactId));
        // The counterparties' mandates, as for a proposal: which one is active at this commit is decided by commit order (§14).
        keys.AddRange(members.Where(m => m.Terms is not null && m.Signature is not null)
            .Select(m => DecisionEngine.MandateKey(m.Terms!.Parties[m.Signature!.Party.Other()].Agent)));

        CreateBundle? command = null;
        NegotiationState? judged = null;
        return await engine.ExecuteAsync(auth, keys.Distinct(), async input =>
        {
            var state = input.State;
            if (state.Session(sessionId) is not { } session || !session.IsParticipant(auth.Signer)) return PactError.NotFound($"Session {sessionId}");
            // Who may act, the session and the slots, on what every member lets be read, before anything about the terms (§11).
            var readable = members.Where(m => m.Facts is not null).Select(m => new BundleMemberDraft(m.ProposalId, m.Facts!)).ToList();
            var check = new CreateBundle(auth.ToEventJson(), sessionId, bundleId, readable, new JsonObject(), auth.Now);
            if (BundleMachine.CheckCreate(state, check, input.Now) is { } refusal) return refusal;
            if (session.Status != SessionStatus.Active) return Refusals.SessionNotActive(sessionId, session.Status.ToWire());

            var errors = new List<FieldError>();
            if (members.Count is < MinMembers or > MaxMembers)
                errors.Add(new FieldError("/payload/members", PactCodes.InvalidPayload, $"A bundle has {MinMembers} to {MaxMembers} members."));
            BundleSelect.Read(payload["select"], members.Count, "/payload/select", errors);
            var closesAt = ReadClosesAt(payload["closesAt"], members, input.Now, errors);
            // Terms, policies and signatures are one class (§11): the first member that fails any of them answers.
            PactError? memberRefusal = null;
            foreach (var m in members)
            {
                var memberErrors = new List<FieldError>(m.ReadErrors);
                if (m.Terms is not null)
                {
                    var context = new TermsValidationContext(registered.Contains, (id, _) => Upstream(state, id), auth.Signer, input.Now);
                    memberErrors.AddRange(TermsValidator.Validate(m.Terms, context).Select(e => e with { Pointer = m.Pointer + "/terms" + e.Pointer }));
                }
                if (memberErrors.Count > 0)
                {
                    errors.AddRange(memberErrors);
                    break;
                }
                memberRefusal = CompactCrypto.CheckSignature(m.Terms!, m.TermsHash, m.Signature!, pointer: m.Pointer + "/signature", signedAt: auth.Envelope.IssuedAt)
                    ?? await standingPolicies.CheckAsync(m.Signature!.PrincipalAuthorization, m.Pointer + "/signature/principalAuthorization", m.Node["terms"]!.AsObject(),
                        () => policyInputs.ForNewProposalAsync(m.Node["terms"]!.AsObject(), m.Signature.Party.ToWire(), m.ProposalId, sessionId, null, m.TermsHash,
                            input.Now, ct, bundleId), ct);
                if (memberRefusal is not null) break;
            }
            if (errors.Count > 0) return PactError.FromFieldErrors("Bundle is invalid", errors.Concat(memberRefusal?.Errors ?? []));
            if (memberRefusal is not null) return memberRefusal;
            command = new CreateBundle(auth.ToEventJson(), sessionId, bundleId, [.. members.Select(m => new BundleMemberDraft(m.ProposalId, m.Facts!))],
                (JsonObject)payload["select"]!.DeepClone(), closesAt!.Value);
            judged = state;
            var verdict = NegotiationMachine.Decide(state, command, input.Now);
            if (!verdict.IsAccepted) return verdict;
            // The counterparties' mandates answer the members in the same commit, in member order (§14, §15).
            return await mandates.AnswerBundleAsync(state, verdict.Decision, [.. members.Select(m => m.AsNewProposal(auth))], input.Now, ct);
        }, context => CommandOutcome.Ok(201, View(judged!.ApplyAll(context.Events), bundleId)), ct);
    }

    public async Task<CommandOutcome> WithdrawAsync(AuthenticatedEnvelope auth, CancellationToken ct)
    {
        var bundleId = auth.Payload["bundleId"]!.GetValue<string>();
        if (engine.State.Bundle(bundleId) is not { } known) return PactError.NotFound($"Bundle {bundleId}");
        NegotiationState? judged = null;
        return await engine.ExecuteAsync(auth, DecisionEngine.BundleLockKeys(known), input =>
        {
            judged = input.State;
            return Task.FromResult(NegotiationMachine.Decide(input.State, new WithdrawBundle(auth.ToEventJson(), bundleId), input.Now));
        }, context => CommandOutcome.Ok(200, View(judged!.ApplyAll(context.Events), bundleId)), ct);
    }

    /// <summary>GET /v1/bundles/{id}: null when it does not exist.</summary>
    public BundleView? Get(string bundleId) => engine.State.Bundle(bundleId) is null ? null : View(engine.State, bundleId);

    /// <summary>The bundle resource as the state says.</summary>
    public static BundleView View(NegotiationState state, string bundleId)
    {
        var b = state.Bundle(bundleId) ?? throw new InvalidOperationException($"Bundle {bundleId} is not in the state.");
        return new BundleView(b.BundleId, b.SessionId, b.Coordinator, BundleRecord.ToWire(b.Status), Ordered(b.SelectJson, SelectOrder), b.ClosesAt,
            [.. b.Members.Select(m => new BundleMemberInfo(m.ProposalId, m.CompactId, m.Counterparty, state.Proposal(m.ProposalId)!.Status.ToWire()))],
            b.Selected is { } selected ? [.. selected] : null,
            b.Ranking is { } ranking ? new JsonArray([.. ranking.Select(r => (JsonNode)Ordered(r!.AsObject(), RankingOrder))]) : null,
            b.Cause is { } cause ? Ordered(cause, CauseOrder) : null);
    }

    // The members of select, ranking entries, passports (their recent failures too) and causes in §15's and §16's order (events store them canonical).
    private static readonly string[] SelectOrder = ["mode", "count", "minCount", "order", "key", "type", "direction"];
    private static readonly string[] RankingOrder = ["proposalId", "keys", "excluded", "passport",
        "agent", "asOfSeq", "asOf", "score", "confidence", "counts", "recentFailures", "passportHash",
        "compacts", "honored", "active", "revokedByAgent", "revokedByCounterparty", "failures", "declined",
        "code", "at", "seq", "evidenceRefs"];
    private static readonly string[] CauseOrder = ["kind", "proposalId", "agent"];

    /// <summary>A copy with the named members first, in that order, nested objects likewise; other members after them.</summary>
    private static JsonObject Ordered(JsonObject source, string[] order)
    {
        var copy = new JsonObject();
        foreach (var (name, value) in source.OrderBy(p => Array.IndexOf(order, p.Key) is var i and >= 0 ? i : int.MaxValue))
        {
            copy[name] = value switch
            {
                JsonObject o when name is "passport" or "counts" => Ordered(o, order),
                JsonArray a when name is "order" or "recentFailures" => new JsonArray([.. a.Select(k => (JsonNode?)(k is JsonObject ko ? Ordered(ko, order) : k?.DeepClone()))]),
                _ => value?.DeepClone(),
            };
        }
        return copy;
    }

    /// <summary>One member as the payload gives it: its terms and signature read, or why they do not read (pointers under /payload/members/{i}).</summary>
    private sealed record MemberInput(int Index, JsonObject Node, string ProposalId, CompactTerms? Terms, CompactSignature? Signature, string TermsHash,
        ProposalFacts? Facts, IReadOnlyList<FieldError> ReadErrors)
    {
        public string Pointer => $"/payload/members/{Index}";

        /// <summary>The member as a mandate judges it: a proposal with the coordinator's first signature, made when the envelope was issued.</summary>
        public NewProposal AsNewProposal(AuthenticatedEnvelope auth) => new(ProposalId, Node["terms"]!.AsObject(), Terms!,
            new SignatureEntry(Signature!.Party, auth.Signer, Signature.Sig, auth.Envelope.IssuedAt, Signature.PrincipalAuthorization), null);
    }

    private static MemberInput ReadMember(JsonNode? node, int i, DateTimeOffset now)
    {
        var pointer = $"/payload/members/{i}";
        var proposalId = PactIds.New(PactIds.Proposal, now);
        if (node is not JsonObject member)
            return new MemberInput(i, [], proposalId, null, null, "", null, [new FieldError(pointer, PactCodes.InvalidPayload, "A member is { terms, signature }.")]);
        var errors = new List<FieldError>();
        foreach (var name in member.Select(p => p.Key).Where(k => k is not ("terms" or "signature")))
            errors.Add(new FieldError($"{pointer}/{name}", PactCodes.InvalidPayload, $"Unknown member '{name}'."));
        var termsNode = member["terms"];
        var (terms, readErrors) = TermsReader.Read(termsNode);
        errors.AddRange(readErrors.Select(e => e with { Pointer = pointer + "/terms" + e.Pointer }));
        var (signature, signatureErrors) = CompactSignature.FromJson(member["signature"], pointer + "/signature");
        errors.AddRange(signatureErrors);
        var termsHash = termsNode is null ? "" : CompactCrypto.TermsHash(termsNode);
        ProposalFacts? facts = terms is not null && signature is not null
            ? new ProposalFacts(terms.CompactId, terms.Version, terms.Parties.A.Agent, terms.Parties.B.Agent, signature.Party, termsHash,
                terms.NegotiationTimeoutDuration, terms.Revocation.AckTimeoutDuration, terms.Predecessor)
            : ProposalFacts.ForStateChecks(member, termsHash);
        if (terms is null || signature is null) terms = null;
        return new MemberInput(i, member, proposalId, terms, signature, termsHash, facts, errors);
    }

    /// <summary>closesAt: a timestamp later than now, no later than now + the smallest member negotiationTimeout (P30D when all are null).</summary>
    private static DateTimeOffset? ReadClosesAt(JsonNode? node, IReadOnlyList<MemberInput> members, DateTimeOffset now, List<FieldError> errors)
    {
        if (node is not JsonValue v || !v.TryGetValue<string>(out var text) || !Timestamp.TryParse(text, out var closesAt))
        {
            errors.Add(new FieldError("/payload/closesAt", PactCodes.InvalidPayload, "'closesAt' must be a timestamp like 2026-11-21T22:33:31.123Z."));
            return null;
        }
        // A member whose timeout ends on no real instant bounds nothing: the member itself is refused (ProposalExpiry).
        var windows = members.Select(m => ProposalExpiry.TryCompute(m.Terms?.NegotiationTimeoutDuration, now, out var end) ? end : null)
            .OfType<DateTimeOffset>().ToList();
        var latest = windows.Count > 0 ? windows.Min() : DefaultWindow.AddTo(now);
        if (closesAt <= now || closesAt > latest)
        {
            errors.Add(new FieldError("/payload/closesAt", PactCodes.InvalidPayload,
                $"'closesAt' must be later than now and no later than {Timestamp.ToText(latest)} (the smallest member negotiationTimeout, or P30D)."));
            return null;
        }
        return closesAt;
    }

    private static UpstreamInfo? Upstream(NegotiationState state, string compactId)
    {
        if (state.InForce(compactId) is not { } inForce || !state.Bindings.TryGetValue(compactId, out var binding)) return null;
        return new UpstreamInfo(inForce.Version, binding.AgentA, binding.AgentB);
    }
}
