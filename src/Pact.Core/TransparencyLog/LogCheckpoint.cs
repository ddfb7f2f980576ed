using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Pact.Core.TransparencyLog;

/// <summary>
/// The body of a C2SP tlog-checkpoint as §9 writes it: exactly three lines — origin, decimal tree size,
/// standard base64 of the 32-byte root hash. Size and root come from the same signed text, because a
/// root does not commit to its size.
/// </summary>
public sealed record LogCheckpoint(string Origin, long TreeSize, byte[] RootHash)
{
    public string ToBody()
    {
        if (!SignedNote.IsValidKeyName(Origin)) throw new InvalidOperationException("The origin is the key name and must be a valid one.");
        if (TreeSize < 0) throw new InvalidOperationException("A tree size is not negative.");
        if (RootHash is not { Length: MerkleHash.Size }) throw new InvalidOperationException("A root hash is 32 bytes.");
        return $"{Origin}\n{TreeSize.ToString(CultureInfo.InvariantCulture)}\n{Convert.ToBase64String(RootHash)}\n";
    }

    /// <summary>Reads a checkpoint body; extension lines are refused since §9 signs exactly three lines.</summary>
    public static bool TryParse(string? body, [NotNullWhen(true)] out LogCheckpoint? checkpoint, [NotNullWhen(false)] out string? error)
    {
        checkpoint = null;
        error = null;
        var lines = body?.Split('\n');
        if (lines is not { Length: 4 } || lines[3].Length != 0) error = "A checkpoint is exactly three lines, each ending in a newline.";
        else if (!SignedNote.IsValidKeyName(lines[0])) error = "The checkpoint's origin is not a valid key name.";
        else if (!TryParseSize(lines[1], out var size)) error = "The tree size is not a decimal number without leading zeros.";
        else if (!SignedNote.TryDecodeStrictBase64(lines[2], out var root) || root.Length != MerkleHash.Size)
            error = "The root hash is not standard base64 of 32 bytes.";
        else checkpoint = new LogCheckpoint(lines[0], size, root);
        return checkpoint is not null;
    }

    /// <summary>
    /// What a verifier does with a note: checks it is signed by <paramref name="publicKey"/> under
    /// <paramref name="name"/>, that its origin is that name, and reads the checkpoint it signs.
    /// </summary>
    public static bool TryOpen(string? noteText, string name, ReadOnlySpan<byte> publicKey, [NotNullWhen(true)] out LogCheckpoint? checkpoint, [NotNullWhen(false)] out string? error)
    {
        checkpoint = null;
        if (!SignedNote.TryParse(noteText, out var note, out error)) return false;
        if (!note.IsSignedBy(name, publicKey))
        {
            error = $"The note carries no valid signature by key '{name}'.";
            return false;
        }
        if (!TryParse(note.Body, out checkpoint, out error)) return false;
        if (checkpoint.Origin != name)
        {
            checkpoint = null;
            error = $"The checkpoint's origin is not '{name}'.";
            return false;
        }
        return true;
    }

    private static bool TryParseSize(string text, out long size)
    {
        size = 0;
        if (text.Length == 0 || text.Length > 19 || (text.Length > 1 && text[0] == '0')) return false;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c)) return false;
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out size);
    }
}
