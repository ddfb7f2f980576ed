using System.Text.Json.Nodes;
using Pact.Core.Json;

namespace Pact.Core.Tests;

/// <summary>Reads the outside vectors copied into tests/testdata (see its SOURCES.md).</summary>
internal static class TestData
{
    public static string PathOf(string relative) => Path.Combine(AppContext.BaseDirectory, "testdata", relative);

    public static byte[] Bytes(string relative) => File.ReadAllBytes(PathOf(relative));

    public static JsonNode Json(string relative) => StrictJson.Parse(Bytes(relative))!;

    public static JsonObject PactVectors => (JsonObject)Json("pact-vectors.json");
}
