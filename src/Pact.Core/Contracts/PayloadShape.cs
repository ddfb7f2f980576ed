using System.Text.Json.Nodes;
using Pact.Core.Identity;
using Pact.Core.Ids;
using Pact.Core.Time;

namespace Pact.Core.Contracts;

/// <summary>
/// What one envelope type carries besides type/aud/issuedAt/nonce: each member's presence, shape and, for target
/// ids, the path value it must equal. The daemon checks it before anything else (PACT-101, §2); each payload
/// record declares its own, so the record the SDK signs and the rule the daemon applies are written once.
/// </summary>
public sealed class PayloadShape(string type)
{
    private readonly Dictionary<string, FieldRule> _fields = new(StringComparer.Ordinal);

    public string Type { get; } = type;

    public IReadOnlyDictionary<string, FieldRule> Fields => _fields;

    public static PayloadShape For(string type) => new(type);

    public PayloadShape Required(string name, Func<JsonNode?, string?> check)
    {
        _fields[name] = new FieldRule(true, check, false);
        return this;
    }

    public PayloadShape Optional(string name, Func<JsonNode?, string?> check)
    {
        _fields[name] = new FieldRule(false, check, false);
        return this;
    }

    /// <summary>A required id naming the resource acted on; it must equal the same-named path value.</summary>
    public PayloadShape Target(string name, Func<JsonNode?, string?>? check = null)
    {
        _fields[name] = new FieldRule(true, check ?? PayloadRules.String, true);
        return this;
    }
}

public sealed record FieldRule(bool Required, Func<JsonNode?, string?> Check, bool IsTarget);

/// <summary>Shape checks for payload members: each returns null when fine, else what is wrong.</summary>
public static class PayloadRules
{
    public static string? String(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out _) ? null : "must be a string";

    public static string? StringOrNull(JsonNode? n) => n is null ? null : String(n);

    public static string? ObjectOrNull(JsonNode? n) => n is null or JsonObject ? null : "must be an object or null";

    public static string? Object(JsonNode? n) => n is JsonObject ? null : "must be an object";

    public static string? Boolean(JsonNode? n) => n is JsonValue v && v.TryGetValue<bool>(out _) ? null : "must be true or false";

    public static string? BooleanOrNull(JsonNode? n) => n is null ? null : Boolean(n);

    public static string? Did(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) && DidKey.IsValid(s) ? null : "must be an Ed25519 did:key";

    public static string? Digest(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) && Pact.Core.Encoding.Hex.IsDigest(s) ? null : "must be 64 lowercase hex characters";

    public static string? Timestamp(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) && Pact.Core.Time.Timestamp.TryParse(s, out _) ? null : "must be a timestamp like 2026-11-21T22:33:31.123Z";

    public static string? Duration(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) && IsoDuration.IsValid(s) ? null : "must be an ISO 8601 duration like P7D";

    public static string? PositiveInteger(JsonNode? n) => n is JsonValue v && v.TryGetValue<long>(out var l) && l >= 1 ? null : "must be a positive integer";

    public static string? CompactId(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) && PactIds.IsCompactId(s) ? null : "must be a compact id (cmp_ + 8–64 of [A-Za-z0-9_-])";

    public static Func<JsonNode?, string?> DaemonId(string prefix) =>
        n => n is JsonValue v && v.TryGetValue<string>(out var s) && PactIds.IsDaemonId(s, prefix) ? null : $"must be an id starting with {prefix}";

    public static Func<JsonNode?, string?> DaemonIdOrNull(string prefix)
    {
        var check = DaemonId(prefix);
        return n => n is null ? null : check(n);
    }

    /// <summary>session.create's <c>admission</c>: exactly minScore and minConfidence, integers of at least 0 (§16).</summary>
    public static string? Admission(JsonNode? n)
    {
        const string Expected = "must be an object { minScore, minConfidence } of integers of at least 0 (hundredths and percent)";
        if (n is not JsonObject admission || admission.Any(m => m.Key is not ("minScore" or "minConfidence"))) return Expected;
        return Passport.PassportRequirement.Read(admission, "", new List<Errors.FieldError>()) is null ? Expected : null;
    }

    public static string? DidArray(JsonNode? n)
    {
        if (n is not JsonArray a) return "must be an array of did:key";
        return a.Any(x => Did(x) is not null) ? "must hold only Ed25519 did:keys" : null;
    }

    public static string? Principal(JsonNode? n)
    {
        if (n is not JsonObject o) return "must be an object { id, kind, name }";
        foreach (var (key, _) in o)
        {
            if (key is not ("id" or "kind" or "name")) return $"has an unknown member '{key}'";
        }
        if (String(o["id"]) is not null || ((string)o["id"]!).Length == 0) return "needs a non-empty 'id'";
        if (o["kind"] is not JsonValue k || !k.TryGetValue<string>(out var kind) || kind is not (PrincipalKinds.Human or PrincipalKinds.Organization or PrincipalKinds.Agent))
            return "needs 'kind' human, organization or agent";
        if (String(o["name"]) is not null || ((string)o["name"]!).Length == 0) return "needs a non-empty 'name'";
        return null;
    }
}
