using System.Text.Json.Nodes;
using Pact.Core.Compacts;
using Pact.Core.Contracts;
using Pact.Core.Contracts.Responses;
using Pact.Core.Errors;
using Pact.Core.Ids;
using Pact.Core.Identity;
using Pact.Core.Mandates;
using Pact.Core.Negotiation;
using Pact.Core.Time;
using Pact.Daemon.Application;
using Pact.Daemon.Auth;
using Pact.Daemon.Policies;
using Pact.Store;

namespace Pact.Daemon.Mandates;

/// <summary>
/// Mandates over REST (§14): grant and revocation (each an event in the mandate's own stream, under the granter's
/// mandate lock so that a proposal's commit sees either the grant or the revocation, never both), reading one, the
/// caller's list, and the stream's events. A mandate is visible to its granter and the operator only.
/// </summary>
public sealed class MandateService(DecisionEngine engine, PolicyCatalog catalog, IAgentDirectory agents, IPactStore store, TimeProvider time)
{
    public static PayloadShape GrantSpec => MandateGrantPayload.Shape;

    public static PayloadShape RevokeSpec => MandateRevokePayload.Shape;

    public const string InvalidTitle = "Mandate grant is invalid";

    /// <summary>201 the mandate; refusals in §11's order: scoped sessions not visible (404), a hash granted before (306), then the grant's content.</summary>
    public async Task<CommandOutcome> GrantAsync(AuthenticatedEnvelope auth, CancellationToken ct)
    {
        var command = new GrantMandate(auth.ToEventJson(), PactIds.New(PactIds.Mandate, auth.Now));
        var payload = auth.Payload;
        return await engine.ExecuteAsync(auth, [DecisionEngine.MandateKey(auth.Signer)], async input =>
        {
            if (InvisibleScopedSession(input.State, payload["scope"], auth.Signer) is { } invisible) return PactError.NotFound($"Session {invisible}");
            if (MandateMachine.CheckGrantState(input.State, command) is { } twin) return twin;
            var errors = new List<FieldError>();
            errors.AddRange(MandateScope.Read(payload["scope"], "/payload/scope").Errors);
            errors.AddRange(MandateMachine.CheckExpiry(Timestamp.Parse(payload["expiresAt"]!.GetValue<string>()), input.Now));
            var policyHash = payload["policyHash"]!.GetValue<string>();
            if (await catalog.GetAsync(policyHash, ct) is null)
                errors.Add(new FieldError("/payload/policyHash", PactCodes.PolicyInvalid, $"The policy {policyHash} is not published on this daemon."));
            if (payload["principalAuthorization"] is { } authorization)
                errors.AddRange(await CheckAuthorizationAsync(authorization, policyHash, auth.Signer, auth.Envelope.IssuedAt, ct));
            if (errors.Count > 0) return PactError.FromFieldErrors(InvalidTitle, errors);
            return MandateMachine.Granted(command);
        }, transaction =>
        {
            var granted = transaction.Events[0];
            return CommandOutcome.Ok(201, MandateRecord.FromGranted(granted.Data, granted.Seq)!.ToResource(Timestamp.Parse(granted.Time)));
        }, ct);
    }

    /// <summary>200 the mandate, now revoked; 404 for anyone but the granter, 409 PACT-306 once it is no longer active.</summary>
    public Task<CommandOutcome> RevokeAsync(AuthenticatedEnvelope auth, CancellationToken ct)
    {
        var mandateId = auth.Payload["mandateId"]!.GetValue<string>();
        var command = new RevokeMandate(auth.ToEventJson(), mandateId);
        return engine.ExecuteAsync(auth, [DecisionEngine.MandateKey(auth.Signer)],
            input => Task.FromResult(MandateMachine.Revoke(input.State, command, input.Now)),
            transaction => CommandOutcome.Ok(200, (engine.State.Mandate(mandateId)! with { Status = MandateStatus.Revoked }).ToResource(auth.Now)), ct);
    }

    /// <summary>The mandate as of now, or 404 for a caller that is neither its granter nor the operator.</summary>
    public (MandateResource? Mandate, PactError? Error) Get(Caller caller, string mandateId) =>
        Visible(caller, mandateId) is { } m ? (m.ToResource(Now), null) : (null, PactError.NotFound($"Mandate {mandateId}"));

