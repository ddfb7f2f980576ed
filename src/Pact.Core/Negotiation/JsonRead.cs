using System.Globalization;
using System.Text.Json.Nodes;

namespace Pact.Core.Negotiation;

/// <summary>Reads event data members whether the node was parsed from text or built in memory (int vs long backing).</summary>
internal static class JsonRead
{
    public static long Integer(JsonNode? node)
    {
        if (node is not JsonValue v) throw new FormatException("Expected an integer.");
        if (v.TryGetValue<long>(out var l)) return l;
        if (v.TryGetValue<int>(out var i)) return i;
        return long.Parse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }
}
