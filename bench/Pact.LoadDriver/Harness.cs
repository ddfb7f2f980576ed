using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Pact.Client;
using Pact.Core.Contracts;
using Pact.Core.Crypto;
using Pact.Daemon.Hosting;
using Pact.Store;

namespace Pact.LoadDriver;

/// <summary>
/// The daemon, built exactly as Program.cs builds it (<see cref="PactApp.Build"/>), hosted in this process on
/// 127.0.0.1 with a kernel-chosen port over a fresh temp data directory. Hosting it here lets the driver read the
/// transcript store's commit counter (the group-commit batch shape) directly.
/// </summary>
internal sealed class InProcessDaemon : IAsyncDisposable
{
    public const string AdminToken = "load-driver-admin-token";

    private readonly WebApplication _app;

    private readonly bool _keep;

    private InProcessDaemon(WebApplication app, string dataDirectory, Uri baseAddress, bool keep)
    {
        _app = app;
        _keep = keep;
        DataDirectory = dataDirectory;
        BaseAddress = baseAddress;
        Store = app.Services.GetRequiredService<IPactStore>();
    }

    public string DataDirectory { get; }

    public Uri BaseAddress { get; }

    public IPactStore Store { get; }

    /// <param name="keepDirectory">A data directory to use and keep; a fresh temp one, deleted on dispose, when null.</param>
    /// <param name="postgres">The PostgreSQL database to store in (ADR 0011); SQLite in the data directory when null.</param>
    public static async Task<InProcessDaemon> StartAsync(string? keepDirectory = null, string? postgres = null)
    {
        var dataDirectory = keepDirectory ?? Path.Combine(Path.GetTempPath(), "pact-load-" + Guid.NewGuid().ToString("N"));
        string[] store = postgres is null ? [] : ["--Pact:Store:Provider=postgres", $"--Pact:Store:ConnectionString={postgres}"];
        var app = PactApp.Build(
        [
            .. store,
            "--urls", "http://127.0.0.1:0",
            "--data-dir", dataDirectory,
            "--admin-token", AdminToken,
            // The driver's agents send far more than an agent's normal budget; the limiter is not what is measured.
            "--Pact:Limits:RequestsPerWindow=1000000000",
            "--Serilog:MinimumLevel:Default=Warning",
            "--Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime=Warning",
        ]);
        await app.StartAsync();
        var url = app.Urls.First();
        return new InProcessDaemon(app, dataDirectory, new Uri(url.EndsWith('/') ? url : url + "/"), keep: keepDirectory is not null);
    }

    /// <summary>An HttpClient with an unbounded connection pool to the daemon (one connection per concurrent request).</summary>
    public HttpClient CreateHttpClient(TimeSpan? timeout = null) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = BaseAddress,
            Timeout = timeout ?? TimeSpan.FromSeconds(60),
        };

    /// <summary>The stored columns of one event of <paramref name="type"/>: the row shape the SQLite baseline copies.</summary>
    public Task<EventRow?> SampleRowAsync(string type) =>
        Task.Run(() =>
        {
            // The bench reads the file beside the daemon (read-only): the store's API has no query by event type.
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(DataDirectory, "pact.db"),
                Mode = Microsoft.Data.Sqlite.SqliteOpenMode.ReadOnly,
                Pooling = false,
            }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT stream, type, time, actor, data, prev_hash, hash FROM events WHERE type = $type ORDER BY seq DESC LIMIT 1;";
            command.Parameters.AddWithValue("$type", type);
            using var reader = command.ExecuteReader();
            return reader.Read()
                ? new EventRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6))
                : (EventRow?)null;
        });

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        // The appends-and-floor run stops the daemon early to give the floor the cores; the `await using` then disposes again.
        if (_disposed) return;
        _disposed = true;
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_keep) return;
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS temp cleaner.
        }
    }
}

