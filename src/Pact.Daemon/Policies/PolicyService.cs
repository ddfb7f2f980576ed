using System.Text.Json;
using System.Text.Json.Nodes;
using Pact.Core.Compacts;
using Pact.Core.Contracts;
using Pact.Core.Contracts.Responses;
using Pact.Core.Errors;
using Pact.Core.Negotiation;
using Pact.Core.Policies;
using Pact.Core.Terms;
using Pact.Core.Time;
using Pact.Daemon.Application;
using Pact.Daemon.Auth;
using Pact.Store;

namespace Pact.Daemon.Policies;

/// <summary>
/// Policies over REST (§13): publication (content-addressed, no event), reading by hash, and the dry run that evaluates
/// a policy on a recorded proposal or on bare terms and records nothing.
/// </summary>
public sealed class PolicyService(
    DecisionEngine engine, PolicyCatalog catalog, PolicyInputs inputs, IPolicyStore policies, IProposalReadModel proposals,
    IAgentDirectory agents, ResourceVisibility visibility, IPactStore store, TimeProvider time)
{
    public static PayloadShape PublishSpec => PolicyPublishPayload.Shape;

    private static readonly string[] EvaluateMembers = ["policy", "policyHash", "proposalId", "terms", "me", "counterparty", "session", "at"];

    /// <summary>201 with the hash and effective rule count; 200 the same when that hash is already published.</summary>
    public async Task<CommandOutcome> PublishAsync(AuthenticatedEnvelope auth, CancellationToken ct)
    {
        var (policy, error) = await catalog.CompileAsync(auth.Payload["policy"], "/payload/policy", ct);
        if (policy is null) return error!;
        var published = new PolicyPublished(policy.PolicyHash, policy.Document.Name, policy.Rules.Count);
        var record = new PolicyRecord(policy.PolicyHash, policy.Document.Name, policy.Json, policy.Rules.Count, auth.Signer, Timestamp.ToText(auth.Now));
        var outcome = await engine.CommitWithoutEventsAsync(auth,
            transaction => CommandOutcome.Ok(transaction.InsertPolicy(record) ? 201 : 200, published), ct);
        catalog.Remember(policy);
        return outcome;
    }

    /// <summary>The document as published, or 404 for a hash not published here.</summary>
    public async Task<(JsonObject? Policy, PactError? Error)> GetAsync(string policyHash, CancellationToken ct) =>
        Core.Encoding.Hex.IsDigest(policyHash) && await policies.GetAsync(policyHash, ct) is { } record
            ? ((JsonObject)record.Document.DeepClone(), null)
            : (null, PactError.NotFound($"Policy {policyHash}"));

    /// <summary>The dry run: { policy | policyHash, proposalId } or { policy | policyHash, terms, me, counterparty?, session?, at? }.</summary>
    public async Task<(PolicyEvaluation? Evaluation, PactError? Error)> EvaluateAsync(Caller caller, JsonObject? body, CancellationToken ct)
    {
        if (body is null) return (null, PactError.InvalidPayload("The body is a JSON object.", ""));
        var shape = EvaluateRequest.Read(body, EvaluateMembers);
        if (shape.Errors.Count > 0) return (null, PactError.FromFieldErrors("Invalid payload", shape.Errors));

        PolicyInput input;
        CounterTermsCheck counterCheck;
        if (shape.ProposalId is { } proposalId)
        {
            var proposal = await proposals.GetProposalAsync(proposalId, ct);
            if (proposal is null || !visibility.CanSeeInSession(caller, proposal.SessionId)) return (null, PactError.NotFound($"Proposal {proposalId}"));
            var role = RoleOf(proposal, caller.Agent) ?? (caller.IsAdmin ? shape.Me : null);
            if (role is null)
            {
                return (null, caller.IsAdmin
                    ? PactError.InvalidPayload("The admin names the deciding party with 'me' (\"a\" or \"b\").", "/me")
                    : PactError.Forbidden("Only a party of the proposal may evaluate a policy on it."));
            }
            var (policyForProposal, policyError) = await PolicyAsync(shape, ct);
            if (policyForProposal is null) return (null, policyError);
            input = await inputs.ForProposalAsync(proposal, role, ct) ?? throw new InvalidOperationException($"Proposal {proposalId} has no readable terms.");
            counterCheck = await CounterCheckAsync(input.Terms, role, ct);
            return (PolicyEvaluation.From(PolicyEvaluator.Evaluate(policyForProposal, input, counterCheck)), null);
        }

        // The given terms are judged first (§13: "the terms are validated first"; §11 puts terms before policies), as terms
        // (§4.2), nobody proposing them; a counter as the owner would propose it.
        var termErrors = (await TermsCheckAsync(shape.Terms!, null, ct))(shape.Terms!);
        if (termErrors.Count > 0)
            return (null, PactError.FromFieldErrors(TermsValidator.Title, termErrors.Select(e => e with { Pointer = "/terms" + e.Pointer })));
        var (policy, error) = await PolicyAsync(shape, ct);
        if (policy is null) return (null, error);
        counterCheck = await CounterCheckAsync(shape.Terms!, shape.Me!, ct);
        var terms = shape.Terms!;
        var at = shape.At ?? Timestamp.Truncate(time.GetUtcNow());
        var them = shape.Me == "a" ? "b" : "a";
        var facts = new PolicyProposalFacts(null, shape.Session?.SessionId, terms["compactId"]!.GetValue<string>(), terms["version"]!.GetValue<long>(),
            them, null, CompactCrypto.TermsHash(terms), at, null);
        input = await inputs.ForTermsAsync(terms, shape.Me!, facts, store.HeadSeq, shape.Session ?? PolicySessionFacts.None, ct);
        if (shape.Passport is { } passport) input = input with { Counterparty = input.Counterparty with { Passport = passport } };
        return (PolicyEvaluation.From(PolicyEvaluator.Evaluate(policy, input, counterCheck)), null);
    }

    /// <summary>
    /// §4.2 in full, with the registry, as the policy owner's own proposal.create would judge the terms: upstream
    /// compacts are judged from the daemon's state, and the owner (party <paramref name="me"/>), who would propose the
    /// counter, must be a party of each (PACT-108). The §5 slot rules are the proposal path's (a counter keeps
    /// compactId, version, predecessor and parties, which a set may not touch).
    /// </summary>
    public Task<CounterTermsCheck> CounterCheckAsync(JsonObject terms, string me, CancellationToken ct) =>
        TermsCheckAsync(terms, terms["parties"]?[me]?["agent"] is JsonValue v && v.TryGetValue<string>(out var owner) ? owner : "", ct);

    /// <summary>§4.2 with the registry and the upstream compacts' state; the proposer check (PACT-108) only with <paramref name="proposer"/>.</summary>
    private async Task<CounterTermsCheck> TermsCheckAsync(JsonObject terms, string? proposer, CancellationToken ct)
    {
        var registered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var role in new[] { "a", "b" })
        {
            if (terms["parties"]?[role]?["agent"] is JsonValue v && v.TryGetValue<string>(out var did) && await agents.IsRegisteredAsync(did, ct))
                registered.Add(did);
        }
        return TermsCheck(registered.Contains, engine.State, proposer);
    }

    /// <summary>§4.2 with a registry and the upstream compacts judged from <paramref name="state"/>: what the live path checks
    /// counter terms with, and what GET verify rebuilds as of a decision's seq.</summary>
    public static CounterTermsCheck TermsCheck(Func<string, bool> registered, NegotiationState state, string? proposer)
    {
        var context = new TermsValidationContext(registered, (id, _) =>
            state.InForce(id) is { } inForce && state.Bindings.TryGetValue(id, out var binding)
                ? new UpstreamInfo(inForce.Version, binding.AgentA, binding.AgentB)
                : null, proposer);
        return patched => TermsValidator.ReadAndValidate(patched, context).Error?.Errors ?? [];
    }

    private async Task<(CompiledPolicy? Policy, PactError? Error)> PolicyAsync(EvaluateRequest shape, CancellationToken ct)
    {
        if (shape.PolicyHash is { } hash)
        {
            return await catalog.GetAsync(hash, ct) is { } published
                ? (published, null)
                : (null, PactError.FromFieldErrors("Policy is invalid", [new FieldError("/policyHash", PactCodes.PolicyInvalid, $"The policy {hash} is not published on this daemon.")]));
        }
        return await catalog.CompileAsync(shape.Policy, "/policy", ct);
    }

    private static string? RoleOf(ProposalRow proposal, string? agent)
    {
        if (agent is null || proposal.Terms is not JsonObject terms) return null;
        foreach (var role in new[] { "a", "b" })
        {
            if (terms["parties"]?[role]?["agent"]?.GetValue<string>() == agent) return role;
        }
        return null;
    }
}

