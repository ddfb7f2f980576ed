using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pact.Core.Errors;

namespace Pact.Core.Json;

/// <summary>
/// Parses I-JSON (RFC 7493) strictly: invalid UTF-8, duplicate object keys and lone surrogates are refused
/// with <see cref="InvalidJsonException"/> (PACT-100), never silently normalized — what is hashed must be
/// exactly what was sent.
/// </summary>
public static class StrictJson
{
    /// <summary>
    /// Parses a document nesting at most <paramref name="maxDepth"/> levels (objects and arrays). The default suits
    /// what the daemon stores and serves; request bodies are read with <see cref="JsonLimits.RequestDepth"/>.
    /// </summary>
    public static JsonNode? Parse(ReadOnlySpan<byte> utf8, int maxDepth = JsonLimits.DocumentDepth)
    {
        // Utf8JsonReader checks UTF-8 inside strings only; check the whole document first.
        if (!System.Text.Unicode.Utf8.IsValid(utf8)) throw new InvalidJsonException("The body is not valid UTF-8.");
        if (utf8.Length >= 3 && utf8[0] == 0xEF && utf8[1] == 0xBB && utf8[2] == 0xBF)
            throw new InvalidJsonException("A byte-order mark is not allowed.");
        // The reader counts the members of the outermost value as depth 1 and fails beyond MaxDepth.
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
            MaxDepth = maxDepth,
        });
        try
        {
            if (!reader.Read()) throw new InvalidJsonException("The body is empty.");
            var node = ReadValue(ref reader);
            if (reader.Read()) throw new InvalidJsonException("Unexpected data after the JSON value.");
            return node;
        }
        catch (JsonException e)
        {
            throw new InvalidJsonException($"The body is not valid JSON: {e.Message}", e);
        }
        catch (Refusal refusal)
        {
            throw refusal.ToInvalidJson();
        }
    }

    public static JsonNode? Parse(string json, int maxDepth = JsonLimits.DocumentDepth) => Parse(System.Text.Encoding.UTF8.GetBytes(json), maxDepth);

    // The place of a refusal is built only when there is one: each level the refusal passes on its way out puts its
    // member name or index in front (a pointer per value would cost a string for every value of every document).
    private static JsonNode? ReadValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                {
                    var obj = new JsonObject();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                    {
                        var name = ReadString(ref reader);
                        if (obj.ContainsKey(name)) throw new Refusal($"Duplicate member \"{name}\" at '", "'.");
                        reader.Read();
                        try
                        {
                            obj[name] = ReadValue(ref reader);
                        }
                        catch (Refusal refusal)
                        {
                            throw refusal.Within(JsonPointer.Escape(name));
                        }
                    }
                    return obj;
                }
            case JsonTokenType.StartArray:
                {
                    var array = new JsonArray();
                    var i = 0;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        try
                        {
                            array.Add(ReadValue(ref reader));
                        }
                        catch (Refusal refusal)
                        {
                            throw refusal.Within(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        }
                        i++;
                    }
                    return array;
                }
            case JsonTokenType.String:
                return JsonValue.Create(ReadString(ref reader));
            case JsonTokenType.Number:
                {
                    if (reader.TryGetInt64(out var l)) return JsonValue.Create(l);
                    var d = reader.GetDouble();
                    if (!double.IsFinite(d)) throw new Refusal("Number out of range at '", "'.");
                    return JsonValue.Create(d);
                }
            case JsonTokenType.True: return JsonValue.Create(true);
            case JsonTokenType.False: return JsonValue.Create(false);
            case JsonTokenType.Null: return null;
            default:
                throw new Refusal($"Unexpected token {reader.TokenType} at '", "'.");
        }
    }

    private static string ReadString(ref Utf8JsonReader reader)
    {
        try
        {
            // The reader refuses escapes that decode to lone surrogates ("\ud800") here.
            var s = reader.GetString()!;
            if (!IsWellFormedUtf16(s)) throw new Refusal("Lone surrogate in a string at '", "'.");
            return s;
        }
        catch (InvalidOperationException e)
        {
            throw new Refusal("Invalid string at '", "': " + e.Message, e);
        }
    }

    /// <summary>A refusal on its way out of the document: its message is <c>before + pointer + after</c>.</summary>
    private sealed class Refusal(string before, string after, Exception? inner = null) : Exception(before + after, inner)
    {
        private string _pointer = "";

        public Refusal Within(string segment)
        {
            _pointer = "/" + segment + _pointer;
            return this;
        }

        public InvalidJsonException ToInvalidJson() => new(before + _pointer + after, InnerException);
    }

    internal static bool IsWellFormedUtf16(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1])) return false;
                i++;
            }
            else if (char.IsLowSurrogate(c)) return false;
        }
        return true;
    }
}

/// <summary>RFC 6901 JSON pointer helpers.</summary>
public static class JsonPointer
{
    public static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    public static string Append(string pointer, string token) => pointer + "/" + Escape(token);

    public static string Append(string pointer, int index) => pointer + "/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
