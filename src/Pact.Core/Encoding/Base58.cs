using System.Numerics;

namespace Pact.Core.Encoding;

/// <summary>base58btc (the Bitcoin alphabet), used by did:key. Leading zero bytes are written as '1'.</summary>
public static class Base58
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var zeros = 0;
        while (zeros < bytes.Length && bytes[zeros] == 0) zeros++;
        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        var chars = new List<char>(bytes.Length * 138 / 100 + 1);
        while (value > 0)
        {
            value = BigInteger.DivRem(value, 58, out var rem);
            chars.Add(Alphabet[(int)rem]);
        }
        chars.AddRange(Enumerable.Repeat('1', zeros));
        chars.Reverse();
        return new string(chars.ToArray());
    }

    public static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        var zeros = 0;
        while (zeros < text.Length && text[zeros] == '1') zeros++;
        BigInteger value = 0;
        foreach (var c in text)
        {
            var digit = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (digit < 0) return false;
            value = value * 58 + digit;
        }
        var body = value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true);
        bytes = new byte[zeros + body.Length];
        body.CopyTo(bytes, zeros);
        return true;
    }
}
