using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pact.Core.Json;

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme: object members sorted by their UTF-16 code units, no
/// whitespace, ECMAScript number formatting, minimal string escaping. Every hashed or signed value goes
/// through here.
/// </summary>
public static class Jcs
{
    public static byte[] Canonicalize(JsonNode? node)
    {
        using var writer = JcsWriter.Rent();
        return writer.Node(node).ToUtf8();
    }

    public static string CanonicalString(JsonNode? node)
    {
        using var writer = JcsWriter.Rent();
        return writer.Node(node).ToString();
    }

    /// <summary>Canonical form of a .NET object, serialized first with the protocol's web defaults.</summary>
    public static byte[] CanonicalizeObject<T>(T value, JsonSerializerOptions? options = null) =>
        Canonicalize(JsonSerializer.SerializeToNode(value, options ?? PactJson.Options));

    /// <summary>hex SHA-256( UTF-8 domain ‖ JCS(node) ) — the shape of every hash in the protocol.</summary>
    public static string DomainHash(string domain, JsonNode? node)
    {
        using var writer = JcsWriter.Rent();
        return writer.Raw(domain).Node(node).Sha256Hex();
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
