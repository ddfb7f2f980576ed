using System.Security.Cryptography;

namespace Pact.Core.TransparencyLog;

/// <summary>
/// The hashes of the log's Merkle tree (RFC 9162 §2.1, PROTOCOL.md §9). The 0x00 / 0x01 prefixes keep a
/// leaf from ever being passed off as an interior node.
/// </summary>
public static class MerkleHash
{
    public const int Size = 32;

    /// <summary>MTH of the empty tree: SHA-256 of nothing. The log never signs it, but proofs define it.</summary>
    public static byte[] EmptyRoot() => SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>The leaf hash of one event: SHA-256(0x00 ‖ the 32 bytes of the event's hash).</summary>
    public static byte[] LeafHash(ReadOnlySpan<byte> eventHash)
    {
        if (eventHash.Length != Size) throw new ArgumentException("An event hash is 32 bytes.", nameof(eventHash));
        return LeafHashOfEntry(eventHash);
    }

    /// <summary>The RFC 9162 leaf hash of an entry of any length: SHA-256(0x00 ‖ entry).</summary>
    public static byte[] LeafHashOfEntry(ReadOnlySpan<byte> entry)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        ReadOnlySpan<byte> prefix = [0x00];
        sha.AppendData(prefix);
        sha.AppendData(entry);
        return sha.GetHashAndReset();
    }

    /// <summary>An interior node: SHA-256(0x01 ‖ left ‖ right).</summary>
    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        if (left.Length != Size || right.Length != Size) throw new ArgumentException("Node children are 32-byte hashes.");
        Span<byte> input = stackalloc byte[1 + 2 * Size];
        input[0] = 0x01;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + Size)..]);
        return SHA256.HashData(input);
    }
}
