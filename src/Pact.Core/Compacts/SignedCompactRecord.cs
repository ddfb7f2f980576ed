using System.Text.Json.Nodes;
using Pact.Core.Crypto;
using Pact.Core.Errors;
using Pact.Core.Identity;
using Pact.Core.Terms;
using Pact.Core.Time;

namespace Pact.Core.Compacts;

/// <summary>
/// One signature of a signed compact record, in signing order; <see cref="SignedAt"/> is the carrying envelope's issuedAt.
/// A signature made under a mandate (§14) also names its <see cref="Signer"/> (the daemon) and the <see cref="Mandate"/>
/// it was made under, and its <see cref="SignedAt"/> is the time of its <c>policy.decided</c> event.
/// </summary>
public sealed record SignatureEntry(PartyRole Party, string Agent, string Sig, DateTimeOffset SignedAt, PrincipalAuthorization PrincipalAuthorization)
{
    private static readonly string[] Members = ["party", "agent", "sig", "signedAt", "principalAuthorization"];

    private static readonly string[] MandateMembers = ["signer", "mandate"];

    /// <summary>The daemon's did for a signature made under a mandate; null for the agent's own.</summary>
    public string? Signer { get; init; }

    /// <summary>{ mandateId, mandateHash, decisionHash, grant } for a signature made under a mandate; null otherwise.</summary>
    public JsonObject? Mandate { get; init; }

    public bool IsUnderMandate => Signer is not null;

    public JsonObject ToJson()
    {
        var obj = new JsonObject
        {
            ["party"] = Party.ToWire(),
            ["agent"] = Agent,
        };
        if (Signer is not null) obj["signer"] = Signer;
        obj["sig"] = Sig;
        obj["signedAt"] = Timestamp.ToText(SignedAt);
        obj["principalAuthorization"] = PrincipalAuthorization.ToJson();
        if (Mandate is not null) obj["mandate"] = Mandate.DeepClone();
        return obj;
    }

    internal static SignatureEntry? Read(SchemaReader r, JsonNode? node, string pointer)
    {
        var obj = r.Object(node, pointer, Members, MandateMembers);
        var party = SchemaReader.MemberValue(obj, "party", pointer, r.Enum<PartyRole>);
        var agent = SchemaReader.Member(obj, "agent", pointer, r.DidKeyId);
        var sig = SchemaReader.Member(obj, "sig", pointer, r.Signature);
        var signedAt = SchemaReader.MemberValue(obj, "signedAt", pointer, r.Instant);
        var auth = SchemaReader.Member(obj, "principalAuthorization", pointer, (n, p) => PrincipalAuthorization.Read(r, n, p));
        string? signer = null;
        JsonObject? mandate = null;
        if (obj is not null && obj.ContainsKey("signer"))
        {
            signer = SchemaReader.Member(obj, "signer", pointer, r.DidKeyId);
            mandate = obj["mandate"] as JsonObject;
            if (mandate is null) r.Errors.Add(new FieldError(pointer + "/mandate", PactCodes.InvalidPayload, "A signature with a signer names its mandate."));
        }
        else if (obj is not null && obj.ContainsKey("mandate"))
        {
            r.Errors.Add(new FieldError(pointer + "/signer", PactCodes.InvalidPayload, "A signature under a mandate names its signer."));
        }
        return party is null || agent is null || sig is null || signedAt is null || auth is null
            ? null
            : new SignatureEntry(party.Value, agent, sig, signedAt.Value, auth) { Signer = signer, Mandate = mandate?.DeepClone().AsObject() };
    }
}

/// <summary>The outcome of <see cref="SignedCompactRecord.Verify"/>: valid, or the first part that failed.</summary>
public sealed record CompactRecordVerification(FieldError? Failure)
{
    public static CompactRecordVerification Valid { get; } = new((FieldError?)null);

    public bool IsValid => Failure is null;
}

