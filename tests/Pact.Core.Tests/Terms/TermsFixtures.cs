using FluentAssertions;
using System.Globalization;
using System.Text.Json.Nodes;
using Pact.Core.Crypto;
using Pact.Core.Encoding;

namespace Pact.Core.Tests.Terms;

/// <summary>The kitchen-remodel terms and the vector keys, plus pointer-based edits for building bad terms.</summary>
internal static class TermsFixtures
{
    public static JsonObject Kitchen() => (JsonObject)TestData.Json("examples/kitchen-remodel.terms.json");

    public static KeyPair Key(string name) =>
        KeyPair.FromSeed(Hex.Decode(TestData.PactVectors["keys"]![name]!["seedHex"]!.GetValue<string>()));

    /// <summary>A copy of <paramref name="root"/> with the node at <paramref name="pointer"/> replaced (or added as an object member).</summary>
    public static JsonObject With(this JsonObject root, string pointer, JsonNode? value)
    {
        var copy = (JsonObject)root.DeepClone();
        var (parent, token) = Parent(copy, pointer);
        switch (parent)
        {
            case JsonObject obj: obj[token] = value; break;
            case JsonArray array when token == "-": array.Add(value); break;
            case JsonArray array: array[int.Parse(token, CultureInfo.InvariantCulture)] = value; break;
            default: throw new ArgumentException($"No container at {pointer}.");
        }
        return copy;
    }

    /// <summary>A copy with the node at <paramref name="pointer"/> removed.</summary>
    public static JsonObject Without(this JsonObject root, string pointer)
    {
        var copy = (JsonObject)root.DeepClone();
        var (parent, token) = Parent(copy, pointer);
        switch (parent)
        {
            case JsonObject obj: obj.Remove(token).Should().BeTrue($"{pointer} exists"); break;
            case JsonArray array: array.RemoveAt(int.Parse(token, CultureInfo.InvariantCulture)); break;
            default: throw new ArgumentException($"No container at {pointer}.");
        }
        return copy;
    }

    public static JsonNode? At(this JsonNode root, string pointer)
    {
        JsonNode? node = root;
        foreach (var token in Tokens(pointer))
        {
            node = node switch
            {
                JsonObject obj => obj[token],
                JsonArray array => array[int.Parse(token, CultureInfo.InvariantCulture)],
                _ => throw new ArgumentException($"No node at {pointer}."),
            };
        }
        return node;
    }

    private static (JsonNode Parent, string Token) Parent(JsonObject root, string pointer)
    {
        var tokens = Tokens(pointer).ToList();
        var parentPointer = string.Concat(tokens.Take(tokens.Count - 1).Select(t => "/" + t.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)));
        return (root.At(parentPointer)!, tokens[^1]);
    }

    private static IEnumerable<string> Tokens(string pointer) =>
        pointer.Length == 0 ? [] : pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
}
