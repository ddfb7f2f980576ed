using Pact.Core.Contracts;
using Pact.Daemon.Auth;
using Pact.Daemon.Http;
using Pact.Daemon.Telemetry;
using Pact.Store;

namespace Pact.Daemon.Application;

/// <summary>
/// The path every signed request takes: authenticate (§2), then replay a remembered response or run the
/// command (which commits through <see cref="DecisionEngine.CommitAsync"/>).
/// </summary>
public sealed class CommandRunner(EnvelopeAuthenticator authenticator, INonceStore nonces, IHttpContextAccessor http)
{
    public async Task<IResult> RunAsync(
        SignedEnvelope body, PayloadShape spec, IReadOnlyDictionary<string, string>? targets,
        Func<AuthenticatedEnvelope, CancellationToken, Task<CommandOutcome>> handler,
        CancellationToken ct, bool signerMayBeUnregistered = false)
    {
        AuthOutcome auth;
        using (var span = PactTelemetry.ActivitySource.StartActivity(PactTelemetry.Spans.Authenticate))
        {
            span?.SetTag("pact.envelope.type", spec.Type);
            auth = await authenticator.AuthenticateAsync(body, spec, targets, signerMayBeUnregistered, ct);
            if (auth.Error is not null) span.Refused(auth.Error.Code);
        }
        if (auth.Refusal is { } refusal) return refusal;
        if (auth.Replay is not null) return CommandOutcome.Json(auth.Replay.Status, auth.Replay.Body);
        var envelope = auth.Envelope!;
        if (http.HttpContext is { } context) context.Items[CallerItems.Agent] = envelope.Signer;
        try
        {
            return (await handler(envelope, ct)).ToResult();
        }
        catch (DuplicateNonceException)
        {
            // An identical twin of this request committed first: answer as it was answered.
            var stored = await nonces.FindAsync(envelope.Signer, envelope.Envelope.Nonce, ct);
            if (stored is not null && stored.PayloadHash == envelope.PayloadHash) return CommandOutcome.Json(stored.Status, stored.Body);
            return Problems.Result(NonceRefusals.Reused(envelope.Envelope.Nonce));
        }
    }
}
