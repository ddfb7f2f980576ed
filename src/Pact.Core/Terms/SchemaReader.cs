using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pact.Core.Encoding;
using Pact.Core.Errors;
using Pact.Core.Identity;
using Pact.Core.Json;
using Pact.Core.Time;

namespace Pact.Core.Terms;

/// <summary>
/// The checks JSON Schema would make, as small reusable readers that collect PACT-101 errors instead of
/// stopping at the first. Each reader returns null (after recording why) when the value cannot be used.
/// Patterns end in \z, never $: in .NET "$" also matches before a trailing newline, JSON Schema's does not.
/// </summary>
internal sealed partial class SchemaReader(List<FieldError> errors)
{
    public const long MaxSafeInteger = 9007199254740991;

    public List<FieldError> Errors { get; } = errors;

    public void Fail(string pointer, string message) => Errors.Add(new FieldError(pointer, PactCodes.InvalidPayload, message));

    /// <summary>An object that may hold only the listed members and must hold the required ones.</summary>
    public JsonObject? Object(JsonNode? node, string pointer, IReadOnlyCollection<string> required, IReadOnlyCollection<string>? optional = null)
    {
        if (node is not JsonObject obj)
        {
            Fail(pointer, $"Must be an object, found {Describe(node)}.");
            return null;
        }
        foreach (var (key, _) in obj)
        {
            if (!required.Contains(key) && (optional is null || !optional.Contains(key)))
                Fail(JsonPointer.Append(pointer, key), $"Unknown member '{key}'.");
        }
        foreach (var name in required)
        {
            if (!obj.ContainsKey(name)) Fail(JsonPointer.Append(pointer, name), $"Member '{name}' is required.");
        }
        return obj;
    }

    /// <summary>Runs <paramref name="read"/> on a member that is present; absent members were reported by <see cref="Object"/> if required.</summary>
    public static T? Member<T>(JsonObject? obj, string name, string pointer, Func<JsonNode?, string, T?> read) where T : class =>
        obj is not null && obj.TryGetPropertyValue(name, out var value) ? read(value, JsonPointer.Append(pointer, name)) : null;

    public static T? MemberValue<T>(JsonObject? obj, string name, string pointer, Func<JsonNode?, string, T?> read) where T : struct =>
        obj is not null && obj.TryGetPropertyValue(name, out var value) ? read(value, JsonPointer.Append(pointer, name)) : null;

    public static bool Has(JsonObject? obj, string name) => obj is not null && obj.ContainsKey(name);

