using System.Text.Json.Nodes;

namespace Pact.Core.Passport;

/// <summary>
/// A <c>failure</c> event counted against an agent (§16): its code, its event's time and seq, and its evidence
/// references as the event recorded them.
/// </summary>
public sealed record PassportFailure(string Code, string At, long Seq, IReadOnlyList<string> EvidenceRefs)
{
    /// <summary>An entry of <c>recentFailures</c>.</summary>
    public JsonObject ToJson() => new()
    {
        ["code"] = Code,
        ["at"] = At,
        ["seq"] = Seq,
        ["evidenceRefs"] = new JsonArray([.. EvidenceRefs.Select(r => (JsonNode?)JsonValue.Create(r))]),
    };
}
