using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pact.Store;

namespace Pact.Daemon.Hosting;

/// <summary>The daemon itself: its settings, data directory, identity and start-up work, and the store it keeps its transcript in.</summary>
public static class DaemonServices
{
    /// <summary>The "Pact" settings, the clock, the data directory, the daemon key and the start-up replay.</summary>
    public static IServiceCollection AddPactDaemon(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPactSettings<PactOptions>(configuration, PactOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        // First of the hosted services: the others start on a loaded state.
        services.AddSingleton<DaemonStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<DaemonStartup>());
        services.AddSingleton(sp => new DataDirectory(sp.GetRequiredService<IOptions<PactOptions>>().Value.DataDirectory));
        services.AddSingleton(sp =>
        {
            var data = sp.GetRequiredService<DataDirectory>();
            var key = data.LoadOrCreateDaemonKey(out var created);
            if (created) sp.GetRequiredService<ILogger<DaemonIdentity>>().LogInformation("Created the daemon key {DaemonId} in {Path}", key.Did, data.DaemonKeyPath);
            return new DaemonIdentity(key, sp.GetRequiredService<IOptions<PactOptions>>().Value.Origin);
        });
        return services;
    }

    /// <summary>
    /// The transcript store (<see cref="IPactStore"/>): the SQLite file in the data directory, or the PostgreSQL database
    /// of Pact:Store (chosen here, from the configuration; the rest of the settings are checked as the host starts).
    /// </summary>
    public static IServiceCollection AddPactTranscriptStore(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration[$"{PactOptions.Section}:Store:Provider"] == StoreSettings.Postgres)
        {
            services.AddPactPostgresStore().Configure<DataDirectory, IOptions<PactOptions>>((store, data, pact) =>
            {
                store.ConnectionString = pact.Value.Store.ConnectionString ?? "";
                // Several instances may share the database: one writes, the others follow it and forward writes (ADR 0013).
                store.Standby = true;
                store.SealKey = data.LoadOrCreateStoreSealKey();
                store.OpenWithBrokenLog = true;
            });
            return services;
        }
        services.AddPactStore().Configure<DataDirectory, IOptions<PactOptions>>((store, data, pact) =>
        {
            store.DatabasePath = data.DatabasePath;
            store.Synchronous = pact.Value.Synchronous;
            store.SealKey = data.LoadOrCreateStoreSealKey();
            // A damaged log must not keep the daemon down: it starts degraded so verify can name the damage.
            store.OpenWithBrokenLog = true;
        });
        return services;
    }
}
