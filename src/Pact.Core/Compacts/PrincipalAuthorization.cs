using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Terms;

namespace Pact.Core.Compacts;

/// <summary>
/// How a party's principal stands behind a compact signature (§4.3): a signature by the principal's own
/// key over the terms hash, or the agent's claim to act under a standing policy (recorded, unverifiable).
/// </summary>
public abstract record PrincipalAuthorization
{
    public const string PrincipalSignatureMethod = "principal-signature";
    public const string StandingPolicyMethod = "standing-policy";

    private static readonly string[] SignatureMembers = ["method", "principal", "sig"];
    private static readonly string[] PolicyMembers = ["method", "policyHash"];
    private static readonly string[] VerifiedPolicyMembers = ["method", "policyHash", "principal", "notAfter", "sig"];

    private protected PrincipalAuthorization()
    {
    }

    public abstract string Method { get; }

    /// <summary>False for a standing policy: the daemon records the claim but cannot check it, and says so in its responses.</summary>
    public abstract bool IsVerifiable { get; }

    public abstract JsonObject ToJson();

    public static (PrincipalAuthorization? Authorization, IReadOnlyList<FieldError> Errors) FromJson(JsonNode? node, string pointer = "")
    {
        var r = new SchemaReader([]);
        var result = Read(r, node, pointer);
        return r.Errors.Count == 0 ? (result, []) : (null, TermsReader.Sorted(r.Errors));
    }

    internal static PrincipalAuthorization? Read(SchemaReader r, JsonNode? node, string pointer)
    {
        if (node is not JsonObject obj)
        {
            r.Object(node, pointer, ["method"]);
            return null;
        }
        var methodPointer = pointer + "/method";
        switch (obj["method"] is JsonValue v && v.TryGetValue<string>(out var m) ? m : null)
        {
            case PrincipalSignatureMethod:
                {
                    r.Object(obj, pointer, SignatureMembers);
                    var principal = SchemaReader.Member(obj, "principal", pointer, (n, p) => r.String(n, p, 1, 256));
                    var sig = SchemaReader.Member(obj, "sig", pointer, r.Signature);
                    return principal is null || sig is null ? null : new PrincipalSignatureAuthorization(principal, sig);
                }
            // The verified form (§13) is told by what only it has, its principal and notAfter; a stray sig alone stays
            // an unknown member of the short form.
            case StandingPolicyMethod when obj.ContainsKey("principal") || obj.ContainsKey("notAfter"):
                {
                    r.Object(obj, pointer, VerifiedPolicyMembers);
                    var hash = SchemaReader.Member(obj, "policyHash", pointer, r.Hash);
                    var principal = SchemaReader.Member(obj, "principal", pointer, (n, p) => r.String(n, p, 1, 256));
                    var notAfter = SchemaReader.MemberValue(obj, "notAfter", pointer, r.Instant);
                    var sig = SchemaReader.Member(obj, "sig", pointer, r.Signature);
                    return hash is null || principal is null || notAfter is null || sig is null
                        ? null
                        : new VerifiedStandingPolicyAuthorization(hash, principal, notAfter.Value, sig);
                }
            case StandingPolicyMethod:
                {
                    r.Object(obj, pointer, PolicyMembers);
                    var hash = SchemaReader.Member(obj, "policyHash", pointer, r.Hash);
                    return hash is null ? null : new StandingPolicyAuthorization(hash);
                }
            default:
                r.Fail(methodPointer, obj.ContainsKey("method")
                    ? $"Must be \"{PrincipalSignatureMethod}\" or \"{StandingPolicyMethod}\"."
                    : "Member 'method' is required.");
                return null;
        }
    }
}

/// <summary>The principal signed UTF-8 "pact-principal-authorize-v1\n" + termsHash + "\n" with the key <see cref="Principal"/> names.</summary>
public sealed record PrincipalSignatureAuthorization(string Principal, string Sig) : PrincipalAuthorization
{
    public override string Method => PrincipalSignatureMethod;