/// <summary>The text columns of a stored event.</summary>
internal sealed record EventRow(string Stream, string Type, string Time, string Actor, string Data, string PrevHash, string Hash)
{
    /// <summary>Bytes of text the row stores besides its two integers.</summary>
    public int TextBytes => System.Text.Encoding.UTF8.GetByteCount(Stream + Type + Time + Actor + Data + PrevHash + Hash);
}

/// <summary>A registered agent with its principal's key, so it can also authorize compact signatures.</summary>
internal sealed record Agent(PactClient Client, KeyPair Principal, string Name, string Kind)
{
    public string Did => Client.AgentId!;

    public PrincipalAuthority Authority => PrincipalAuthority.Signature(Principal);

    public static async Task<Agent> RegisterAsync(HttpClient http, string name, string kind)
    {
        var principal = KeyPair.Generate();
        // One attempt: a resend would hide a failure inside a latency figure.
        var client = new PactClient(http, AgentKey.Generate(), new PactClientOptions { MaxAttempts = 1 });
        await client.RegisterAsync(new Principal(principal.Did, kind, name), name);
        return new Agent(client, principal, name, kind);
    }

    public JsonObject PartyJson() => new()
    {
        ["agent"] = Did,
        ["principal"] = new JsonObject { ["id"] = Principal.Did, ["kind"] = Kind, ["name"] = Name },
    };
}

/// <summary>A contractor and a homeowner in one session, with standard-tier kitchen-remodel terms drafted once.</summary>
internal sealed record Pair(Agent A, Agent B, string SessionId, JsonObject Terms)
{
    public static async Task<Pair> CreateAsync(HttpClient http, string label, bool draft)
    {
        var a = await Agent.RegisterAsync(http, $"Contractor {label}", PrincipalKinds.Organization);
        var b = await Agent.RegisterAsync(http, $"Homeowner {label}", PrincipalKinds.Human);
        var sessionId = (await a.Client.CreateSessionAsync([a.Did, b.Did], "load " + label)).SessionId;
        var terms = draft
            ? (await a.Client.DraftAsync("standard", "contractor-and-service",
                new JsonObject { ["a"] = a.PartyJson(), ["b"] = b.PartyJson() },
                new JsonObject
                {
                    ["interaction"] = "Kitchen remodel as described in scope-of-work SOW-17",
                    ["effective"] = new JsonObject { ["from"] = "2026-12-01T00:00:00.000Z", ["until"] = "2027-12-01T00:00:00.000Z" },
                })).Terms
            : [];
        return new Pair(a, b, sessionId, terms);
    }
}

/// <summary>Latency samples in Stopwatch ticks, summarized in milliseconds.</summary>
internal sealed class Samples
{
    private readonly List<double> _ms = [];

    public int Count => _ms.Count;

    public void AddTicks(long ticks) => _ms.Add(ticks * 1000.0 / Stopwatch.Frequency);

    public void AddMs(double ms) => _ms.Add(ms);

    public void AddRange(Samples other) => _ms.AddRange(other._ms);

    /// <summary>Nearest-rank percentile; NaN without samples.</summary>
    public double Percentile(double p)
    {
        if (_ms.Count == 0) return double.NaN;
        var sorted = _ms.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public double Max => _ms.Count == 0 ? double.NaN : _ms.Max();
}

/// <summary>What the machine is and how busy it is.</summary>
internal static class Machine
{
    /// <summary>CPU time used by this process so far (all threads, user + system).</summary>
    public static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    public static string LoadAverage() => Read("/proc/loadavg") is { } text ? string.Join(' ', text.Split(' ').Take(3)) : "n/a";

    public static string CpuModel() =>
        Read("/proc/cpuinfo")?.Split('\n').FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "n/a";

    public static string Memory()
    {
        var line = Read("/proc/meminfo")?.Split('\n').FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        if (line is null) return "n/a";
        var kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return $"{kb / 1024.0 / 1024.0:F1} GiB";
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
