using System.Text.Json.Nodes;
using Pact.Core.Compacts;
using Pact.Core.Envelopes;
using Pact.Core.Errors;
using Pact.Core.Negotiation;

namespace Pact.Core.TransparencyLog;

/// <summary>The signatures one event carries, re-verified: how many, and the first that failed (with a pointer into the event's data).</summary>
/// <param name="Unverifiable">Signatures made under a mandate that a verifier knowing only §0–§12 left unchecked, by pointer into the event (§4.3: unverifiable, never invalid).</param>
public readonly record struct SignatureOutcome(int Checked, string? Check, string? Pointer, string? Message, IReadOnlyList<string>? Unverifiable = null)
{
    public bool Failed => Check is not null;
}

/// <summary>
/// Every signature an event carries (§2, §4.3): the envelope in <c>data.envelope</c>, signed by the event's
/// actor; the proposer's compact signature and principal authorization in a <c>proposal.created</c>; the
/// signed record of a <c>compact.in-force</c> — both compact signatures, the principal authorizations and the
/// daemon's in-force signature, checked against the trusted daemon key. Never throws on what it reads.
/// </summary>
public static class EventSignatures
{
    public const string EnvelopeSignature = "envelope-signature";
    public const string CompactSignature = "compact-signature";
    public const string InForceSignature = "in-force-signature";

    /// <param name="mandateSignatures">False to verify as a verifier that knows only §0–§12: signatures made under a mandate
    /// (those with a <c>signer</c>) are not checked but listed in <see cref="SignatureOutcome.Unverifiable"/>.</param>
    public static SignatureOutcome Check(string type, string actor, JsonObject data, byte[] daemonPublicKey, bool mandateSignatures = true)
    {
        var count = 0;
        List<string>? unverifiable = null;
        var check = EnvelopeSignature;
        var pointer = "/data/envelope";
        try
        {
            Envelope? envelope = null;
            if (data.TryGetPropertyValue("envelope", out var node))
            {
                var (parsed, error) = Envelope.Parse(node);
                if (parsed is null) return new(count, check, pointer + (error!.Errors is { Count: > 0 } e ? e[0].Pointer : ""), $"Not an envelope: {error.Detail}");
                envelope = parsed;
                count++;
                if (!envelope.VerifySignature()) return new(count, check, pointer + "/sig", $"The envelope's signature by {envelope.Signer} does not verify.");
                if (envelope.Signer != actor) return new(count, check, pointer + "/signer", $"The envelope is signed by {envelope.Signer}, but the event's actor is {actor}.");
            }

            if (type == EventTypes.ProposalCreated && envelope is null && data["bundleId"] is not null)
            {
                // A bundle member (§15): its first signature is in its bundle.created, and was checked there.
            }
            else if (type == EventTypes.ProposalCreated && envelope is null && data["signature"]?["signer"] is not null)
            {
                // A counter the daemon made under a mandate (§14): the terms and the first signature are in the event itself.
                check = CompactSignature;
                pointer = "/data/signature";
                var (terms, termErrors) = Pact.Core.Terms.TermsReader.Read(data["terms"]);
                if (terms is null) return new(count, check, "/data/terms" + FirstPointer(termErrors), $"The counter's terms do not read: {FirstMessage(termErrors)}");
                var termsHash = CompactCrypto.TermsHash(data["terms"]!);
                if (data["termsHash"]?.GetValue<string>() != termsHash)
                    return new(count, check, "/data/termsHash", $"data.termsHash does not match the counter's terms, which hash to {termsHash}.");
                var signature = data["signature"]!.AsObject();
                if (!mandateSignatures) return new(count, null, null, null, ["/data/signature"]);
                count += 2;
                var problem = !Pact.Core.Terms.Wire.TryParse<Pact.Core.Terms.PartyRole>(signature["party"]?.GetValue<string>(), out var party)
                    || signature["mandate"] is not JsonObject mandate
                    ? "The signature under a mandate does not read."
                    : Mandates.MandateSignatures.Check(party, signature["agent"]!.GetValue<string>(), signature["signer"]!.GetValue<string>(), mandate,
                        signature["sig"]!.GetValue<string>(), Time.Timestamp.Parse(signature["signedAt"]!.GetValue<string>()), terms, termsHash, null, null, null);
                if (problem is not null) return new(count, check, pointer, problem);
            }
            else if (type == EventTypes.ProposalCreated)
            {
                check = CompactSignature;
                if (envelope is null) return new(count, check, "/data", "A proposal.created event carries no envelope, so no proposer's signature.");
                var outcome = FirstSignature(envelope.Payload, data["termsHash"]?.GetValue<string>(), envelope.IssuedAt, "/data/envelope/payload", ref count);
                if (outcome is not null) return outcome.Value;
            }
            else if (type == EventTypes.BundleCreated)
            {
                check = CompactSignature;
                if (envelope is null) return new(count, check, "/data", "A bundle.created event carries no envelope, so no members' signatures.");
                var members = envelope.Payload["members"]!.AsArray();
                for (var i = 0; i < members.Count; i++)
                {
                    var outcome = FirstSignature(members[i]!.AsObject(), null, envelope.IssuedAt, $"/data/envelope/payload/members/{i}", ref count);
                    if (outcome is not null) return outcome.Value;
                }
            }
            else if (type == EventTypes.CompactInForce)
            {
                check = CompactSignature;
                pointer = "/data/record";
                var (record, error) = SignedCompactRecord.FromJson(data["record"]);
                if (record is null) return new(count, check, pointer + FirstPointer(error!.Errors), $"Not a signed compact record: {FirstMessage(error.Errors) ?? error.Detail}");
                // The daemon's in-force signature, then each compact signature with its principal signature, unless left unverifiable.
                var judged = record.Signatures.Where(s => mandateSignatures || !s.IsUnderMandate).ToList();
                count += 1 + judged.Count + judged.Count(s => s.PrincipalAuthorization is PrincipalSignatureAuthorization);
                if (record.Verify(daemonPublicKey, mandateSignatures).Failure is { } failure)
                {
                    if (failure.Pointer.StartsWith("/daemonSig", StringComparison.Ordinal) || failure.Pointer.StartsWith("/daemonId", StringComparison.Ordinal))
                        check = InForceSignature;
                    return new(count, check, pointer + failure.Pointer, failure.Message);
                }
                for (var i = 0; i < record.Signatures.Count; i++)
                {
                    if (!record.Signatures[i].IsUnderMandate) continue;
                    if (!mandateSignatures)
                    {
                        (unverifiable ??= []).Add($"{pointer}/signatures/{i}");
                        continue;
                    }
                    count++;
                    if (Mandates.MandateSignatures.Check(record.Signatures[i], record.Terms, record.TermsHash, i == 0 ? null : record.Signatures[0].Sig, record.DaemonId, null)
                        is { } problem)
                        return new(count, check, $"{pointer}/signatures/{i}/mandate", problem);
                }
                if (data["compactHash"]?.GetValue<string>() != record.CompactHash)
                    return new(count, check, "/data/compactHash", "data.compactHash differs from the record's compactHash.");
            }
            return new(count, null, null, null, unverifiable);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException or InvalidCastException)
        {
            return new(count, check, pointer, $"The event's data cannot be read for this check: {e.Message}");
        }
    }