    /// <summary>The caller's mandates (the operator's without <c>agent=me</c>: everyone's) in id order, after <paramref name="after"/>.</summary>
    public MandatePage List(Caller caller, bool onlyMine, string? after, int limit)
    {
        var state = engine.State;
        IEnumerable<MandateRecord> mandates = caller.IsAdmin && !onlyMine ? state.Mandates.Values
            : caller.Agent is null ? [] : state.MandatesOf(caller.Agent);
        var rows = mandates.Where(m => after is null || string.CompareOrdinal(m.MandateId, after) > 0).Take(limit + 1).ToList();
        var page = rows.Take(limit).ToList();
        var now = Now;
        return new MandatePage([.. page.Select(m => m.ToResource(now))], rows.Count > limit ? page[^1].MandateId : null);
    }

    /// <summary>A page of the mandate stream's events (§8.3's shape), or 404.</summary>
    public async Task<(EventPage? Page, PactError? Error)> EventsAsync(Caller caller, string mandateId, long after, int limit, CancellationToken ct)
    {
        if (Visible(caller, mandateId) is null) return (null, PactError.NotFound($"Mandate {mandateId}"));
        var events = await store.ReadStreamAsync(mandateId, after, limit + 1, ct);
        var page = events.Take(limit).ToList();
        return (new EventPage(page, events.Count > limit ? page[^1].StreamSeq : null), null);
    }

    private DateTimeOffset Now => Timestamp.Truncate(time.GetUtcNow());

    private MandateRecord? Visible(Caller caller, string mandateId) =>
        engine.State.Mandate(mandateId) is { } m && (caller.IsAdmin || caller.Agent == m.Agent) ? m : null;

    /// <summary>The first readable <c>scope.sessions</c> entry the granter cannot see (§14: PACT-404), judged before the scope's own shape.</summary>
    private static string? InvisibleScopedSession(NegotiationState state, JsonNode? scope, string granter)
    {
        if (scope?["sessions"] is not JsonArray sessions) return null;
        foreach (var entry in sessions)
        {
            if (entry is JsonValue v && v.TryGetValue<string>(out var id) && (state.Session(id) is not { } s || !s.IsParticipant(granter))) return id;
        }
        return null;
    }

    /// <summary>
    /// The grant's <c>principalAuthorization</c> (§14): a verified standing policy (§13) for the granted policy, by the
    /// granter's registered principal, for the granter, still valid when the grant was signed. PACT-101 for another shape,
    /// PACT-109 for anything that does not verify.
    /// </summary>
    private async Task<IReadOnlyList<FieldError>> CheckAuthorizationAsync(JsonNode authorization, string policyHash, string agent, DateTimeOffset issuedAt, CancellationToken ct)
    {
        const string Pointer = "/payload/principalAuthorization";
        var (read, errors) = PrincipalAuthorization.FromJson(authorization, Pointer);
        if (errors.Count > 0) return errors;
        if (read is not VerifiedStandingPolicyAuthorization verified)
            return [new FieldError(Pointer + "/method", PactCodes.InvalidPayload, "A grant's principalAuthorization is a verified standing policy { method, policyHash, principal, notAfter, sig }.")];
        FieldError Bad(string member, string message) => new(Pointer + "/" + member, PactCodes.BadCompactSignature, message);
        if (verified.PolicyHash != policyHash) return [Bad("policyHash", "The authorization names another policy than the grant.")];
        var principal = (await agents.GetAsync(agent, ct))?.Principal["id"]?.GetValue<string>();
        if (principal is null || verified.Principal != principal) return [Bad("principal", $"Names {verified.Principal}, but the granter's principal is {principal}.")];
        if (!DidKey.IsValid(principal)) return [Bad("principal", "The granter's principal is not a did:key, so it cannot authorize a policy.")];
        if (verified.NotAfter <= issuedAt) return [Bad("notAfter", "The authorization ended before the grant was signed.")];
        var input = VerifiedStandingPolicyAuthorization.SigningInput(policyHash, agent, verified.NotAfter);
        return Core.Encoding.Base64Url.TryDecode(verified.Sig, out var sig) && DidKey.Verify(principal, input, sig)
            ? []
            : [Bad("sig", $"Not the principal's authorization of policy {policyHash} for this agent.")];
    }
}

/// <summary>Registers the mandate service (§14).</summary>
public static class MandateServices
{
    public static IServiceCollection AddPactMandates(this IServiceCollection services) =>
        services.AddSingleton<MandateService>().AddSingleton<MandateRuntime>();
}
