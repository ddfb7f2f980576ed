using System.Globalization;
using System.Text;

namespace Pact.Core.Policies.Cel;

/// <summary>A CEL syntax error, with the offset where it was found.</summary>
public sealed class CelSyntaxException(string message, int position) : Exception($"{message} (at {position})")
{
    public int Position { get; } = position;
}

internal enum TokenKind { Int, Uint, Double, String, Bytes, Ident, Punct, End }

internal readonly record struct Token(TokenKind Kind, string Text, object? Value, int Position);

/// <summary>The lexical grammar of cel-spec's langdef.md: literals with every escape form, identifiers, operators.</summary>
internal static class CelLexer
{
    private static readonly string[] Punctuation =
        ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "%", "!", "?", ":", ".", ",", "(", ")", "[", "]", "{", "}"];

    public static List<Token> Tokenize(string source)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (true)
        {
            while (i < source.Length && IsSpace(source[i])) i++;
            if (i < source.Length && source[i] == '/' && i + 1 < source.Length && source[i + 1] == '/')
            {
                while (i < source.Length && source[i] != '\n') i++;
                continue;
            }
            if (i >= source.Length) break;
            var c = source[i];
            var start = i;
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < source.Length && char.IsAsciiDigit(source[i + 1])))
            {
                tokens.Add(Number(source, ref i));
                continue;
            }
            if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < source.Length && (char.IsAsciiLetterOrDigit(source[i]) || source[i] == '_')) i++;
                var word = source[start..i];
                var prefix = word.ToLowerInvariant();
                if (i < source.Length && (source[i] == '\'' || source[i] == '"') && prefix is "r" or "b" or "rb" or "br")
                {
                    var raw = prefix.Contains('r', StringComparison.Ordinal);
                    var text = StringLiteral(source, ref i, raw);
                    tokens.Add(prefix.Contains('b', StringComparison.Ordinal)
                        ? new Token(TokenKind.Bytes, source[start..i], text, start)
                        : new Token(TokenKind.String, source[start..i], text, start));
                    continue;
                }
                tokens.Add(new Token(TokenKind.Ident, word, null, start));
                continue;
            }
            if (c is '\'' or '"')
            {
                var text = StringLiteral(source, ref i, raw: false);
                tokens.Add(new Token(TokenKind.String, source[start..i], text, start));
                continue;
            }
            var punct = Punctuation.FirstOrDefault(p => string.CompareOrdinal(source, i, p, 0, p.Length) == 0)
                ?? throw new CelSyntaxException($"unexpected character '{c}'", i);
            i += punct.Length;
            tokens.Add(new Token(TokenKind.Punct, punct, null, start));
        }
        tokens.Add(new Token(TokenKind.End, "", null, source.Length));
        return tokens;
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f';

    private static Token Number(string s, ref int i)
    {
        var start = i;
        if (s[i] == '0' && i + 1 < s.Length && (s[i + 1] == 'x' || s[i + 1] == 'X'))
        {
            i += 2;
            var digitsStart = i;
            while (i < s.Length && char.IsAsciiHexDigit(s[i])) i++;
            if (i == digitsStart) throw new CelSyntaxException("malformed hexadecimal literal", start);
            var unsignedHex = i < s.Length && (s[i] == 'u' || s[i] == 'U');
            if (!ulong.TryParse(s.AsSpan(digitsStart, i - digitsStart), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
                throw new CelSyntaxException("integer literal out of range", start);
            if (unsignedHex) { i++; return new Token(TokenKind.Uint, s[start..i], hex, start); }
            return new Token(TokenKind.Int, s[start..i], hex, start);
        }
        while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        var isDouble = false;
        if (i < s.Length && s[i] == '.' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1]))
        {
            isDouble = true;
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        }
        if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
        {
            var j = i + 1;
            if (j < s.Length && (s[j] == '+' || s[j] == '-')) j++;
            if (j < s.Length && char.IsAsciiDigit(s[j]))
            {
                isDouble = true;
                i = j;
                while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
            }
        }
        if (isDouble) return new Token(TokenKind.Double, s[start..i], null, start);
        var digits = s[start..i];
        if (i < s.Length && (s[i] == 'u' || s[i] == 'U'))
        {
            i++;
            return new Token(TokenKind.Uint, s[start..i], null, start);
        }
        // Kept as ulong: 9223372036854775808 is legal only after a unary minus (the parser folds it).
        if (!ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            throw new CelSyntaxException("integer literal out of range", start);
        return new Token(TokenKind.Int, digits, value, start);
    }

    private static string StringLiteral(string s, ref int i, bool raw)
    {
        var start = i;
        var quote = s[i];
        var triple = i + 2 < s.Length && s[i + 1] == quote && s[i + 2] == quote;
        i += triple ? 3 : 1;
        var sb = new StringBuilder();
        while (true)
        {
            if (i >= s.Length) throw new CelSyntaxException("unterminated string literal", start);
            var c = s[i];
            if (triple ? (c == quote && i + 2 < s.Length && s[i + 1] == quote && s[i + 2] == quote) : c == quote)
            {
                i += triple ? 3 : 1;
                return sb.ToString();
            }
            if (!triple && (c == '\n' || c == '\r')) throw new CelSyntaxException("newline in string literal", i);
            if (c == '\\' && !raw)
            {
                i = Escape(s, i, sb);
                continue;
            }
            if (c == '\\' && raw && i + 1 < s.Length && s[i + 1] == quote)
            {
                sb.Append('\\').Append(quote);
                i += 2;
                continue;
            }
            sb.Append(c);
            i++;
        }
    }

    private static int Escape(string s, int i, StringBuilder sb)
    {
        if (i + 1 >= s.Length) throw new CelSyntaxException("dangling escape", i);
        var e = s[i + 1];
        switch (e)
        {
            case 'a': sb.Append('\a'); return i + 2;
            case 'b': sb.Append('\b'); return i + 2;
            case 'f': sb.Append('\f'); return i + 2;
            case 'n': sb.Append('\n'); return i + 2;
            case 'r': sb.Append('\r'); return i + 2;
            case 't': sb.Append('\t'); return i + 2;
            case 'v': sb.Append('\v'); return i + 2;
            case '\\' or '\'' or '"' or '`' or '?': sb.Append(e); return i + 2;
            case 'x' or 'X': return CodePoint(s, i, 2, 16, sb);
            case 'u': return CodePoint(s, i, 4, 16, sb);
            case 'U': return CodePoint(s, i, 8, 16, sb);
            case >= '0' and <= '3': return CodePoint(s, i - 1, 3, 8, sb);
            default: throw new CelSyntaxException($"invalid escape '\\{e}'", i);
        }
    }

    // Reads `digits` digits after the escape letter (or, for octal, starting at the first digit: i is moved back by one).
    private static int CodePoint(string s, int i, int digits, int radix, StringBuilder sb)
    {
        var from = i + 2;
        if (from + digits > s.Length) throw new CelSyntaxException("truncated escape", i);
        var value = 0;
        for (var k = 0; k < digits; k++)
        {
            var d = HexValue(s[from + k]);
            if (d < 0 || d >= radix) throw new CelSyntaxException("invalid escape digits", i);
            value = value * radix + d;
        }
        if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) throw new CelSyntaxException("escape is not a Unicode scalar value", i);
        sb.Append(char.ConvertFromUtf32(value));
        return from + digits;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
