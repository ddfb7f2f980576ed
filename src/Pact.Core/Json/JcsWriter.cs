using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pact.Core.Encoding;

namespace Pact.Core.Json;

/// <summary>
/// The text buffer <see cref="Jcs"/> writes canonical JSON into: pooled chars, one instance kept per thread, so that
/// canonicalizing (which every hash, signature and stored event goes through) allocates only its result. Taken with
/// <see cref="Rent"/> and given back with <see cref="Dispose"/>; a nested use on the same thread gets a fresh one.
/// </summary>
internal sealed class JcsWriter : IDisposable
{
    [ThreadStatic]
    private static JcsWriter? _cached;

    // Characters a JSON string must escape: the C0 controls, the quote and the backslash.
    private static readonly SearchValues<char> MustEscape = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\"\\");

    // 2^53: every integer up to it in magnitude is exactly a double, and JCS prints it as its digits.
    private const long MaxExactInteger = 1L << 53;

    private char[] _chars = ArrayPool<char>.Shared.Rent(1024);
    private int _length;

    public static JcsWriter Rent()
    {
        var writer = _cached ?? new JcsWriter();
        _cached = null;
        writer._length = 0;
        return writer;
    }

    public void Dispose()
    {
        // A buffer grown for a rare large document is not kept for the thread's lifetime.
        if (_chars.Length > 64 * 1024)
        {
            ArrayPool<char>.Shared.Return(_chars);
            _chars = ArrayPool<char>.Shared.Rent(1024);
        }
        _cached = this;
    }

    private ReadOnlySpan<char> Written => _chars.AsSpan(0, _length);

    public override string ToString() => new(Written);

    public byte[] ToUtf8() => System.Text.Encoding.UTF8.GetBytes(_chars, 0, _length);

    /// <summary>hex SHA-256 of the UTF-8 form of what was written, through a pooled buffer.</summary>
    public string Sha256Hex()
    {
        var max = System.Text.Encoding.UTF8.GetMaxByteCount(_length);
        var bytes = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            var n = System.Text.Encoding.UTF8.GetBytes(_chars, 0, _length, bytes, 0);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes.AsSpan(0, n), hash);
            return Hex.Encode(hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Text already in canonical form (a domain prefix, punctuation, canonical data), as it is.</summary>
    public JcsWriter Raw(ReadOnlySpan<char> text)
    {
        Ensure(text.Length);
        text.CopyTo(_chars.AsSpan(_length));
        _length += text.Length;
        return this;
    }

    public JcsWriter Raw(char c)
    {
        Ensure(1);
        _chars[_length++] = c;
        return this;
    }

    public JcsWriter Integer(long value)
    {
        if (value is > MaxExactInteger or < -MaxExactInteger) return Raw(Jcs.FormatNumber(value));
        Ensure(20);
        value.TryFormat(_chars.AsSpan(_length), out var written, default, CultureInfo.InvariantCulture);
        _length += written;
        return this;
    }

    public JcsWriter Node(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return Raw("null");
            case JsonObject obj:
                return Object(obj);
            case JsonArray array:
                Raw('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0) Raw(',');
                    Node(array[i]);
                }
                return Raw(']');
            case JsonValue value:
                return Value(value);
            default:
                throw new InvalidOperationException($"Cannot canonicalize a {node.GetType().Name}.");
        }
    }

    private JcsWriter Object(JsonObject obj)
    {
        var count = obj.Count;
        var members = ArrayPool<KeyValuePair<string, JsonNode?>>.Shared.Rent(Math.Max(count, 1));
        try
        {
            var i = 0;
            var sorted = true;
            foreach (var member in obj)
            {
                if (i > 0 && string.CompareOrdinal(members[i - 1].Key, member.Key) > 0) sorted = false;
                members[i++] = member;
            }
            if (!sorted) Array.Sort(members, 0, count, ByKey.Instance);
            Raw('{');
            for (i = 0; i < count; i++)
            {
                if (i > 0) Raw(',');
                String(members[i].Key);
                Raw(':');
                Node(members[i].Value);
            }
            return Raw('}');
        }
        finally
        {
            ArrayPool<KeyValuePair<string, JsonNode?>>.Shared.Return(members, clearArray: true);
        }
    }

    private JcsWriter Value(JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                return String(value.GetValue<string>());
            case JsonValueKind.True: return Raw("true");
            case JsonValueKind.False: return Raw("false");
            case JsonValueKind.Null: return Raw("null");
            case JsonValueKind.Number:
                // Whatever .NET type backs the value, JCS sees it as an IEEE 754 double, as JavaScript would. A value held
                // as a long or an int, or read from integer text, prints without the double round trip: as the digits that
                // double prints as when a double holds it exactly. Every other number takes the round trip.
                if (value.TryGetValue<long>(out var whole)) return Integer(whole);
                if (value.TryGetValue<int>(out var small)) return Integer(small);
                return Raw(Jcs.FormatNumber(double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture)));
            default:
                throw new InvalidOperationException($"Cannot canonicalize a {value.GetValueKind()} value.");
        }
    }

    /// <summary>A JSON string with RFC 8785's minimal escaping; a lone surrogate has no UTF-8 form and is refused.</summary>
    public JcsWriter String(string s)
    {
        // A null is JSON null, never the empty string: a caller that has one writes Node(null).
        ArgumentNullException.ThrowIfNull(s);
        if (s.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF') && !StrictJson.IsWellFormedUtf16(s))
            throw new Pact.Core.Errors.InvalidJsonException("A string holds a lone surrogate and cannot be canonicalized.");
        Raw('"');
        var rest = s.AsSpan();
        while (true)
        {
            var next = rest.IndexOfAny(MustEscape);
            if (next < 0)
            {
                Raw(rest);
                break;
            }
            Raw(rest[..next]);
            Escape(rest[next]);
            rest = rest[(next + 1)..];
        }
        return Raw('"');
    }

    private void Escape(char c)
    {
        switch (c)
        {
            case '"': Raw("\\\""); break;
            case '\\': Raw("\\\\"); break;
            case '\b': Raw("\\b"); break;
            case '\f': Raw("\\f"); break;
            case '\n': Raw("\\n"); break;
            case '\r': Raw("\\r"); break;
            case '\t': Raw("\\t"); break;
            default:
                Raw("\\u00");
                Raw(HexDigit(c >> 4));
                Raw(HexDigit(c & 0xF));
                break;
        }
    }

    private static char HexDigit(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

    private void Ensure(int more)
    {
        if (_length + more <= _chars.Length) return;
        var grown = ArrayPool<char>.Shared.Rent(Math.Max(_chars.Length * 2, _length + more));
        _chars.AsSpan(0, _length).CopyTo(grown);
        ArrayPool<char>.Shared.Return(_chars);
        _chars = grown;
    }

    private sealed class ByKey : IComparer<KeyValuePair<string, JsonNode?>>
    {
        public static readonly ByKey Instance = new();

        public int Compare(KeyValuePair<string, JsonNode?> x, KeyValuePair<string, JsonNode?> y) => string.CompareOrdinal(x.Key, y.Key);
    }
}