    /// <summary>
    /// The proposer's first signature and principal authorization over <c>{ terms, signature }</c> (a proposal.create payload
    /// or a bundle member), and, when given, that the terms hash to <paramref name="termsHash"/>.
    /// </summary>
    private static SignatureOutcome? FirstSignature(JsonObject holder, string? termsHash, DateTimeOffset issuedAt, string pointer, ref int count)
    {
        const string check = CompactSignature;
        var (terms, termErrors) = Pact.Core.Terms.TermsReader.Read(holder["terms"]);
        if (terms is null) return new(count, check, pointer + "/terms" + FirstPointer(termErrors), $"The proposed terms do not read: {FirstMessage(termErrors)}");
        var computed = CompactCrypto.TermsHash(holder["terms"]!);
        if (termsHash is not null && termsHash != computed)
            return new(count, check, "/data/termsHash", $"data.termsHash does not match the proposed terms, which hash to {computed}.");
        var (signature, signatureErrors) = Pact.Core.Compacts.CompactSignature.FromJson(holder["signature"], "");
        if (signature is null) return new(count, check, pointer + "/signature" + FirstPointer(signatureErrors), $"The proposer's signature does not read: {FirstMessage(signatureErrors)}");
        count += 1 + (signature.PrincipalAuthorization is PrincipalSignatureAuthorization ? 1 : 0);
        if (CompactCrypto.CheckSignature(terms, computed, signature, pointer: "", signedAt: issuedAt) is { } refused)
            return new(count, check, pointer + "/signature" + FirstPointer(refused.Errors), $"The proposer's compact signature is refused: {FirstMessage(refused.Errors) ?? refused.Detail}");
        return null;
    }

    private static string FirstPointer(IReadOnlyList<FieldError>? errors) => errors is { Count: > 0 } ? errors[0].Pointer : "";

    private static string? FirstMessage(IReadOnlyList<FieldError>? errors) => errors is { Count: > 0 } ? errors[0].Message : null;
}
