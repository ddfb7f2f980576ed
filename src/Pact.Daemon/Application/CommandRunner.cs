using Pact.Core.Events;
using Pact.Daemon.Auth;
using Pact.Daemon.Http;
using Pact.Daemon.Persistence;
using Pact.Transcript;

namespace Pact.Daemon.Application;

/// <summary>
/// The path every signed request takes: authenticate (§2) → replay a remembered response or run the
/// command → commit its events, read-model writes and the nonce with its response in one transaction.
/// </summary>
public sealed class CommandRunner(EnvelopeAuthenticator authenticator, NonceStore nonces, TranscriptStore store)
{
    public async Task<IResult> RunAsync(
        SignedEnvelope body, PayloadSpec spec, IReadOnlyDictionary<string, string>? targets,
        Func<AuthenticatedEnvelope, CancellationToken, Task<CommandOutcome>> handler,
        CancellationToken ct, bool signerMayBeUnregistered = false)
    {
        var auth = await authenticator.AuthenticateAsync(body, spec, targets, signerMayBeUnregistered, ct);
        if (auth.Error is not null) return Problems.Result(auth.Error);
        if (auth.Replay is not null) return CommandOutcome.Json(auth.Replay.Status, auth.Replay.Body);
        var envelope = auth.Envelope!;
        try
        {
            return (await handler(envelope, ct)).ToResult();
        }
        catch (Exception e) when (NonceStore.IsDuplicate(e) || (e.InnerException is { } inner && NonceStore.IsDuplicate(inner)))
        {
            // An identical twin of this request committed first: answer as it was answered.
            var stored = await nonces.FindAsync(envelope.Signer, envelope.Envelope.Nonce, ct);
            if (stored is not null && stored.PayloadHash == envelope.PayloadHash) return CommandOutcome.Json(stored.Status, stored.Body);
            return Problems.Result(NonceStore.Reused(envelope.Envelope.Nonce));
        }
    }

    /// <summary>
    /// Appends the command's events and runs <paramref name="project"/> (read-model writes and the
    /// response, computed from the committed events) in the same transaction as the nonce record.
    /// </summary>
    public async Task<CommandOutcome> CommitAsync(
        AuthenticatedEnvelope auth, IReadOnlyList<StreamAppend> streams,
        Func<AppendContext, CommandOutcome> project, CancellationToken ct)
    {
        var result = await store.AppendAsync(new AppendRequest(auth.Now, streams, context =>
        {
            var outcome = project(context);
            if (outcome.Error is null)
            {
                NonceStore.Remember(context, auth.Signer, auth.Envelope.Nonce, auth.Envelope.IssuedAt, auth.PayloadHash,
                    outcome.Status, outcome.Body!.ToJsonString(Pact.Core.Json.PactJson.Options));
            }
            return outcome;
        }), ct);
        return (CommandOutcome)result.Value!;
    }

    /// <summary>A command with no transcript events (registration, tokens): same transaction discipline.</summary>
    public Task<CommandOutcome> CommitWithoutEventsAsync(AuthenticatedEnvelope auth, Func<AppendContext, CommandOutcome> project, CancellationToken ct) =>
        CommitAsync(auth, [], project, ct);

    public static StreamAppend Stream(string stream, params EventDraft[] events) => new(stream, events);
}
