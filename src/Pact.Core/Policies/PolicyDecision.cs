using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Pact.Core.Json;

namespace Pact.Core.Policies;

/// <summary>The values of a trace entry's <c>result</c>.</summary>
public static class TraceResults
{
    public const string True = "true";
    public const string False = "false";
    public const string Error = "error";
}

/// <summary>One evaluated rule: its id, the policy that defines it, and what its condition yielded.</summary>
public sealed record PolicyTraceEntry(
    string RuleId,
    string PolicyHash,
    string Result,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null);

/// <summary>
/// A decision (§13): the effect, the deciding rule (null for the default) with its reason and set, and the trace of
/// every rule evaluated up to it. <see cref="DecisionHash"/> leaves the error texts out: they are free.
/// </summary>
public sealed record PolicyDecision(
    string PolicyHash,
    string Effect,
    string? RuleId,
    string? Reason,
    IReadOnlyList<PolicyPatch>? Set,
    IReadOnlyList<PolicyTraceEntry> Trace)
{
    public const string HashDomain = "pact-decision-v1\n";

    public JsonObject ToJson() => JsonSerializer.SerializeToNode(this, PactJson.Options)!.AsObject();

    /// <summary>hex SHA-256( "pact-decision-v1\n" ‖ JCS(decision with every trace[].error removed) ).</summary>
    [JsonIgnore]
    public string DecisionHash => HashOf(ToJson());

    /// <summary>The hash of a decision as JSON (e.g. one recorded in a transcript), error texts removed first.</summary>
    public static string HashOf(JsonObject decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var copy = decision.DeepClone().AsObject();
        if (copy["trace"] is JsonArray trace)
        {
            foreach (var entry in trace.OfType<JsonObject>()) entry.Remove("error");
        }
        return Jcs.DomainHash(HashDomain, copy);
    }
}
