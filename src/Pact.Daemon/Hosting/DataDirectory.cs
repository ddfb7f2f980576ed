using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Pact.Core.Crypto;
using Pact.Core.Encoding;

namespace Pact.Daemon.Hosting;

/// <summary>
/// The daemon's data directory: the transcript database, the daemon key and the generated secrets.
/// Secret files are created with mode 0600 from the first byte, never chmod-ed afterwards.
/// </summary>
public sealed class DataDirectory
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public DataDirectory(string path)
    {
        Root = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(Root);
        else Directory.CreateDirectory(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Root { get; }

    public string DatabasePath => Path.Combine(Root, "pact.db");

    public string DaemonKeyPath => Path.Combine(Root, "daemon.key.json");

    public string AdminTokenPath => Path.Combine(Root, "admin.token");

    public string TokenSecretPath => Path.Combine(Root, "token.secret");

    /// <summary>
    /// The largest tree size the daemon key has signed a log checkpoint for, kept beside the key and outside the
    /// database: a store restored from an older copy is recognized because the key has vouched for more.
    /// </summary>
    public string SignedTreeSizePath => Path.Combine(Root, "log.signed-size");

    /// <summary>The recorded signed tree size; 0 before the first checkpoint.</summary>
    public long ReadSignedTreeSize() =>
        File.Exists(SignedTreeSizePath) && long.TryParse(File.ReadAllText(SignedTreeSizePath).Trim(), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var size) ? size : 0;

    /// <summary>Records a signed tree size durably (written aside, flushed, then renamed over the old record).</summary>
    public void RecordSignedTreeSize(long size)
    {
        var temporary = SignedTreeSizePath + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            stream.Write(System.Text.Encoding.ASCII.GetBytes(size.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n"));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, SignedTreeSizePath, overwrite: true);
    }

    /// <summary>Loads the daemon key, creating it on first start.</summary>
    public KeyPair LoadOrCreateDaemonKey(out bool created)
    {
        created = false;
        if (File.Exists(DaemonKeyPath))
        {
            var node = JsonNode.Parse(File.ReadAllText(DaemonKeyPath))!;
            return KeyPair.FromSeed(Base64Url.Decode(node["seed"]!.GetValue<string>()));
        }
        var key = KeyPair.Generate();
        WriteSecret(DaemonKeyPath, new JsonObject
        {
            ["kind"] = "pact-daemon-key",
            ["did"] = key.Did,
            ["publicKey"] = key.PublicKeyB64u,
            ["seed"] = Base64Url.Encode(key.Seed),
        }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        created = true;
        return key;
    }

    /// <summary>
    /// The key of the store's row seals, derived from the token secret so that a backup of the data directory carries
    /// it (created with the secret on first use).
    /// </summary>
    public byte[] LoadOrCreateStoreSealKey()
    {
        var secret = Base64Url.Decode(LoadOrCreateSecret(TokenSecretPath, 32, out _));
        return HMACSHA256.HashData(secret, "pact-store-row-seal-v1"u8);
    }

    /// <summary>Reads a generated secret, creating it (random, base64url) on first use.</summary>
    public string LoadOrCreateSecret(string path, int bytes, out bool created)
    {
        created = false;
        if (File.Exists(path)) return File.ReadAllText(path).Trim();
        var secret = Base64Url.Encode(RandomNumberGenerator.GetBytes(bytes));
        WriteSecret(path, secret);
        created = true;
        return secret;
    }

    private static void WriteSecret(string path, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(content);
        writer.Flush();
        stream.Flush(flushToDisk: true);
    }
}
