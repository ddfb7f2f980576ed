namespace Pact.Core.Contracts.Responses;

/// <summary>A registered agent (§3): <c>POST /v1/agents</c> and <c>GET /v1/agents/{id}</c>.</summary>
/// <param name="AgentId">The agent's did:key.</param>
/// <param name="PublicKey">Its Ed25519 public key, b64u.</param>
/// <param name="Principal">Whom it acts for.</param>
/// <param name="DisplayName">Its display name, or null.</param>
/// <param name="RegisteredAt">When the daemon registered it.</param>
public sealed record AgentInfo(string AgentId, string PublicKey, Principal Principal, string? DisplayName, DateTimeOffset RegisteredAt);

/// <summary>A bearer token for reads (§3), <c>POST /v1/auth/token</c>.</summary>
/// <param name="Token">The token, sent as <c>Authorization: Bearer</c>.</param>
/// <param name="ExpiresAt">When the daemon stops accepting it.</param>
public sealed record BearerToken(string Token, DateTimeOffset ExpiresAt);

/// <summary>A one-time registration code (§3), <c>POST /v1/invites</c>.</summary>
/// <param name="Code">The code to pass as <c>invite</c> when registering.</param>
/// <param name="ExpiresAt">When the code stops working.</param>
public sealed record Invite(string Code, DateTimeOffset ExpiresAt);
