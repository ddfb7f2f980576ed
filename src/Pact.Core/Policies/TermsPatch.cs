using System.Globalization;
using System.Text.Json.Nodes;

namespace Pact.Core.Policies;

/// <summary>RFC 6902 <c>add</c> on a JSON document, as a counter rule's <c>set</c> applies it to the terms (§13).</summary>
public static class TermsPatch
{
    /// <summary>True for an RFC 6901 pointer: empty, or "/"-separated tokens whose '~' is followed by 0 or 1.</summary>
    public static bool IsValidPointer(string pointer)
    {
        if (pointer.Length == 0) return true;
        if (pointer[0] != '/') return false;
        for (var i = 0; i < pointer.Length; i++)
        {
            if (pointer[i] == '~' && (i + 1 >= pointer.Length || pointer[i + 1] is not ('0' or '1'))) return false;
        }
        return true;
    }

    /// <summary>Applies every patch in order to a copy of <paramref name="document"/>; null with the reason when one does not apply.</summary>
    public static JsonNode? Apply(JsonNode document, IEnumerable<PolicyPatch> patches, out string? error)
    {
        var result = document.DeepClone();
        foreach (var patch in patches)
        {
            result = Add(result, patch.Pointer, patch.Value?.DeepClone(), out error);
            if (result is null) return null;
        }
        error = null;
        return result;
    }

    private static JsonNode? Add(JsonNode root, string pointer, JsonNode? value, out string? error)
    {
        error = null;
        if (pointer.Length == 0) return value;
        var tokens = pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        var parent = root;
        for (var i = 0; i < tokens.Length - 1; i++)
        {
            parent = Child(parent, tokens[i]);
            if (parent is null)
            {
                error = $"{pointer}: the path does not exist";
                return null;
            }
        }
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject obj:
                obj[last] = value;
                return root;
            case JsonArray array:
                if (last == "-")
                {
                    array.Add(value);
                    return root;
                }
                if (!IsIndex(last, out var index) || index > array.Count)
                {
                    error = $"{pointer}: not an index of the array";
                    return null;
                }
                array.Insert(index, value);
                return root;
            default:
                error = $"{pointer}: the parent is not an object or an array";
                return null;
        }
    }

    private static JsonNode? Child(JsonNode? node, string token) => node switch
    {
        JsonObject obj => obj.TryGetPropertyValue(token, out var child) ? child : null,
        JsonArray array => IsIndex(token, out var i) && i < array.Count ? array[i] : null,
        _ => null,
    };

    // RFC 6901: "0" or digits without a leading zero.
    private static bool IsIndex(string token, out int index)
    {
        index = -1;
        if (token.Length == 0 || (token.Length > 1 && token[0] == '0') || !token.All(char.IsAsciiDigit)) return false;
        return int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }
}
