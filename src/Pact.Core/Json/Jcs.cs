using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pact.Core.Encoding;

namespace Pact.Core.Json;

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme: object members sorted by their UTF-16 code units, no
/// whitespace, ECMAScript number formatting, minimal string escaping. Every hashed or signed value goes
/// through here.
/// </summary>
public static class Jcs
{
    public static byte[] Canonicalize(JsonNode? node) => System.Text.Encoding.UTF8.GetBytes(CanonicalString(node));

    public static string CanonicalString(JsonNode? node)
    {
        var sb = new StringBuilder();
        Write(sb, node);
        return sb.ToString();
    }

    /// <summary>Canonical form of a .NET object, serialized first with the protocol's web defaults.</summary>
    public static byte[] CanonicalizeObject<T>(T value, JsonSerializerOptions? options = null) =>
        Canonicalize(JsonSerializer.SerializeToNode(value, options ?? PactJson.Options));

    /// <summary>hex SHA-256( UTF-8 domain ‖ JCS(node) ) — the shape of every hash in the protocol.</summary>
    public static string DomainHash(string domain, JsonNode? node)
    {
        var prefix = System.Text.Encoding.UTF8.GetBytes(domain);
        var body = Canonicalize(node);
        var all = new byte[prefix.Length + body.Length];
        prefix.CopyTo(all, 0);
        body.CopyTo(all, prefix.Length);
        return Hex.Encode(SHA256.HashData(all));
    }

    private static void Write(StringBuilder sb, JsonNode? node)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                return;
            case JsonObject obj:
                {
                    var members = obj.ToList();
                    members.Sort((x, y) => string.CompareOrdinal(x.Key, y.Key));
                    sb.Append('{');
                    for (var i = 0; i < members.Count; i++)
                    {
                        if (i > 0) sb.Append(',');
                        WriteString(sb, members[i].Key);
                        sb.Append(':');
                        Write(sb, members[i].Value);
                    }
                    sb.Append('}');
                    return;
                }
            case JsonArray array:
                sb.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    Write(sb, array[i]);
                }
                sb.Append(']');
                return;
            case JsonValue value:
                WriteValue(sb, value);
                return;
        }
    }

    private static void WriteValue(StringBuilder sb, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                WriteString(sb, value.GetValue<string>());
                return;
            case JsonValueKind.True: sb.Append("true"); return;
            case JsonValueKind.False: sb.Append("false"); return;
            case JsonValueKind.Null: sb.Append("null"); return;
            case JsonValueKind.Number:
                // Whatever .NET type backs the value, JCS sees it as an IEEE 754 double, as JavaScript would.
                var raw = value.ToJsonString();
                sb.Append(FormatNumber(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture)));
                return;
            default:
                throw new InvalidOperationException($"Cannot canonicalize a {value.GetValueKind()} value.");
        }
    }

    private static void WriteString(StringBuilder sb, string s)
    {
        if (!StrictJson.IsWellFormedUtf16(s))
            throw new Pact.Core.Errors.InvalidJsonException("A string holds a lone surrogate and cannot be canonicalized.");
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }

    /// <summary>ECMAScript Number.prototype.toString for finite doubles (ECMA-262 §7.1.12.1), as RFC 8785 §3.2.2.3 requires.</summary>
    public static string FormatNumber(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentException("NaN and infinities have no JSON form.", nameof(value));
        if (value == 0) return "0";
        var negative = value < 0;
        // "E16" would round; "R" gives the shortest round-tripping digits, which is what ECMAScript requires.
        var r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        string mantissa;
        var exponent = 0;
        var e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            mantissa = r[..e];
            exponent = int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }
        else mantissa = r;
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        var fracPart = dot >= 0 ? mantissa[(dot + 1)..] : "";
        var digits = (intPart + fracPart).TrimStart('0');
        var leadingZerosRemoved = (intPart + fracPart).Length - digits.Length;
        digits = digits.TrimEnd('0');
        // value = 0.digits × 10^n
        var n = intPart.Length + exponent - leadingZerosRemoved;
        var k = digits.Length;
        var sb = new StringBuilder();
        if (negative) sb.Append('-');
        if (k <= n && n <= 21)
        {
            sb.Append(digits).Append('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            sb.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        }
        else if (-6 < n && n <= 0)
        {
            sb.Append("0.").Append('0', -n).Append(digits);
        }
        else
        {
            var exp = n - 1;
            sb.Append(digits[0]);
            if (k > 1) sb.Append('.').Append(digits, 1, k - 1);
            sb.Append('e').Append(exp >= 0 ? "+" : "-").Append(Math.Abs(exp).ToString(CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