/// <summary>The members of POST /v1/policies/evaluate, read with PACT-101 for every malformed one.</summary>
internal sealed record EvaluateRequest(
    JsonNode? Policy, string? PolicyHash, string? ProposalId, JsonObject? Terms, string? Me, PolicyPassportFacts? Passport,
    PolicySessionFacts? Session, DateTimeOffset? At, List<FieldError> Errors)
{
    public static EvaluateRequest Read(JsonObject body, string[] known)
    {
        var errors = new List<FieldError>();
        void Fail(string pointer, string message) => errors.Add(new FieldError(pointer, PactCodes.InvalidPayload, message));
        RefuseUnknown(body, "", known, Fail);
        var hasPolicy = body.ContainsKey("policy");
        var policyHash = Text(body, "policyHash", Fail);
        if (hasPolicy == (policyHash is not null || body.ContainsKey("policyHash"))) Fail("/policy", "Give exactly one of 'policy' and 'policyHash'.");
        if (policyHash is not null && !Core.Encoding.Hex.IsDigest(policyHash)) Fail("/policyHash", "A policy hash is 64 lowercase hex characters.");
        var proposalId = Text(body, "proposalId", Fail);
        var terms = body["terms"] as JsonObject;
        if (body.ContainsKey("terms") && terms is null) Fail("/terms", "The terms are an object.");
        if ((proposalId is null) == (terms is null)) Fail("/proposalId", "Give exactly one of 'proposalId' and 'terms'.");
        var me = Text(body, "me", Fail);
        if (me is not null and not ("a" or "b")) Fail("/me", "'me' is \"a\" or \"b\".");
        if (terms is not null && me is null) Fail("/me", "With 'terms', 'me' names the deciding party (\"a\" or \"b\").");
        if (terms is not null && !body.ContainsKey("proposalId")) CheckTermsCanBeJudged(terms, Fail);
        if (proposalId is not null && (body.ContainsKey("counterparty") || body.ContainsKey("session") || body.ContainsKey("at")))
            Fail("/proposalId", "With 'proposalId' the input is the recorded one: counterparty, session and at are not given.");
        var passport = ReadPassport(body["counterparty"], body.ContainsKey("counterparty"), Fail);
        var session = ReadSession(body["session"], body.ContainsKey("session"), Fail);
        DateTimeOffset? at = null;
        if (Text(body, "at", Fail) is { } atText)
        {
            if (Timestamp.TryParse(atText, out var instant)) at = instant;
            else Fail("/at", "'at' is a timestamp like 2026-12-06T00:00:00.000Z.");
        }
        return new EvaluateRequest(body["policy"], policyHash, proposalId, terms, me, passport, session, at, errors);
    }

    // The input needs compactId and version as they are (the full §4.2 check comes later, with pointers under /terms).
    private static void CheckTermsCanBeJudged(JsonObject terms, Action<string, string> fail)
    {
        if (terms["compactId"] is not JsonValue id || !id.TryGetValue<string>(out _)) fail("/terms/compactId", "The terms need a compactId.");
        if (terms["version"] is not JsonValue v || !v.TryGetValue<long>(out _)) fail("/terms/version", "The terms need an integer version.");
    }

    private static string? Text(JsonObject body, string name, Action<string, string> fail)
    {
        if (!body.TryGetPropertyValue(name, out var node)) return null;
        if (node is JsonValue v && v.TryGetValue<string>(out var text)) return text;
        fail("/" + name, $"'{name}' is a string.");
        return null;
    }

    private static readonly string[] PassportFigures = ["score", "confidence", "compacts", "failures", "asOfSeq"];

    /// <summary>Every member not in <paramref name="known"/> is a PACT-101 at its own pointer, as in every other payload.</summary>
    private static void RefuseUnknown(JsonObject obj, string at, string[] known, Action<string, string> fail)
    {
        foreach (var (name, _) in obj)
        {
            if (!known.Contains(name)) fail($"{at}/{name}", $"Unknown member '{name}'.");
        }
    }

    private static PolicyPassportFacts? ReadPassport(JsonNode? node, bool present, Action<string, string> fail)
    {
        if (!present) return null;
        if (node is not JsonObject counterparty || counterparty["passport"] is not JsonObject passport)
        {
            fail("/counterparty", "counterparty is { passport: { score, confidence, compacts, failures, asOfSeq } } (agent and principal come from the terms).");
            return null;
        }
        RefuseUnknown(counterparty, "/counterparty", ["passport", "agent", "principal"], fail);
        RefuseUnknown(passport, "/counterparty/passport", PassportFigures, fail);
        long Figure(string name)
        {
            if (passport[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) && n >= 0) return n;
            fail("/counterparty/passport/" + name, $"'{name}' is a non-negative integer.");
            return 0;
        }
        return new PolicyPassportFacts(Figure("score"), Figure("confidence"), Figure("compacts"), Figure("failures"), Figure("asOfSeq"));
    }

    private static PolicySessionFacts? ReadSession(JsonNode? node, bool present, Action<string, string> fail)
    {
        if (!present) return null;
        if (node is not JsonObject session)
        {
            fail("/session", "session is { sessionId, topic, participants }.");
            return null;
        }
        RefuseUnknown(session, "/session", ["sessionId", "topic", "participants"], fail);
        string? Member(string name)
        {
            if (session[name] is null) return null;
            if (session[name] is JsonValue v && v.TryGetValue<string>(out var s)) return s;
            fail("/session/" + name, $"'{name}' is a string or null.");
            return null;
        }
        List<string>? participants = null;
        if (session["participants"] is JsonArray list)
        {
            participants = [];
            foreach (var item in list)
            {
                if (item is JsonValue v && v.TryGetValue<string>(out var did)) participants.Add(did);
                else fail("/session/participants", "participants is a list of dids.");
            }
        }
        else if (session["participants"] is not null)
        {
            fail("/session/participants", "participants is a list of dids or null.");
        }
        return new PolicySessionFacts(Member("sessionId"), Member("topic"), participants);
    }
}

/// <summary>Registers publication, the dry run, the compiled-policy cache and the input builder (§13).</summary>
public static class PolicyServices
{
    public static IServiceCollection AddPactPolicies(this IServiceCollection services)
    {
        services.AddSingleton<PolicyCatalog>();
        services.AddSingleton<PolicyInputs>();
        services.AddSingleton<PolicyService>();
        services.AddSingleton<StandingPolicies>();
        return services;
    }
}
