using System.Text.Json;
using System.Text.Json.Nodes;
using Pact.Core.Time;

namespace Pact.Core.Policies.Cel;

/// <summary>
/// JSON ↔ CEL as cel-spec maps <c>google.protobuf.Value</c>, except that a JSON number is an <c>int</c> (§13): objects
/// become maps (keys in JCS order), arrays lists; a number that is not an integer within int64 becomes an error value
/// that fails whatever touches it.
/// </summary>
public static class CelJson
{
    public static object? FromJson(JsonNode? node)
    {
        switch (node)
        {
            case null: return null;
            case JsonObject obj:
                var values = new Dictionary<object, object?>(obj.Count, CelKeyComparer.Instance);
                foreach (var (key, value) in obj) values[key] = FromJson(value);
                return new CelMap(values);
            case JsonArray array:
                var items = new object?[array.Count];
                for (var i = 0; i < items.Length; i++) items[i] = FromJson(array[i]);
                return items;
            case JsonValue value:
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String: return value.GetValue<string>();
                    case JsonValueKind.True: return CelValues.True;
                    case JsonValueKind.False: return CelValues.False;
                    case JsonValueKind.Null: return null;
                    case JsonValueKind.Number:
                        if (value.TryGetValue<long>(out var l)) return l;
                        if (value.TryGetValue<int>(out var n)) return (long)n;
                        if (value.TryGetValue<JsonElement>(out var e) && e.TryGetInt64(out var fromElement)) return fromElement;
                        return new CelError($"the JSON number {value.ToJsonString()} is not an int");
                }
                break;
        }
        return new CelError("unsupported JSON value");
    }

    /// <summary>A CEL value as JSON (for the evaluate endpoint's <c>input</c>): timestamps in §0's form, durations as cel-spec writes them.</summary>
    public static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        bool b => JsonValue.Create(b),
        long l => JsonValue.Create(l),
        string s => JsonValue.Create(s),
        DateTimeOffset t => JsonValue.Create(Timestamp.ToText(t)),
        TimeSpan d => JsonValue.Create(CelValues.DurationText(d)),
        IReadOnlyList<object?> list => new JsonArray(list.Select(ToJson).ToArray()),
        CelMap map => ToJsonObject(map),
        CelError e => JsonValue.Create("error: " + e.Message),
        _ => JsonValue.Create(value.ToString()),
    };

    private static JsonObject ToJsonObject(CelMap map)
    {
        var obj = new JsonObject();
        foreach (var key in map.Keys)
        {
            map.TryGet(key, out var v);
            obj[key is string s ? s : CelValues.Describe(key)] = ToJson(v);
        }
        return obj;
    }
}