    public string? String(JsonNode? node, string pointer, int minLength = 0, int maxLength = int.MaxValue)
    {
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            Fail(pointer, $"Must be a string, found {Describe(node)}.");
            return null;
        }
        var s = value.GetValue<string>();
        var length = CodePoints(s);
        if (length < minLength || length > maxLength)
        {
            Fail(pointer, maxLength == int.MaxValue
                ? $"Must be at least {minLength} characters long."
                : $"Must be {minLength} to {maxLength} characters long.");
            return null;
        }
        return s;
    }

    public string? Matching(JsonNode? node, string pointer, Regex pattern, string expected)
    {
        var s = String(node, pointer);
        if (s is null) return null;
        if (!pattern.IsMatch(s))
        {
            Fail(pointer, $"Must be {expected}.");
            return null;
        }
        return s;
    }

    public string? Const(JsonNode? node, string pointer, string expected)
    {
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == expected) return expected;
        Fail(pointer, $"Must be \"{expected}\".");
        return null;
    }

    public long? Integer(JsonNode? node, string pointer, long min = 1, long max = MaxSafeInteger)
    {
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number)
        {
            Fail(pointer, $"Must be an integer, found {Describe(node)}.");
            return null;
        }
        // JSON Schema counts 1.0 as the integer 1; its JCS form is "1" either way.
        var d = double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
        if (Math.Floor(d) != d)
        {
            Fail(pointer, "Must be an integer.");
            return null;
        }
        if (d < min || d > max)
        {
            Fail(pointer, $"Must be an integer from {min} to {max}.");
            return null;
        }
        return (long)d;
    }

    public bool? Boolean(JsonNode? node, string pointer)
    {
        if (node is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False) return value.GetValue<bool>();
        Fail(pointer, $"Must be true or false, found {Describe(node)}.");
        return null;
    }

    public T? Enum<T>(JsonNode? node, string pointer) where T : struct, Enum
    {
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String && Wire.TryParse<T>(value.GetValue<string>(), out var parsed))
            return parsed;
        Fail(pointer, $"Must be one of {string.Join(", ", Wire.AllNames<T>().Select(n => $"\"{n}\""))}.");
        return null;
    }

    public string? Id(JsonNode? node, string pointer) =>
        Matching(node, pointer, IdPattern(), "an id: a lowercase letter or digit, then up to 63 of a-z, 0-9 and '-'");

    public string? InlineId(JsonNode? node, string pointer) =>
        Matching(node, pointer, InlineIdPattern(), "an inline id: \"x-\", a lowercase letter or digit, then up to 61 of a-z, 0-9 and '-'");

    public string? CompactId(JsonNode? node, string pointer) =>
        Matching(node, pointer, CompactIdPattern(), "a compact id: \"cmp_\" followed by 8 to 64 of A-Z, a-z, 0-9, '_' and '-'");

    public string? Hash(JsonNode? node, string pointer) =>
        Matching(node, pointer, HashPattern(), "a SHA-256 digest: 64 lowercase hex characters");

    public string? DidKeyId(JsonNode? node, string pointer)
    {
        var s = Matching(node, pointer, DidPattern(), "a did:key");
        if (s is null) return null;
        if (!DidKey.IsValid(s))
        {
            Fail(pointer, "Must be a did:key naming an Ed25519 public key.");
            return null;
        }
        return s;
    }

    public string? Duration(JsonNode? node, string pointer)
    {
        var s = String(node, pointer);
        if (s is null) return null;
        if (!DurationPattern().IsMatch(s) || !IsoDuration.IsValid(s))
        {
            Fail(pointer, "Must be a duration like P30D or PT12H: P[nY][nM][nW][nD][T[nH][nM][nS]] with at least one part.");
            return null;
        }
        return s;
    }

    public DateTimeOffset? Instant(JsonNode? node, string pointer)
    {
        var s = String(node, pointer);
        if (s is null) return null;
        if (!TimestampPattern().IsMatch(s))
        {
            Fail(pointer, "Must be a UTC timestamp with milliseconds, like 2026-11-21T22:33:31.123Z.");
            return null;
        }
        if (!Timestamp.TryParse(s, out var instant))
        {
            Fail(pointer, "Is not a real instant.");
            return null;
        }
        return instant;
    }

    /// <summary>A base64url (unpadded) Ed25519 signature: 64 bytes.</summary>
    public string? Signature(JsonNode? node, string pointer)
    {
        var s = String(node, pointer);
        if (s is null) return null;
        if (!Base64Url.TryDecode(s, out var bytes) || bytes.Length != Crypto.Ed25519.SignatureSize)
        {
            Fail(pointer, "Must be a base64url Ed25519 signature (64 bytes, no padding).");
            return null;
        }
        return s;
    }

    /// <summary>An array whose items are read one by one; null if it or any item is unusable (every item is still checked).</summary>
    public IReadOnlyList<T>? Array<T>(JsonNode? node, string pointer, Func<JsonNode?, string, T?> item, int minItems = 0, int maxItems = int.MaxValue)
        where T : class
    {
        if (node is not JsonArray array)
        {
            Fail(pointer, $"Must be an array, found {Describe(node)}.");
            return null;
        }
        if (array.Count < minItems) Fail(pointer, minItems == 1 ? "Must not be empty." : $"Must have at least {minItems} items.");
        if (array.Count > maxItems) Fail(pointer, $"Must have at most {maxItems} items.");
        var result = new List<T>(array.Count);
        var ok = array.Count >= minItems && array.Count <= maxItems;
        for (var i = 0; i < array.Count; i++)
        {
            var value = item(array[i], JsonPointer.Append(pointer, i));
            if (value is null) ok = false;
            else result.Add(value);
        }
        return ok ? result : null;
    }

    /// <summary>An array of strings; with <paramref name="unique"/> a repeated value is an error at its second position.</summary>
    public IReadOnlyList<string>? Strings(JsonNode? node, string pointer, Func<JsonNode?, string, string?> item, int minItems = 0, int maxItems = int.MaxValue, bool unique = false)
    {
        var list = Array(node, pointer, item, minItems, maxItems);
        if (list is null || !unique) return list;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ok = true;
        for (var i = 0; i < list.Count; i++)
        {
            if (!seen.Add(list[i]))
            {
                Fail(JsonPointer.Append(pointer, i), $"'{list[i]}' is listed twice.");
                ok = false;
            }
        }
        return ok ? list : null;
    }

    /// <summary>Length as JSON Schema counts it: in Unicode code points, a surrogate pair being one.</summary>
    public static int CodePoints(string s)
    {
        var n = s.Length;
        for (var i = 0; i + 1 < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && char.IsLowSurrogate(s[i + 1]))
            {
                n--;
                i++;
            }
        }
        return n;
    }

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "a value",
        },
        _ => "a value",
    };

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,63}\z", RegexOptions.CultureInvariant)]
    internal static partial Regex IdPattern();

    [GeneratedRegex(@"^x-[a-z0-9][a-z0-9-]{0,61}\z", RegexOptions.CultureInvariant)]
    internal static partial Regex InlineIdPattern();

    [GeneratedRegex(@"^cmp_[A-Za-z0-9_-]{8,64}\z", RegexOptions.CultureInvariant)]
    internal static partial Regex CompactIdPattern();

    [GeneratedRegex(@"^[0-9a-f]{64}\z", RegexOptions.CultureInvariant)]
    internal static partial Regex HashPattern();

    [GeneratedRegex(@"^did:key:z[1-9A-HJ-NP-Za-km-z]+\z", RegexOptions.CultureInvariant)]
    internal static partial Regex DidPattern();

    [GeneratedRegex(@"^P(?!\z)([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+S)?)?\z", RegexOptions.CultureInvariant)]
    internal static partial Regex DurationPattern();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z\z", RegexOptions.CultureInvariant)]
    internal static partial Regex TimestampPattern();

    [GeneratedRegex(@"^[a-z0-9-]+@[0-9]+\.[0-9]+\z", RegexOptions.CultureInvariant)]
    internal static partial Regex StdlibPattern();

    [GeneratedRegex(@"^(/[^/]*)*\z", RegexOptions.CultureInvariant)]
    internal static partial Regex PointerPattern();
}
