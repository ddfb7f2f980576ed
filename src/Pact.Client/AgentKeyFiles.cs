namespace Pact.Client;

/// <summary>
/// Where agent key files live: in <c>~/.pact/keys</c> by default, outside any work tree, so a key cannot be
/// committed by accident. The CLI and the samples name keys the same way: a bare name (<c>alice</c>) is
/// <c>~/.pact/keys/alice.json</c>, <c>~/…</c> expands to the home directory, anything else is a path.
/// </summary>
public static class AgentKeyFiles
{
    /// <summary><c>~/.pact/keys</c> under <paramref name="homeDirectory"/>.</summary>
    public static string Directory(string homeDirectory) => Path.Combine(homeDirectory, ".pact", "keys");

    /// <summary>The key file that <paramref name="nameOrPath"/> names (see the class remarks).</summary>
    public static string Resolve(string nameOrPath, string homeDirectory)
    {
        ArgumentNullException.ThrowIfNull(nameOrPath);
        if (nameOrPath.StartsWith("~/", StringComparison.Ordinal))
            nameOrPath = Path.Combine(homeDirectory, nameOrPath[2..]);
        if (IsName(nameOrPath)) return Path.Combine(Directory(homeDirectory), nameOrPath + ".json");
        return Path.GetFullPath(nameOrPath);
    }

    /// <summary>True for a bare key name: no directory separator, no <c>.json</c> ending.</summary>
    public static bool IsName(string value) =>
        value.Length > 0 && value.IndexOfAny(['/', Path.DirectorySeparatorChar]) < 0 &&
        !value.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && value != "." && value != "..";

    /// <summary>Loads the key at <paramref name="path"/>, or creates it (mode 0600, its directory 0700) on first use.</summary>
    public static AgentKey LoadOrCreate(string path)
    {
        if (File.Exists(path)) return AgentKey.Load(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (OperatingSystem.IsWindows()) System.IO.Directory.CreateDirectory(directory);
        else System.IO.Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var key = AgentKey.Generate();
        key.Save(path);
        return key;
    }
}
