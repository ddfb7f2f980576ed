namespace Pact.Core.Encoding;

/// <summary>Lowercase hexadecimal, the protocol's spelling of SHA-256 digests.</summary>
public static class Hex
{
    public static string Encode(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    public static byte[] Decode(string hex) => Convert.FromHexString(hex);

    /// <summary>True for exactly 64 lowercase hex characters: the only accepted form of a digest.</summary>
    public static bool IsDigest(string? text)
    {
        if (text is null || text.Length != 64) return false;
        foreach (var c in text)
        {
            if (!(char.IsAsciiDigit(c) || c is >= 'a' and <= 'f')) return false;
        }
        return true;
    }
}
