using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Pact.Core.Crypto;
using Pact.Core.Json;

namespace Pact.Core.TransparencyLog;

/// <summary>One signature line of a note: the key's name, its 4-byte key id, and the signature bytes after the id.</summary>
public sealed record NoteSignature(string Name, uint KeyId, byte[] Signature);

/// <summary>
/// A C2SP signed note (PROTOCOL.md §9): a body of lines each ending in '\n', a blank line, then one line
/// per signature, "— name base64(keyId(4) ‖ signature)". Only Ed25519 keys (algorithm byte 0x01) are
/// produced and verified here; signatures by other keys parse and are ignored.
/// </summary>
public sealed record SignedNote(string Body, IReadOnlyList<NoteSignature> Signatures)
{
    /// <summary>The signature-type byte of Ed25519 in key ids and verifier keys.</summary>
    public const byte Ed25519Algorithm = 0x01;

    /// <summary>Notes with more signature lines than this are refused, as the Go reference does.</summary>
    public const int MaxSignatures = 100;

    private const string SignatureLinePrefix = "\u2014 ";

    /// <summary>Key id = the first 4 bytes, big-endian, of SHA-256(UTF-8 name ‖ 0x0A ‖ 0x01 ‖ public key).</summary>
    public static uint KeyId(string name, ReadOnlySpan<byte> publicKey)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (publicKey.Length != Ed25519.PublicKeySize) throw new ArgumentException("An Ed25519 public key is 32 bytes.", nameof(publicKey));
        var nameBytes = System.Text.Encoding.UTF8.GetBytes(name);
        var input = new byte[nameBytes.Length + 2 + publicKey.Length];
        nameBytes.CopyTo(input, 0);
        input[nameBytes.Length] = 0x0A;
        input[nameBytes.Length + 1] = Ed25519Algorithm;
        publicKey.CopyTo(input.AsSpan(nameBytes.Length + 2));
        return BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(input));
    }

    /// <summary>A key name is non-empty and holds no Unicode space, no '+' and no control character.</summary>
    public static bool IsValidKeyName([NotNullWhen(true)] string? name)
    {
        if (string.IsNullOrEmpty(name) || !StrictJson.IsWellFormedUtf16(name)) return false;
        foreach (var c in name)
        {
            if (c == '+' || char.IsWhiteSpace(c) || char.IsControl(c)) return false;
        }
        return true;
    }

    /// <summary>Signs <paramref name="body"/> (lines ending in '\n') as key <paramref name="name"/> and returns the note's text.</summary>
    public static string SignText(string body, string name, KeyPair key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!IsValidBody(body, out var why)) throw new ArgumentException(why, nameof(body));
        if (!IsValidKeyName(name)) throw new ArgumentException("Not a valid key name.", nameof(name));
        var sig = key.Sign(System.Text.Encoding.UTF8.GetBytes(body));
        return new SignedNote(body, [new NoteSignature(name, KeyId(name, key.PublicKey), sig)]).ToText();
    }

    /// <summary>Signs the checkpoint (origin, tree size, root) as key <paramref name="origin"/>: the daemon's note of §9.</summary>
    public static string Sign(string origin, long treeSize, ReadOnlySpan<byte> rootHash, KeyPair key) =>
        SignText(new LogCheckpoint(origin, treeSize, rootHash.ToArray()).ToBody(), origin, key);

    /// <summary>The note's text: body, blank line, signature lines.</summary>
    public string ToText()
    {
        var sb = new StringBuilder(Body).Append('\n');
        foreach (var s in Signatures)
        {
            var blob = new byte[4 + s.Signature.Length];
            BinaryPrimitives.WriteUInt32BigEndian(blob, s.KeyId);
            s.Signature.CopyTo(blob, 4);
            sb.Append(SignatureLinePrefix).Append(s.Name).Append(' ').Append(Convert.ToBase64String(blob)).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Reads a note's structure without checking any signature; <paramref name="error"/> says what is malformed.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out SignedNote? note, [NotNullWhen(false)] out string? error)
    {
        note = null;
        if (text is null) return Fail("The note is missing.", out error);
        if (!StrictJson.IsWellFormedUtf16(text)) return Fail("The note is not valid Unicode text.", out error);
        foreach (var c in text)
        {
            if (c < 0x20 && c != '\n') return Fail("The note holds a control character other than newline.", out error);
        }
        if (!text.EndsWith('\n')) return Fail("The note does not end with a newline.", out error);
        // The signature block starts after the last blank line; the body keeps its own final newline.
        var split = text.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0) return Fail("The note has no blank line before its signatures.", out error);
        var body = text[..(split + 1)];
        if (!IsValidBody(body, out var why)) return Fail(why, out error);
        var lines = text[(split + 2)..].Split('\n');
        // The block ends with '\n', so the last split element is empty.
        if (lines.Length < 2) return Fail("The note has no signature.", out error);
        if (lines.Length - 1 > MaxSignatures) return Fail($"The note has more than {MaxSignatures} signatures.", out error);
        var signatures = new List<NoteSignature>(lines.Length - 1);
        for (var i = 0; i < lines.Length - 1; i++)
        {
            if (!TryParseSignatureLine(lines[i], out var signature)) return Fail($"Signature line {i + 1} is malformed.", out error);
            signatures.Add(signature);
        }
        note = new SignedNote(body, signatures);
        error = null;
        return true;
    }

    public static SignedNote Parse(string text) =>
        TryParse(text, out var note, out var error) ? note : throw new FormatException(error);

    /// <summary>
    /// True when the note is well formed and signed by <paramref name="publicKey"/> under <paramref name="name"/>:
    /// at least one line names that key (name and key id) and every such line verifies over the body.
    /// </summary>
    public static bool Verify(string? text, string name, ReadOnlySpan<byte> publicKey) =>
        TryParse(text, out var note, out _) && note.IsSignedBy(name, publicKey);

    /// <inheritdoc cref="Verify(string?, string, ReadOnlySpan{byte})"/>
    public bool IsSignedBy(string name, ReadOnlySpan<byte> publicKey)
    {
        if (!IsValidKeyName(name) || publicKey.Length != Ed25519.PublicKeySize) return false;
        var id = KeyId(name, publicKey);
        var message = System.Text.Encoding.UTF8.GetBytes(Body);
        var found = false;
        foreach (var s in Signatures)
        {
            if (s.Name != name || s.KeyId != id) continue;
            // A line that claims this key and does not verify poisons the note, as in the C2SP spec.
            if (!Ed25519.Verify(publicKey, message, s.Signature)) return false;
            found = true;
        }
        return found;
    }

    /// <summary>The Go-style verifier key "name+keyid(8 hex)+base64(0x01 ‖ public key)", for handing a key to other tools.</summary>
    public static string VerifierKey(string name, ReadOnlySpan<byte> publicKey)
    {
        if (!IsValidKeyName(name)) throw new ArgumentException("Not a valid key name.", nameof(name));
        var blob = new byte[1 + publicKey.Length];
        blob[0] = Ed25519Algorithm;
        publicKey.CopyTo(blob.AsSpan(1));
        return $"{name}+{KeyId(name, publicKey):x8}+{Convert.ToBase64String(blob)}";
    }

    /// <summary>Reads a verifier key written by <see cref="VerifierKey"/> (or Go's note.NewVerifier): Ed25519 only, key id checked.</summary>
    public static bool TryParseVerifierKey(string? text, [NotNullWhen(true)] out string? name, out byte[] publicKey)
    {
        name = null;
        publicKey = [];
        // Names hold no '+', but standard base64 may: split at the first two only, as Go's note package does.
        var parts = text?.Split('+', 3);
        if (parts is not { Length: 3 } || !IsValidKeyName(parts[0])) return false;
        if (parts[1].Length != 8 || !uint.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id)) return false;
        if (parts[1] != id.ToString("x8", CultureInfo.InvariantCulture)) return false;
        if (!TryDecodeStrictBase64(parts[2], out var blob) || blob.Length != 1 + Ed25519.PublicKeySize || blob[0] != Ed25519Algorithm) return false;
        var key = blob[1..];
        if (KeyId(parts[0], key) != id) return false;
        name = parts[0];
        publicKey = key;
        return true;
    }

    /// <summary>Standard base64 (RFC 4648 §4) with padding, in its one canonical spelling.</summary>
    internal static bool TryDecodeStrictBase64(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || text.Length % 4 != 0) return false;
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=')) return false;
        }
        var buffer = new byte[text.Length / 4 * 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written)) return false;
        bytes = buffer[..written];
        // Refuses misplaced padding and set trailing bits: one value, one spelling.
        return Convert.ToBase64String(bytes) == text;
    }

    private static bool TryParseSignatureLine(string line, [NotNullWhen(true)] out NoteSignature? signature)
    {
        signature = null;
        if (!line.StartsWith(SignatureLinePrefix, StringComparison.Ordinal)) return false;
        var rest = line[SignatureLinePrefix.Length..];
        var space = rest.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0) return false;
        var name = rest[..space];
        if (!IsValidKeyName(name) || !TryDecodeStrictBase64(rest[(space + 1)..], out var blob) || blob.Length < 5) return false;
        signature = new NoteSignature(name, BinaryPrimitives.ReadUInt32BigEndian(blob), blob[4..]);
        return true;
    }

    private static bool IsValidBody(string? body, [NotNullWhen(false)] out string? why)
    {
        why = null;
        if (string.IsNullOrEmpty(body) || body == "\n") why = "The note's text is empty.";
        else if (!body.EndsWith('\n')) why = "The note's text must end with a newline.";
        else if (!StrictJson.IsWellFormedUtf16(body)) why = "The note's text is not valid Unicode.";
        else if (body.Any(c => c < 0x20 && c != '\n')) why = "The note's text holds a control character other than newline.";
        return why is null;
    }

    private static bool Fail(string why, out string error)
    {
        error = why;
        return false;
    }
}
