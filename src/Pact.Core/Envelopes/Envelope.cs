using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Pact.Core.Contracts;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.Errors;
using Pact.Core.Identity;
using Pact.Core.Json;
using Pact.Core.Time;

namespace Pact.Core.Envelopes;

/// <summary>
/// A signed request (§2): { payload, signer, sig } with sig = Ed25519(signer, "pact-msg-v1\n" ‖ JCS(payload)).
/// The payload is kept as parsed JSON so it can be re-verified byte for byte later.
/// </summary>
public sealed record Envelope(JsonObject Payload, string Signer, string Sig)
{
    public const string SigningDomain = "pact-msg-v1\n";

    /// <summary>Members every payload carries besides its type-specific ones.</summary>
    public static readonly IReadOnlySet<string> CommonMembers = new HashSet<string>(StringComparer.Ordinal) { "type", "aud", "issuedAt", "nonce" };

    /// <summary>How far issuedAt may be from the daemon's clock, and how long a nonce is remembered after it.</summary>
    public static readonly TimeSpan FreshnessWindow = TimeSpan.FromSeconds(300);

    public string Type => Payload["type"]!.GetValue<string>();

    public string Audience => Payload["aud"]!.GetValue<string>();

    public string Nonce => Payload["nonce"]!.GetValue<string>();

    public DateTimeOffset IssuedAt => Timestamp.Parse(Payload["issuedAt"]!.GetValue<string>());

    /// <summary>The bytes the signer signed.</summary>
    public static byte[] SigningInput(JsonObject payload) => SigningInputFromCanonical(Jcs.Canonicalize(payload));

    /// <summary>The bytes the signer signed, from the payload's JCS form already at hand.</summary>
    public static byte[] SigningInputFromCanonical(byte[] body)
    {
        var prefix = System.Text.Encoding.UTF8.GetBytes(SigningDomain);
        var all = new byte[prefix.Length + body.Length];
        prefix.CopyTo(all, 0);
        body.CopyTo(all, prefix.Length);
        return all;
    }

    /// <summary>Builds and signs an envelope; fills in aud, issuedAt and a fresh nonce.</summary>
    public static Envelope Sign(KeyPair signer, string type, string audience, DateTimeOffset issuedAt, JsonObject? fields = null, string? nonce = null)
    {
        var payload = new JsonObject
        {
            ["type"] = type,
            ["aud"] = audience,
            ["issuedAt"] = Timestamp.ToText(issuedAt),
            ["nonce"] = nonce ?? NewNonce(),
        };
        if (fields is not null)
        {
            foreach (var (key, value) in fields) payload[key] = value?.DeepClone();
        }
        return new Envelope(payload, signer.Did, signer.SignB64u(SigningInput(payload)));
    }

    /// <summary>Builds and signs an envelope carrying a payload record (its type from the record's shape).</summary>
    public static Envelope Sign<T>(KeyPair signer, string audience, DateTimeOffset issuedAt, T payload, string? nonce = null)
        where T : IEnvelopePayload<T> =>
        Sign(signer, T.Shape.Type, audience, issuedAt, Payloads.ToJson(payload), nonce);

    public static string NewNonce() => Base64Url.Encode(RandomNumberGenerator.GetBytes(16));

    public bool VerifySignature() => VerifySignature(Jcs.Canonicalize(Payload));

    /// <summary>Verifies sig given the payload's JCS form (a caller that also hashes the payload canonicalizes it once).</summary>
    public bool VerifySignature(byte[] canonicalPayload) =>
        Base64Url.TryDecode(Sig, out var sig) && DidKey.Verify(Signer, SigningInputFromCanonical(canonicalPayload), sig);

    public bool IsFresh(DateTimeOffset now) => (IssuedAt - now).Duration() <= FreshnessWindow;

    public JsonObject ToJson() => new()
    {
        ["payload"] = Payload.DeepClone(),
        ["signer"] = Signer,
        ["sig"] = Sig,
    };

