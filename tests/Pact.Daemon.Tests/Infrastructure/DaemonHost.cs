using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Pact.Daemon.Hosting;

namespace Pact.Daemon.Tests.Infrastructure;

/// <summary>
/// A real daemon on real Kestrel, bound to 127.0.0.1 on a free port, over a real SQLite file in a temp
/// directory or a PostgreSQL database of its own (<see cref="DaemonStore"/>). Restart keeps the directory and the
/// database, so tests can check what survives.
/// </summary>
public sealed class DaemonHost : IAsyncDisposable
{
    private WebApplication? _app;

    private readonly Action<WebApplicationBuilder>? _configure;

    private DaemonHost(string dataDirectory, TimeProvider? clock, IReadOnlyDictionary<string, string>? settings, Action<WebApplicationBuilder>? configure)
    {
        DataDirectory = dataDirectory;
        Clock = clock;
        Settings = settings ?? new Dictionary<string, string>();
        _configure = configure;
    }

    public string DataDirectory { get; }

    public TimeProvider? Clock { get; }

    public IReadOnlyDictionary<string, string> Settings { get; }

    public Uri BaseAddress { get; private set; } = null!;


    public IServiceProvider Services => _app!.Services;

    public const string AdminToken = "test-admin-token";

    /// <param name="configure">Runs on the builder after the daemon's own settings, e.g. to add a log sink or a telemetry exporter.</param>
    /// <param name="store">
    /// The store the daemon runs on. <see cref="DaemonStore.Default"/> is SQLite unless PACT_TEST_STORE=postgres; a
    /// test that opens <c>pact.db</c> itself asks for <see cref="DaemonStore.Sqlite"/>. A PostgreSQL daemon takes a
    /// database of its own in the test cluster, and a later start on the same data directory takes the same database.
    /// </param>
    public static async Task<DaemonHost> StartAsync(
        TimeProvider? clock = null, IReadOnlyDictionary<string, string>? settings = null, string? dataDirectory = null,
        Action<WebApplicationBuilder>? configure = null, DaemonStore store = DaemonStore.Default)
    {
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "pact-test-" + Guid.NewGuid().ToString("N"));
        if (store.Resolve() == DaemonStore.Postgres && settings?.ContainsKey("Pact:Store:Provider") != true)
        {
            settings = new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
            {
                ["Pact:Store:Provider"] = "postgres",
                ["Pact:Store:ConnectionString"] = await DatabaseOfAsync(dataDirectory),
            };
        }
        var host = new DaemonHost(dataDirectory, clock, settings, configure);
        await host.StartAppAsync();
        return host;
    }

    // The data directory and its database belong together, as in a deployment: a second start on the directory finds its log.
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Databases = new(StringComparer.Ordinal);

    private static Task<string> DatabaseOfAsync(string dataDirectory) =>
        Databases.GetOrAdd(Path.GetFullPath(dataDirectory), _ => new Lazy<Task<string>>(Pact.Tests.Shared.PostgresServer.CreateDatabaseAsync)).Value;

    private async Task StartAppAsync()
    {
        var args = new List<string>
        {
            // A restart keeps the port, so clients made before it keep working.
            "--urls", BaseAddress is null ? "http://127.0.0.1:0" : $"http://127.0.0.1:{BaseAddress.Port}",
            "--data-dir", DataDirectory,
            "--admin-token", AdminToken,
            "--Serilog:MinimumLevel:Default=Warning",
        };
        args.AddRange(Settings.Select(s => $"--{s.Key}={s.Value}"));
        _app = PactApp.Build(args.ToArray(), builder =>
        {
            if (Clock is not null) builder.Services.AddSingleton(Clock);
            _configure?.Invoke(builder);
        });
        try
        {
            await _app.StartAsync();
        }
        catch
        {
            // A start that was refused leaves nothing open behind it (the data directory stays, for the caller).
            await _app.DisposeAsync();
            _app = null;
            throw;
        }
        BaseAddress = new Uri(_app.Urls.First());
    }

    /// <summary>
    /// Waits until the state the daemon started from is checked against the whole log: at once after a start that
    /// folded the whole log; after a start from a state snapshot, when the background fold compared it (damage to
    /// events before the snapshot is quarantined from then on).
    /// </summary>
    public Task StartCheckedAsync() => Services.GetRequiredService<Pact.Daemon.Application.StateSnapshots>().Verified.WaitAsync(TimeSpan.FromSeconds(60));

    public HttpClient CreateHttpClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Stops the daemon gracefully and starts it again on the same data directory.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAppAsync();
    }

    public async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open on shutdown is left for the OS temp cleaner.
        }
    }
}