/// <summary>
/// The signed compact record of §4.3, identical in both parties' copies: the terms, their hash, both
/// signatures in signing order, the daemon's in-force attestation, and the hash over all of that.
/// </summary>
public sealed record SignedCompactRecord(
    CompactTerms Terms,
    string TermsHash,
    IReadOnlyList<SignatureEntry> Signatures,
    DateTimeOffset InForceAt,
    string DaemonId,
    string DaemonSig,
    string CompactHash)
{
    public const string MalformedTitle = "Compact record is malformed";

    private static readonly string[] Members = ["terms", "termsHash", "signatures", "inForceAt", "daemonId", "daemonSig", "compactHash"];

    /// <summary>
    /// The daemon puts a compact in force: it attests the second signature at <paramref name="inForceAt"/>
    /// (taken to the millisecond, as it is written) and seals the record with its compactHash.
    /// The signatures are taken as given; check them first (<see cref="CompactCrypto.CheckSignature"/>).
    /// </summary>
    public static SignedCompactRecord Create(CompactTerms terms, SignatureEntry first, SignatureEntry second, DateTimeOffset inForceAt, KeyPair daemon)
    {
        var termsHash = CompactCrypto.TermsHash(terms);
        var at = Timestamp.Truncate(inForceAt);
        var unsealed = new SignedCompactRecord(terms, termsHash, [first, second], at, daemon.Did,
            CompactCrypto.SignInForce(daemon, termsHash, second.Sig, at), "");
        return unsealed with { CompactHash = unsealed.ComputeCompactHash() };
    }

    /// <summary>The party whose signature came first (the proposer).</summary>
    public PartyRole Proposer => Signatures[0].Party;

    public JsonObject ToJson()
    {
        var obj = ToJsonWithoutCompactHash();
        obj["compactHash"] = CompactHash;
        return obj;
    }

    /// <summary>The record as hashed into compactHash: every member but compactHash.</summary>
    public JsonObject ToJsonWithoutCompactHash() => new()
    {
        ["terms"] = Terms.ToJson(),
        ["termsHash"] = TermsHash,
        ["signatures"] = new JsonArray(Signatures.Select(s => (JsonNode?)s.ToJson()).ToArray()),
        ["inForceAt"] = Timestamp.ToText(InForceAt),
        ["daemonId"] = DaemonId,
        ["daemonSig"] = DaemonSig,
    };

    public string ComputeCompactHash() => CompactCrypto.CompactHash(ToJsonWithoutCompactHash());

    /// <summary>Reads a record, refusing anything the record may not hold (PACT-101, pointers into the record).</summary>
    public static (SignedCompactRecord? Record, PactError? Error) FromJson(JsonNode? node)
    {
        var r = new SchemaReader([]);
        var obj = r.Object(node, "", Members);
        CompactTerms? terms = null;
        if (obj is not null && obj.TryGetPropertyValue("terms", out var termsNode))
        {
            var (read, errors) = TermsReader.Read(termsNode);
            terms = read;
            r.Errors.AddRange(errors.Select(e => e with { Pointer = "/terms" + e.Pointer }));
        }
        var termsHash = SchemaReader.Member(obj, "termsHash", "", r.Hash);
        var signatures = SchemaReader.Member(obj, "signatures", "", (n, p) => r.Array(n, p, (i, ip) => SignatureEntry.Read(r, i, ip), minItems: 2, maxItems: 2));
        var inForceAt = SchemaReader.MemberValue(obj, "inForceAt", "", r.Instant);
        var daemonId = SchemaReader.Member(obj, "daemonId", "", r.DidKeyId);
        var daemonSig = SchemaReader.Member(obj, "daemonSig", "", r.Signature);
        var compactHash = SchemaReader.Member(obj, "compactHash", "", r.Hash);
        if (r.Errors.Count > 0 || terms is null || termsHash is null || signatures is null || inForceAt is null
            || daemonId is null || daemonSig is null || compactHash is null)
            return (null, PactError.FromFieldErrors(MalformedTitle, r.Errors));
        return (new SignedCompactRecord(terms, termsHash, signatures, inForceAt.Value, daemonId, daemonSig, compactHash), null);
    }

    /// <summary>
    /// Checks everything the record claims, in this order, and names the first failure by pointer:
    /// two signatures by the two parties' agents (PACT-101/PACT-109), termsHash over the terms (PACT-110), the first
    /// signature and the countersignature (PACT-109), each principal authorization (PACT-109; PACT-105 for a
    /// standing policy in the advanced tier), the daemon's identity when <paramref name="daemonPublicKey"/> is
    /// given and its in-force signature (PACT-109), and finally compactHash (PACT-110).
    /// </summary>
    /// <param name="mandateSignatures">False for a verifier that knows only §0–§12: a signature made under a mandate (§14) is then
    /// left unchecked — sig and principal authorization — for the caller to report unverifiable (§4.3), never invalid.</param>
    public CompactRecordVerification Verify(byte[]? daemonPublicKey = null, bool mandateSignatures = true)
    {
        if (Signatures.Count != 2) return Fail("/signatures", PactCodes.InvalidPayload, "A signed compact has exactly two signatures.");
        if (Signatures[0].Party == Signatures[1].Party)
            return Fail("/signatures/1/party", PactCodes.InvalidPayload, "Both signatures claim the same party.");
        for (var i = 0; i < 2; i++)
        {
            var s = Signatures[i];
            if (s.Agent != Terms.Parties[s.Party].Agent)
                return Fail($"/signatures/{i}/agent", PactCodes.BadCompactSignature, $"Party {s.Party.ToWire()}'s agent is {Terms.Parties[s.Party].Agent}, not {s.Agent}.");
        }

        var termsHash = CompactCrypto.TermsHash(Terms);
        if (termsHash != TermsHash)
            return Fail("/termsHash", PactCodes.HashMismatch, $"The terms hash to {termsHash}, not to the recorded termsHash.");

        var first = Signatures[0];
        var second = Signatures[1];
        if ((mandateSignatures || !first.IsUnderMandate) && !VerifySignature(first, null))
            return Fail("/signatures/0/sig", PactCodes.BadCompactSignature, "The first signature does not verify.");
        if ((mandateSignatures || !second.IsUnderMandate) && !VerifySignature(second, first.Sig))
            return Fail("/signatures/1/sig", PactCodes.BadCompactSignature, "The countersignature does not verify.");
        for (var i = 0; i < 2; i++)
        {
            if (!mandateSignatures && Signatures[i].IsUnderMandate) continue;
            var errors = CompactCrypto.CheckAuthorization(Terms, TermsHash, Signatures[i].Party, Signatures[i].PrincipalAuthorization, $"/signatures/{i}/principalAuthorization",
                Signatures[i].SignedAt);
            if (errors.Count > 0) return new CompactRecordVerification(errors[0]);
        }

        if (daemonPublicKey is not null && (daemonPublicKey.Length != Ed25519.PublicKeySize || DidKey.FromPublicKey(daemonPublicKey) != DaemonId))
            return Fail("/daemonId", PactCodes.BadCompactSignature, "The record was put in force by another daemon.");
        if (!CompactCrypto.VerifyInForce(DaemonId, TermsHash, second.Sig, InForceAt, DaemonSig))
            return Fail("/daemonSig", PactCodes.BadCompactSignature, "The daemon's in-force signature does not verify.");

        var compactHash = ComputeCompactHash();
        if (compactHash != CompactHash)
            return Fail("/compactHash", PactCodes.HashMismatch, $"The record hashes to {compactHash}, not to the recorded compactHash.");
        return CompactRecordVerification.Valid;
    }

    /// <summary>
    /// The signature over this record's terms: the agent's by §4.3, or one made under a mandate by §14's inputs under its
    /// signer. Whether the grant authorized it (its envelope, scope, expiry, revocation order, the recomputed decision) is
    /// the mandate verifier's question; this checks only that the signer signed this input.
    /// </summary>
    private bool VerifySignature(SignatureEntry s, string? firstSig)
    {
        if (!s.IsUnderMandate)
            return firstSig is null ? CompactCrypto.VerifyFirst(s.Agent, TermsHash, s.Sig) : CompactCrypto.VerifyCountersignature(s.Agent, TermsHash, firstSig, s.Sig);
        if (s.Mandate?["mandateHash"] is not JsonValue mh || !mh.TryGetValue<string>(out var mandateHash)
            || s.Mandate["decisionHash"] is not JsonValue dh || !dh.TryGetValue<string>(out var decisionHash))
            return false;
        return Mandates.MandateCrypto.Verify(s.Signer!, TermsHash, firstSig, mandateHash, decisionHash, s.Sig);
    }

    private static CompactRecordVerification Fail(string pointer, string code, string message) => new(new FieldError(pointer, code, message));
}
