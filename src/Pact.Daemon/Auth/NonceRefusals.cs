using Pact.Core.Errors;

namespace Pact.Daemon.Auth;

/// <summary>The refusal of a (signer, nonce) pair already used for a different payload (§2).</summary>
public static class NonceRefusals
{
    public static PactError Reused(string nonce) => new(PactCodes.NonceReused, 409, "Nonce reused",
        $"Nonce {nonce} was already used by this signer for a different payload; sign every new request with a fresh nonce.");
}
