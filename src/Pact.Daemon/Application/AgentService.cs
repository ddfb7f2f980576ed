using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Pact.Core.Contracts;
using Pact.Core.Contracts.Responses;
using Pact.Core.Encoding;
using Pact.Core.Errors;
using Pact.Core.Identity;
using Pact.Core.Time;
using Pact.Daemon.Auth;
using Pact.Daemon.Hosting;
using Pact.Daemon.Http;
using Pact.Store;

namespace Pact.Daemon.Application;

/// <summary>Agent registration with proof of possession, invites and bearer tokens (§3).</summary>
public sealed class AgentService(
    DecisionEngine engine, IAgentDirectory agents, BearerTokens tokens, ListenerInfo listener,
    IOptions<PactOptions> options, TimeProvider time)
{
    public static PayloadShape RegisterSpec => AgentRegisterPayload.Shape;

    public static PayloadShape TokenSpec => AuthTokenPayload.Shape;

    /// <summary>The envelope is signed by the new agent's own key: that is the proof of possession.</summary>
    public async Task<CommandOutcome> RegisterAsync(AuthenticatedEnvelope auth, CancellationToken ct)
    {
        if (await agents.GetAsync(auth.Signer, ct) is { } existing) return CommandOutcome.Ok(200, existing.ToResponse());
        var invite = auth.Payload["invite"]?.GetValue<string>();
        var needsInvite = !listener.LoopbackOnly && !options.Value.OpenRegistration;
        if (needsInvite && invite is null)
            return new PactError(PactCodes.Forbidden, 403, "Invite required", "This daemon is reachable beyond loopback; registration needs an invite code from an operator.");
        DidKey.TryGetPublicKey(auth.Signer, out var publicKey);
        var record = new AgentRecord(auth.Signer, Base64Url.Encode(publicKey), (JsonObject)auth.Payload["principal"]!.DeepClone(),
            auth.Payload["displayName"]?.GetValue<string>(), Timestamp.ToText(auth.Now));
        return await engine.CommitWithoutEventsAsync(auth, transaction =>
        {
            if (invite is not null && !transaction.ConsumeInvite(invite, auth.Signer, auth.Now) && needsInvite)
                return new PactError(PactCodes.Forbidden, 403, "Invalid invite", "The invite code is unknown, used or expired.");
            if (!transaction.InsertAgent(record))
                return CommandOutcome.Ok(200, transaction.FindAgent(auth.Signer)!.ToResponse());
            return CommandOutcome.Ok(201, record.ToResponse());
        }, ct);
    }

    public Task<CommandOutcome> IssueTokenAsync(AuthenticatedEnvelope auth, CancellationToken ct)
    {
        var (token, expiresAt) = tokens.Issue(auth.Signer);
        return engine.CommitWithoutEventsAsync(auth, _ => CommandOutcome.Ok(200, new BearerToken(token, expiresAt)), ct);
    }

    public async Task<Invite> CreateInviteAsync(string? expiresIn, CancellationToken ct)
    {
        var duration = expiresIn is null ? IsoDuration.Parse("P7D") : IsoDuration.Parse(expiresIn);
        var code = "inv_" + Base64Url.Encode(RandomNumberGenerator.GetBytes(18));
        var expiresAt = Timestamp.Truncate(duration.AddToOrEndOfTime(time.GetUtcNow()));
        await agents.CreateInviteAsync(code, Timestamp.ToText(expiresAt), ct);
        return new Invite(code, expiresAt);
    }
}
