using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Pact.Core.Contracts;
using Pact.Core.Encoding;
using Pact.Core.Envelopes;
using Pact.Core.Errors;
using Pact.Core.Json;
using Pact.Daemon.Hosting;
using Pact.Daemon.Http;

using Pact.Store;

namespace Pact.Daemon.Auth;

/// <summary>An envelope that passed every check of §2, ready for its command.</summary>
/// <param name="PayloadHash">hex SHA-256 of the payload's JCS form: what makes a resend "identical".</param>
public sealed record AuthenticatedEnvelope(Envelope Envelope, string PayloadHash, DateTimeOffset Now)
{
    public string Signer => Envelope.Signer;

    public JsonObject Payload => Envelope.Payload;

    /// <summary>The envelope as recorded in the first event it causes (data.envelope).</summary>
    public JsonObject ToEventJson() => Envelope.ToJson();
}

/// <summary>The outcome of authentication: proceed, replay a remembered response, or refuse (429s with a wait).</summary>
public sealed record AuthOutcome(AuthenticatedEnvelope? Envelope, StoredResponse? Replay, PactError? Error, TimeSpan? RetryAfter = null)
{
    /// <summary>The refusal as the response, when there is one.</summary>
    public IResult? Refusal => Error is null ? null : Problems.Result(Error, RetryAfter);
}

/// <summary>
/// Checks a signed request in the order §2 fixes, answering the first failure: shape, type, unknown
/// members, targets (PACT-101); audience (206); freshness (204); signature (201); registered signer
/// (202); nonce (203, or the original response for an identical resend).
/// </summary>
public sealed class EnvelopeAuthenticator(DaemonIdentity daemon, TimeProvider time, IAgentDirectory agents, INonceStore nonces, RequestBudget budget, IHttpContextAccessor http)
{
    public async Task<AuthOutcome> AuthenticateAsync(
        SignedEnvelope body, PayloadShape spec, IReadOnlyDictionary<string, string>? pathTargets = null,
        bool signerMayBeUnregistered = false, CancellationToken ct = default)
    {
        var (envelope, shapeError) = Envelope.Parse(body.Raw);
        if (envelope is null) return Refuse(shapeError!);
        var payload = envelope.Payload;
        if (envelope.Type != spec.Type)
            return Refuse(PactError.InvalidPayload($"This endpoint takes '{spec.Type}' envelopes, not '{envelope.Type}'.", "/payload/type"));
        foreach (var (name, _) in payload)
        {
            if (!Envelope.CommonMembers.Contains(name) && !spec.Fields.ContainsKey(name))
                return Refuse(PactError.InvalidPayload($"'{name}' is not a member of a {spec.Type} payload.", JsonPointer.Append("/payload", name)));
        }
        foreach (var (name, rule) in spec.Fields)
        {
            var pointer = JsonPointer.Append("/payload", name);
            if (!payload.ContainsKey(name))
            {
                if (rule.Required) return Refuse(PactError.InvalidPayload($"A {spec.Type} payload needs '{name}'.", pointer));
                continue;
            }
            if (rule.Check(payload[name]) is { } problem) return Refuse(PactError.InvalidPayload($"'{name}' {problem}.", pointer));
            if (rule.IsTarget && pathTargets is not null && pathTargets.TryGetValue(name, out var expected) &&
                payload[name]!.GetValue<string>() != expected)
                return Refuse(PactError.InvalidPayload($"'{name}' names {payload[name]} but the path names {expected}.", pointer));
        }

        if (envelope.Audience != daemon.DaemonId)
            return Refuse(new PactError(PactCodes.WrongAudience, 401, "Envelope addressed to another daemon",
                $"aud is {envelope.Audience}; this daemon is {daemon.DaemonId}."));
        var now = time.GetUtcNow();
        if (!envelope.IsFresh(now))
            return Refuse(new PactError(PactCodes.StaleIssuedAt, 401, "issuedAt outside the window",
                $"issuedAt {payload["issuedAt"]} is more than {Envelope.FreshnessWindow.TotalSeconds:0} s from the daemon's time {Pact.Core.Time.Timestamp.ToText(now)}."));
        // An address that keeps sending forgeries is refused before it costs another verification.
        var address = http.HttpContext?.Connection.RemoteIpAddress;
        if (budget.MayVerify(address) is { } flooded) return new AuthOutcome(null, null, flooded.Error, flooded.RetryAfter);
        var canonicalPayload = Jcs.Canonicalize(payload);
        if (!envelope.VerifySignature(canonicalPayload))
        {
            budget.SpendInvalidSignature(address);
            return Refuse(new PactError(PactCodes.BadEnvelopeSignature, 401, "Envelope signature does not verify",
                "sig is not the signer's Ed25519 signature over \"pact-msg-v1\\n\" followed by the JCS form of payload."));
        }
        // The signer's budget is spent only once the signature shows it is the signer asking.
        if (budget.TrySpend(envelope.Signer) is { } limited) return new AuthOutcome(null, null, limited.Error, limited.RetryAfter);
        if (!signerMayBeUnregistered && !await agents.IsRegisteredAsync(envelope.Signer, ct))
            return Refuse(new PactError(PactCodes.UnknownSigner, 401, "Unknown signer", $"{envelope.Signer} is not a registered agent; register it with POST /v1/agents."));

        var payloadHash = Hex.Encode(SHA256.HashData(canonicalPayload));
        var remembered = await nonces.FindAsync(envelope.Signer, envelope.Nonce, ct);
        if (remembered is not null)
        {
            if (remembered.PayloadHash == payloadHash) return new AuthOutcome(null, remembered, null);
            return Refuse(NonceRefusals.Reused(envelope.Nonce));
        }
        return new AuthOutcome(new AuthenticatedEnvelope(envelope, payloadHash, now), null, null);
    }

    private static AuthOutcome Refuse(PactError error) => new(null, null, error);
}
