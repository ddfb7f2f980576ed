using System.Text.Json.Nodes;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.Errors;
using Pact.Core.Json;

namespace Pact.Client;

/// <summary>
/// An agent's Ed25519 identity and its key file: a small JSON document
/// <c>{ "kind": "pact-agent-key", "did", "publicKey", "seed" }</c> (keys b64u) readable only by its owner.
/// </summary>
public sealed class AgentKey
{
    /// <summary>The value of the key file's <c>kind</c> member.</summary>
    public const string FileKind = "pact-agent-key";

    // Any permission for group or others: the seed must be readable by its owner alone.
    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private AgentKey(KeyPair keyPair) => KeyPair = keyPair;

    /// <summary>The key pair, for signing.</summary>
    public KeyPair KeyPair { get; }

    /// <summary>The agent's did:key, its id on the daemon.</summary>
    public string Did => KeyPair.Did;

    /// <summary>The public key, b64u.</summary>
    public string PublicKeyB64u => KeyPair.PublicKeyB64u;

    /// <summary>A new random identity.</summary>
    public static AgentKey Generate() => new(KeyPair.Generate());

    /// <summary>The identity of a 32-byte seed.</summary>
    /// <param name="seed">The RFC 8032 private key.</param>
    public static AgentKey FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != Ed25519.SeedSize) throw new ArgumentException("An Ed25519 seed is 32 bytes.", nameof(seed));
        return new(KeyPair.FromSeed(seed));
    }

    /// <summary>The key file's content.</summary>
    public JsonObject ToJson() => new()
    {
        ["kind"] = FileKind,
        ["did"] = Did,
        ["publicKey"] = PublicKeyB64u,
        ["seed"] = Base64Url.Encode(KeyPair.Seed),
    };

    /// <summary>
    /// Writes the key file. On Unix the file is created with mode 0600 (never widened and narrowed later),
    /// written beside the target and moved into place, so a reader never sees half a key.
    /// </summary>
    /// <param name="path">Where to write.</param>
    /// <param name="overwrite">Replace an existing file; without it an existing file is an <see cref="IOException"/>.</param>
    public void Save(string path, bool overwrite = false)
    {
        var full = Path.GetFullPath(path);
        if (!overwrite && File.Exists(full)) throw new IOException($"The key file '{full}' already exists.");
        var temp = full + ".tmp-" + Guid.NewGuid().ToString("N");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using (var stream = new FileStream(temp, options))
            {
                var text = ToJson().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n";
                stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// Reads a key file. Refuses, with <see cref="KeyFileException"/>, a file that group or others may access
    /// (on Unix), one that is not a Pact key file, and one whose did or public key does not match its seed.
    /// </summary>
    /// <param name="path">The key file.</param>
    public static AgentKey Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(full);
            if ((mode & GroupOrOthers) != 0)
            {
                throw new KeyFileException(
                    $"The key file '{full}' has mode {Octal(mode)}: group or others may access it. " +
                    $"A private key must be readable by its owner only; run 'chmod 600 {full}' if the key has not leaked, otherwise replace it.");
            }
        }

        JsonObject doc;
        try
        {
            doc = StrictJson.Parse(File.ReadAllBytes(full)) as JsonObject
                ?? throw new KeyFileException($"The key file '{full}' is not a JSON object.");
        }
        catch (InvalidJsonException e)
        {
            throw new KeyFileException($"The key file '{full}' is not valid JSON: {e.Message}", e);
        }

        if (Text(doc, "kind") != FileKind)
            throw new KeyFileException($"The file '{full}' is not a Pact agent key (its kind must be \"{FileKind}\").");
        if (!Base64Url.TryDecode(Text(doc, "seed"), out var seed) || seed.Length != Ed25519.SeedSize)
            throw new KeyFileException($"The key file '{full}' has no valid seed (base64url of 32 bytes).");
        var key = new AgentKey(KeyPair.FromSeed(seed));
        if (Text(doc, "did") != key.Did || Text(doc, "publicKey") != key.PublicKeyB64u)
            throw new KeyFileException($"The key file '{full}' is inconsistent: its did or publicKey does not belong to its seed.");
        return key;
    }

    private static string? Text(JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0');
}

/// <summary>A key file that cannot be used: unsafe permissions, wrong format, or inconsistent content.</summary>
public sealed class KeyFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and what to do.</param>
    public KeyFileException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What is wrong and what to do.</param>
    /// <param name="inner">The cause.</param>
    public KeyFileException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception without a message (for serializers).</summary>
    public KeyFileException() { }
}
