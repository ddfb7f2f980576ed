using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pact.Core.Json;

/// <summary>
/// The serializer settings every Pact component shares: camelCase, nulls written, instants as §0 writes them. The
/// daemon writes its responses (Pact.Core.Contracts.Responses) with them and the SDK reads them back with them.
/// </summary>
public static class PactJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            WriteIndented = false,
            MaxDepth = JsonLimits.DocumentDepth,
        };
        options.Converters.Add(new TimestampConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
