using System.Text.Json.Nodes;
using Pact.Core.Compacts;
using Pact.Core.Envelopes;
using Pact.Core.Errors;
using Pact.Core.Negotiation;

namespace Pact.Daemon.Log;

/// <summary>The signature checks of one event: how many signatures were verified, and the first that failed.</summary>
internal readonly record struct SignatureOutcome(int Checked, string? Check, string? Message)
{
    public bool Failed => Check is not null;
}

/// <summary>
/// Re-verifies every signature an event carries (§2, §4.3): the agent's envelope in <c>data.envelope</c> (and
/// that its signer is the event's actor), the proposer's compact signature and principal authorization in a
/// <c>proposal.created</c>, and the whole signed record of a <c>compact.in-force</c> — both compact signatures,
/// principal authorizations, and the daemon's in-force signature under the daemon's own key.
/// Never throws on what the event holds: anything unreadable is reported as a failure of the check that read it.
/// </summary>
internal static class EventSignatureChecks
{
    public const string EnvelopeSignature = "envelope-signature";
    public const string CompactSignature = "compact-signature";
    public const string InForceSignature = "in-force-signature";

    public static SignatureOutcome Check(string type, string actor, JsonObject data, byte[] daemonPublicKey)
    {
        var count = 0;
        var check = EnvelopeSignature;
        try
        {
            Envelope? envelope = null;
            if (data.TryGetPropertyValue("envelope", out var node))
            {
                var (parsed, error) = Envelope.Parse(node);
                if (parsed is null) return new(count, check, $"data.envelope is not an envelope: {error!.Detail}");
                envelope = parsed;
                count++;
                if (!envelope.VerifySignature()) return new(count, check, $"The envelope's signature by {envelope.Signer} does not verify.");
                if (envelope.Signer != actor) return new(count, check, $"The envelope is signed by {envelope.Signer}, but the event's actor is {actor}.");
            }

            if (type == EventTypes.ProposalCreated)
            {
                check = CompactSignature;
                if (envelope is null) return new(count, check, "A proposal.created event carries no envelope, so no proposer's signature.");
                var payload = envelope.Payload;
                var (terms, termErrors) = Pact.Core.Terms.TermsReader.Read(payload["terms"]);
                if (terms is null) return new(count, check, $"The proposed terms do not read: {First(termErrors)}");
                var termsHash = CompactCrypto.TermsHash(payload["terms"]!);
                if (data["termsHash"]?.GetValue<string>() != termsHash)
                    return new(count, check, $"data.termsHash does not match the proposed terms, which hash to {termsHash}.");
                var (signature, signatureErrors) = Pact.Core.Compacts.CompactSignature.FromJson(payload["signature"]);
                if (signature is null) return new(count, check, $"The proposer's signature does not read: {First(signatureErrors)}");
                count += 1 + (signature.PrincipalAuthorization is PrincipalSignatureAuthorization ? 1 : 0);
                if (CompactCrypto.CheckSignature(terms, termsHash, signature) is { } refused)
                    return new(count, check, $"The proposer's compact signature is refused: {First(refused.Errors) ?? refused.Detail}");
            }
            else if (type == EventTypes.CompactInForce)
            {
                check = CompactSignature;
                var (record, error) = SignedCompactRecord.FromJson(data["record"]);
                if (record is null) return new(count, check, $"data.record is not a signed compact record: {First(error!.Errors) ?? error.Detail}");
                count += 3 + record.Signatures.Count(s => s.PrincipalAuthorization is PrincipalSignatureAuthorization);
                var verdict = record.Verify(daemonPublicKey);
                if (verdict.Failure is { } failure)
                {
                    if (failure.Pointer.StartsWith("/daemonSig", StringComparison.Ordinal) || failure.Pointer.StartsWith("/daemonId", StringComparison.Ordinal))
                        check = InForceSignature;
                    return new(count, check, $"record{failure.Pointer}: {failure.Message}");
                }
                if (data["compactHash"]?.GetValue<string>() != record.CompactHash)
                    return new(count, check, "data.compactHash differs from the record's compactHash.");
            }
            return new(count, null, null);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException or InvalidCastException)
        {
            // A member of the wrong JSON kind: GetValue and friends throw; for a verifier that is just a failed check.
            return new(count, check, $"The event's data cannot be read for this check: {e.Message}");
        }
    }

    private static string? First(IReadOnlyList<FieldError>? errors) => errors is { Count: > 0 } ? $"{errors[0].Pointer}: {errors[0].Message}" : null;
}
