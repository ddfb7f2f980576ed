using System.CommandLine;
using System.Text.Json.Nodes;
using Pact.Client;

namespace Pact.Cli.Commands;

/// <summary><c>pact keys new | list | show</c>: agent key files under ~/.pact/keys, mode 0600.</summary>
internal static class KeysCommands
{
    public static Command Build(CliContext c)
    {
        var keys = c.NewCommand("keys", """
            Create and inspect agent key files (Ed25519; the file holds the seed and is created with mode 0600).

            Examples:
              pact keys new                    # ~/.pact/keys/default.json
              pact keys new --name alice       # ~/.pact/keys/alice.json
              pact keys list
              pact keys show --name alice
            """);
        keys.Subcommands.Add(New(c));
        keys.Subcommands.Add(List(c));
        keys.Subcommands.Add(Show(c));
        return keys;
    }

    private static Option<string> NameOption(string description) => new("--name")
    {
        Description = description,
        HelpName = "name",
        Validators =
        {
            r =>
            {
                var name = r.GetValueOrDefault<string>();
                if (name is not null && !AgentKeyFiles.IsName(name))
                    r.AddError($"'{name}' is not a key name: use letters, digits, '-' or '_', without '/' or '.json' (or pass a path with --key).");
            },
        },
    };

    private static Command New(CliContext c)
    {
        var name = NameOption("Write ~/.pact/keys/<name>.json instead of the --key file.");
        var force = new Option<bool>("--force") { Description = "Replace an existing key file (its identity is lost)." };
        var command = c.NewCommand("new", """
            Generate a new agent identity and write its key file (mode 0600, never widened).
            Prints the did:key, which is the agent's id on the daemon; the seed is never printed.

            Examples:
              pact keys new --name alice
              pact keys new --key ./agents/bob.json
            """).With(name, force);
        c.Handle(command, inv =>
        {
            var n = inv.Get(name);
            var path = n is null ? inv.KeyPath : c.KeyPathOf(n);
            if (File.Exists(path) && !inv.Get(force))
                throw new CliException($"A key file already exists at {path}; pass --force to replace it, or choose another --name.");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (!OperatingSystem.IsWindows())
            {
                // The directory holds seeds: owner only, like ~/.ssh.
                var dir = Path.GetDirectoryName(path)!;
                if (dir == c.KeysDirectory) File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            var key = AgentKey.Generate();
            key.Save(path, overwrite: inv.Get(force));
            if (inv.Json) inv.Out.Json(Describe(key, path));
            else inv.Out.Fields("New agent key", [("did", key.Did), ("publicKey", key.PublicKeyB64u), ("file", path)]);
            return Task.CompletedTask;
        });
        return command;
    }

    private static Command List(CliContext c)
    {
        var command = c.NewCommand("list", """
            List the key files in ~/.pact/keys with their did:keys; '*' marks the one in use (--key / $PACT_KEY).

            Example:
              pact keys list
            """);
        c.Handle(command, inv =>
        {
            var current = inv.KeyPath;
            var files = Directory.Exists(c.KeysDirectory)
                ? Directory.GetFiles(c.KeysDirectory, "*.json").Order(StringComparer.Ordinal).ToList()
                : [];
            var rows = new List<JsonObject>();
            foreach (var file in files)
            {
                var row = new JsonObject
                {
                    ["name"] = Path.GetFileNameWithoutExtension(file),
                    ["path"] = file,
                    ["current"] = file == current,
                };
                try
                {
                    row["did"] = AgentKey.Load(file).Did;
                    row["problem"] = null;
                }
                catch (Exception e) when (e is KeyFileException or IOException or UnauthorizedAccessException)
                {
                    row["did"] = null;
                    row["problem"] = e.Message;
                }
                rows.Add(row);
            }
            if (inv.Json)
            {
                inv.Out.Json(new JsonObject { ["keys"] = new JsonArray(rows.ToArray<JsonNode?>()) });
                return Task.CompletedTask;
            }
            var anyProblem = rows.Any(r => r["problem"] is not null);
            string[] headers = anyProblem ? ["", "name", "did", "problem"] : ["", "name", "did"];
            inv.Out.Table($"Keys in {c.KeysDirectory}", headers, rows.Select(r => (IReadOnlyList<string?>)
            [
                (bool)r["current"]! ? "*" : "",
                (string?)r["name"],
                (string?)r["did"],
                .. anyProblem ? new[] { (string?)r["problem"] } : [],
            ]));
            return Task.CompletedTask;
        });
        return command;
    }

    private static Command Show(CliContext c)
    {
        var name = NameOption("Show ~/.pact/keys/<name>.json instead of the --key file.");
        var command = c.NewCommand("show", """
            Show a key file's did:key, public key, path and mode (never the seed). The file is checked as the
            SDK checks it: readable by its owner only, and consistent.

            Examples:
              pact keys show
              pact keys show --name alice --json
            """).With(name);
        c.Handle(command, inv =>
        {
            var n = inv.Get(name);
            var path = n is null ? inv.KeyPath : c.KeyPathOf(n);
            var key = CliContext.LoadKey(path);
            var description = Describe(key, path);
            if (inv.Json) inv.Out.Json(description);
            else inv.Out.Fields("Agent key", [("did", key.Did), ("publicKey", key.PublicKeyB64u), ("file", path), ("mode", (string?)description["mode"])]);
            return Task.CompletedTask;
        });
        return command;
    }

    private static JsonObject Describe(AgentKey key, string path) => new()
    {
        ["did"] = key.Did,
        ["publicKey"] = key.PublicKeyB64u,
        ["path"] = path,
        ["mode"] = OperatingSystem.IsWindows() ? null : "0" + Convert.ToString((int)File.GetUnixFileMode(path) & 0x1FF, 8).PadLeft(3, '0'),
    };
}
