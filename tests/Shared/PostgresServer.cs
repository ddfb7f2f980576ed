using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Pact.Tests.Shared;

/// <summary>
/// A throwaway PostgreSQL cluster for the test run: Debian's server binaries (the <c>postgresql</c> package), a new
/// cluster in a temp directory on a free loopback port, started once per test process and stopped (and deleted) when
/// it exits. Run as root, the server runs as the <c>postgres</c> user, as PostgreSQL requires. Each test takes a
/// database of its own (<see cref="CreateDatabaseAsync"/>).
/// </summary>
public static class PostgresServer
{
    private static readonly Lazy<Task<Cluster>> Started = new(StartAsync);

    /// <summary>Why the tests cannot run here (no server binaries), or null. With PACT_REQUIRE_POSTGRES set, they never skip.</summary>
    public static string? Missing { get; } =
        FindBinaries() is null && Environment.GetEnvironmentVariable("PACT_REQUIRE_POSTGRES") is null or ""
            ? "PostgreSQL's server binaries are not installed (apt-get install postgresql); set PACT_REQUIRE_POSTGRES=1 to fail instead of skipping."
            : null;

    /// <summary>A new, empty database on the shared cluster; its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var cluster = await Started.Value;
        var name = "pact_" + Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(cluster.ConnectionString("postgres")))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'", admin);
            await create.ExecuteNonQueryAsync();
        }
        return cluster.ConnectionString(name);
    }

    private static string? FindBinaries()
    {
        if (Environment.GetEnvironmentVariable("PACT_PG_BIN") is { Length: > 0 } configured) return configured;
        if (!Directory.Exists("/usr/lib/postgresql")) return null;
        return Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin"))
            .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
            .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var v) ? v : 0)
            .FirstOrDefault();
    }

    private static async Task<Cluster> StartAsync()
    {
        var bin = FindBinaries() ?? throw new InvalidOperationException("PostgreSQL's server binaries are not installed (apt-get install postgresql).");
        var parent = Path.Combine(Path.GetTempPath(), "pact-postgres");
        SweepStopped(parent);
        // Named after this process, so a sweep by another test process running at the same time leaves it alone.
        var root = Path.Combine(parent, $"{Environment.ProcessId}-{Guid.NewGuid():N}");
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(root);
        var asRoot = Environment.UserName == "root";
        if (asRoot) await RunAsync("chown", ["postgres:postgres", root], asPostgres: false);
        var port = FreePort();
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "pact", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], asRoot);
        // The socket directory is the cluster's own; TCP only on loopback.
        await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60",
            "-o", $"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=200", "start"], asRoot);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], asRoot).GetAwaiter().GetResult();
                Directory.Delete(root, recursive: true);
            }
            catch (Exception)
            {
                // Best effort: a leftover cluster in /tmp is not worth failing the run over.
            }
        };
        return new Cluster(port);
    }

    /// <summary>Deletes clusters of earlier runs whose server has stopped (the exit handler may not finish deleting its own).</summary>
    private static void SweepStopped(string parent)
    {
        if (!Directory.Exists(parent)) return;
        foreach (var old in Directory.GetDirectories(parent))
        {
            if (File.Exists(Path.Combine(old, "data", "postmaster.pid")) || OwnerIsAlive(old)) continue;
            try
            {
                Directory.Delete(old, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static bool OwnerIsAlive(string directory)
    {
        if (!int.TryParse(Path.GetFileName(directory).Split('-')[0], out var pid)) return false;
        try
        {
            using var owner = Process.GetProcessById(pid);
            return !owner.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> args, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : file) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", file }) start.ArgumentList.Add(a);
        }
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {await error}{await output}");
    }

    private sealed record Cluster(int Port)
    {
        public string ConnectionString(string database) =>
            new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "pact", Database = database }.ConnectionString;
    }
}

/// <summary>A test that needs the PostgreSQL cluster: skipped only where the server is not installed and not required.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.Missing is { } reason) Skip = reason;
    }
}