    public override bool IsVerifiable => true;

    public override JsonObject ToJson() => new() { ["method"] = Method, ["principal"] = Principal, ["sig"] = Sig };
}

/// <summary>The agent claims to act under a standing policy whose document hashes (SHA-256) to <see cref="PolicyHash"/>.</summary>
public sealed record StandingPolicyAuthorization(string PolicyHash) : PrincipalAuthorization
{
    public override string Method => StandingPolicyMethod;

    public override bool IsVerifiable => false;

    public override JsonObject ToJson() => new() { ["method"] = Method, ["policyHash"] = PolicyHash };
}

/// <summary>
/// A verified standing policy (§13): the principal signed UTF-8 "pact-policy-authorize-v1\n" + policyHash + "\n" + agent +
/// "\n" + notAfter + "\n", authorizing the agent to sign whatever the published policy signs until <see cref="NotAfter"/>.
/// </summary>
public sealed record VerifiedStandingPolicyAuthorization(string PolicyHash, string Principal, DateTimeOffset NotAfter, string Sig) : PrincipalAuthorization
{
    public const string SigningDomain = "pact-policy-authorize-v1\n";

    public override string Method => StandingPolicyMethod;

    public override bool IsVerifiable => true;

    public override JsonObject ToJson() => new()
    {
        ["method"] = Method, ["policyHash"] = PolicyHash, ["principal"] = Principal, ["notAfter"] = Time.Timestamp.ToText(NotAfter), ["sig"] = Sig,
    };

    /// <summary>The bytes the principal signs for <paramref name="agent"/>.</summary>
    public static byte[] SigningInput(string policyHash, string agent, DateTimeOffset notAfter) =>
        System.Text.Encoding.UTF8.GetBytes($"{SigningDomain}{policyHash}\n{agent}\n{Time.Timestamp.ToText(notAfter)}\n");

    /// <summary>The principal's authorization of a policy for an agent until <paramref name="notAfter"/>.</summary>
    public static VerifiedStandingPolicyAuthorization Sign(Crypto.KeyPair principal, string policyHash, string agent, DateTimeOffset notAfter)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return new(policyHash, principal.Did, notAfter, principal.SignB64u(SigningInput(policyHash, agent, notAfter)));
    }
}

/// <summary>
/// A compact signature as a proposal carries it (<c>signature</c> in proposal.create and proposal.sign, §5):
/// the signing party, its Ed25519 signature and its principal's authorization.
/// </summary>
public sealed record CompactSignature(PartyRole Party, string Sig, PrincipalAuthorization PrincipalAuthorization)
{
    private static readonly string[] Members = ["party", "sig", "principalAuthorization"];

    public JsonObject ToJson() => new()
    {
        ["party"] = Party.ToWire(),
        ["sig"] = Sig,
        ["principalAuthorization"] = PrincipalAuthorization.ToJson(),
    };

    /// <summary>Reads the object's shape (PACT-101); whether it verifies is <see cref="CompactCrypto.CheckSignature"/>'s question.</summary>
    public static (CompactSignature? Signature, IReadOnlyList<FieldError> Errors) FromJson(JsonNode? node, string pointer = "/signature")
    {
        var r = new SchemaReader([]);
        var obj = r.Object(node, pointer, Members);
        var party = SchemaReader.MemberValue(obj, "party", pointer, r.Enum<PartyRole>);
        var sig = SchemaReader.Member(obj, "sig", pointer, r.Signature);
        var auth = SchemaReader.Member(obj, "principalAuthorization", pointer, (n, p) => PrincipalAuthorization.Read(r, n, p));
        return r.Errors.Count == 0 && party is not null && sig is not null && auth is not null
            ? (new CompactSignature(party.Value, sig, auth), [])
            : (null, TermsReader.Sorted(r.Errors));
    }
}
