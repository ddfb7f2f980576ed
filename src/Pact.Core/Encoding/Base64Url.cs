using System.Buffers.Text;

namespace Pact.Core.Encoding;

/// <summary>base64url without padding (RFC 4648 §5), the protocol's encoding for keys, signatures and nonces.</summary>
public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    /// <summary>Decodes strictly: padding, whitespace and the standard alphabet's '+' and '/' are refused.</summary>
    public static bool TryDecode(string? text, out byte[] bytes)
    {
        bytes = [];
        if (text is null) return false;
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_')) return false;
        }
        if (text.Length % 4 == 1) return false;
        try
        {
            bytes = System.Buffers.Text.Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return false;
        }
        // Refuse non-canonical encodings (unused trailing bits set) so one value has one spelling.
        return Encode(bytes) == text;
    }

    public static byte[] Decode(string text) =>
        TryDecode(text, out var bytes) ? bytes : throw new FormatException("Not unpadded base64url.");
}
