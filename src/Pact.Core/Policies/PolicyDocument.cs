using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Pact.Core.Json;

namespace Pact.Core.Policies;

/// <summary>The values of a rule's <c>effect</c> and of a decision's (§13).</summary>
public static class PolicyEffects
{
    public const string Sign = "sign";
    public const string Decline = "decline";
    public const string Counter = "counter";
    public const string Escalate = "escalate";

    public static readonly IReadOnlyList<string> RuleEffects = [Sign, Decline, Counter, Escalate];
    public static readonly IReadOnlyList<string> Defaults = [Decline, Escalate];
}

/// <summary>The limits of §13 on a policy document.</summary>
public static class PolicyLimits
{
    public const string Format = "pact-policy/1";
    public const int NameMax = 128;
    public const int ExtendsMax = 8;
    public const int ExtendsDepthMax = 4;
    public const int RulesMax = 256;
    public const int EffectiveRulesMax = 1024;
    public const int WhenMax = 1024;
    public const int NestingMax = 32;
    public const int ReasonMax = 512;
    public const int SetMin = 1;
    public const int SetMax = 32;
    public const int CanonicalBytesMax = 64 * 1024;

    /// <summary>Members of the terms a counter may not touch (at or under).</summary>
    public static readonly IReadOnlyList<string> ProtectedPointers = ["/acp", "/compactId", "/version", "/predecessor", "/parties", "/stdlib"];
}

/// <summary>One <c>set</c> entry of a counter rule: an RFC 6902 <c>add</c> at <paramref name="Pointer"/> (into the terms).</summary>
public sealed record PolicyPatch(string Pointer, JsonNode? Value)
{
    public JsonObject ToJson() => new() { ["pointer"] = Pointer, ["value"] = Value?.DeepClone() };
}

/// <summary>A rule of a policy: when <see cref="When"/> (CEL) yields true, <see cref="Effect"/> decides.</summary>
public sealed record PolicyRule(
    string Id,
    string When,
    string Effect,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<PolicyPatch>? Set = null)
{
    public JsonObject ToJson()
    {
        var rule = new JsonObject { ["id"] = Id, ["when"] = When, ["effect"] = Effect };
        if (Reason is not null) rule["reason"] = Reason;
        if (Set is not null) rule["set"] = new JsonArray([.. Set.Select(p => (JsonNode)p.ToJson())]);
        return rule;
    }
}

/// <summary>
/// A policy document (§13), <c>pact-policy/1</c>. Its identity is <see cref="PolicyHash"/> over its JCS form, so the
/// JSON it is published as is the policy; this record is a typed view of it (and what the SDK's builder makes).
/// </summary>
public sealed record PolicyDocument(
    string Name,
    IReadOnlyList<PolicyRule> Rules,
    string Default,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Extends = null,
    string Format = PolicyLimits.Format)
{
    public const string HashDomain = "pact-policy-v1\n";

    /// <summary>The document as the JSON object that is published and hashed (members in the contract's order).</summary>
    public JsonObject ToJson()
    {
        var policy = new JsonObject { ["format"] = Format, ["name"] = Name };
        if (Extends is not null) policy["extends"] = new JsonArray([.. Extends.Select(h => (JsonNode)JsonValue.Create(h))]);
        policy["rules"] = new JsonArray([.. Rules.Select(r => (JsonNode)r.ToJson())]);
        policy["default"] = Default;
        return policy;
    }

    /// <summary>hex SHA-256( "pact-policy-v1\n" ‖ JCS(policy) ).</summary>
    public string PolicyHash => HashOf(ToJson());

    public static string HashOf(JsonNode policy) => Jcs.DomainHash(HashDomain, policy);
}