    /// <summary>
    /// Checks the envelope's shape and its payload's common members (PACT-101) and reads it. The type,
    /// type-specific members and targets are the caller's to check, in the order §2 gives.
    /// </summary>
    public static (Envelope? Envelope, PactError? Error) Parse(JsonNode? body)
    {
        if (body is not JsonObject obj) return (null, PactError.InvalidPayload("The body must be an envelope object { payload, signer, sig }."));
        foreach (var (key, _) in obj)
        {
            if (key is not ("payload" or "signer" or "sig"))
                return (null, PactError.InvalidPayload($"Unknown envelope member '{key}'.", JsonPointer.Append("", key)));
        }
        if (obj["payload"] is not JsonObject payload) return (null, PactError.InvalidPayload("'payload' must be an object.", "/payload"));
        if (!TryString(obj, "signer", out var signer) || !DidKey.IsValid(signer))
            return (null, PactError.InvalidPayload("'signer' must be an Ed25519 did:key.", "/signer"));
        if (!TryString(obj, "sig", out var sig) || !Base64Url.TryDecode(sig, out var sigBytes) || sigBytes.Length != Ed25519.SignatureSize)
            return (null, PactError.InvalidPayload("'sig' must be a base64url Ed25519 signature (64 bytes).", "/sig"));
        if (!TryString(payload, "type", out _)) return (null, PactError.InvalidPayload("'payload.type' must be a string.", "/payload/type"));
        if (!TryString(payload, "aud", out _)) return (null, PactError.InvalidPayload("'payload.aud' must be a string.", "/payload/aud"));
        if (!TryString(payload, "issuedAt", out var issuedAt) || !Timestamp.TryParse(issuedAt, out _))
            return (null, PactError.InvalidPayload("'payload.issuedAt' must be a timestamp like 2026-11-21T22:33:31.123Z.", "/payload/issuedAt"));
        if (!TryString(payload, "nonce", out var nonce) || !Base64Url.TryDecode(nonce, out var nonceBytes) || nonceBytes.Length != 16)
            return (null, PactError.InvalidPayload("'payload.nonce' must be base64url of 16 random bytes.", "/payload/nonce"));
        if (FindNonIntegerNumber(payload, "/payload") is { } pointer)
            return (null, PactError.InvalidPayload("Signed payloads hold only integers within ±(2^53 − 1) as numbers.", pointer));
        return (new Envelope(payload, signer, sig), null);
    }

    /// <summary>
    /// The largest magnitude allowed for a number in a signed object: 2^53 − 1, I-JSON's interoperable range
    /// (RFC 7493 §2.2), which is how "integers within ±2^53" of §0 is read here.
    /// </summary>
    public const long MaxSafeInteger = (1L << 53) - 1;

    /// <summary>The pointer of the first number that is not an integer within ±(2^53 − 1), or null.</summary>
    private static string? FindNonIntegerNumber(JsonNode? node, string pointer)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    if (FindNonIntegerNumber(child, JsonPointer.Append(pointer, key)) is { } found) return found;
                }
                return null;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (FindNonIntegerNumber(array[i], JsonPointer.Append(pointer, i)) is { } found) return found;
                }
                return null;
            case JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.Number:
                if (value.TryGetValue<long>(out var l)) return l is >= -MaxSafeInteger and <= MaxSafeInteger ? null : pointer;
                // Written with a fraction or exponent ("5.0", "1e2"): fine when it still names a safe integer.
                var d = double.Parse(value.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
                return double.IsInteger(d) && Math.Abs(d) <= MaxSafeInteger ? null : pointer;
            default:
                return null;
        }
    }

    private static bool TryString(JsonObject obj, string name, out string value)
    {
        value = "";
        if (obj[name] is not JsonValue v || !v.TryGetValue<string>(out var s)) return false;
        value = s;
        return true;
    }
}
