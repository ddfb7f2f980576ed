namespace Pact.Core.Encoding;

/// <summary>base58btc (the Bitcoin alphabet), used by did:key. Leading zero bytes are written as '1'.</summary>
/// <remarks>
/// Schoolbook base conversion over small digit arrays: every signed request decodes its signer's did:key, and for
/// 34-byte keys this is several times cheaper than going through BigInteger.
/// </remarks>
public static class Base58
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    private static readonly sbyte[] Digits = BuildDigits();

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var zeros = 0;
        while (zeros < bytes.Length && bytes[zeros] == 0) zeros++;
        // log(256) / log(58) ≈ 1.366 base-58 digits per byte.
        var size = (int)((bytes.Length - zeros) * 138L / 100) + 1;
        Span<byte> digits = size <= 256 ? stackalloc byte[size] : new byte[size];
        var length = 0;
        for (var i = zeros; i < bytes.Length; i++)
        {
            int carry = bytes[i];
            for (var j = 0; j < length; j++)
            {
                carry += digits[j] << 8;
                digits[j] = (byte)(carry % 58);
                carry /= 58;
            }
            while (carry > 0)
            {
                digits[length++] = (byte)(carry % 58);
                carry /= 58;
            }
        }
        return string.Create(zeros + length, (zeros, length, digits.ToArray()), static (chars, s) =>
        {
            chars[..s.zeros].Fill('1');
            for (var k = 0; k < s.length; k++) chars[s.zeros + k] = Alphabet[s.Item3[s.length - 1 - k]];
        });
    }

    public static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        var zeros = 0;
        while (zeros < text.Length && text[zeros] == '1') zeros++;
        // log(58) / log(256) ≈ 0.733 bytes per base-58 digit.
        var buffer = new byte[(int)((text.Length - zeros) * 733L / 1000) + 1];
        var length = 0;
        for (var i = zeros; i < text.Length; i++)
        {
            var c = text[i];
            var digit = c < 128 ? Digits[c] : -1;
            if (digit < 0) return false;
            var carry = digit;
            for (var j = 0; j < length; j++)
            {
                carry += buffer[j] * 58;
                buffer[j] = (byte)carry;
                carry >>= 8;
            }
            while (carry > 0)
            {
                buffer[length++] = (byte)carry;
                carry >>= 8;
            }
        }
        bytes = new byte[zeros + length];
        for (var k = 0; k < length; k++) bytes[zeros + k] = buffer[length - 1 - k];
        return true;
    }

    private static sbyte[] BuildDigits()
    {
        var digits = new sbyte[128];
        Array.Fill(digits, (sbyte)-1);
        for (var i = 0; i < Alphabet.Length; i++) digits[Alphabet[i]] = (sbyte)i;
        return digits;
    }
}
