using System.Text.Json.Nodes;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.Json;

namespace Pact.Client.Tests;

/// <summary>Reads the outside vectors copied into tests/testdata (see its SOURCES.md).</summary>
internal static class TestData
{
    public static string PathOf(string relative) => Path.Combine(AppContext.BaseDirectory, "testdata", relative);

    public static byte[] Bytes(string relative) => File.ReadAllBytes(PathOf(relative));

    public static JsonNode Json(string relative) => StrictJson.Parse(Bytes(relative))!;

    public static JsonObject PactVectors => (JsonObject)Json("pact-vectors.json");

    /// <summary>One of the vector identities: contractor, homeowner, contractorPrincipal, homeownerPrincipal, daemon.</summary>
    public static KeyPair Key(string name) => KeyPair.FromSeed(Hex.Decode(PactVectors["keys"]![name]!["seedHex"]!.GetValue<string>()));
}
