using Microsoft.Extensions.DependencyInjection.Extensions;
using Pact.Store;

namespace Pact.Daemon.Hosting;

/// <summary>The daemon itself: its settings, data directory, identity and start-up work, and the store it keeps its transcript in.</summary>
public static class DaemonServices
{
    /// <summary>The "Pact" settings, the clock, the data directory, the daemon key and the start-up replay.</summary>
    public static IServiceCollection AddPactDaemon(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<PactOptions>(configuration.GetSection(PactOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        // First of the hosted services: the others start on a loaded state.
        services.AddSingleton<DaemonStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<DaemonStartup>());
        var pact = PactOptions.From(configuration);
        services.AddSingleton(_ => new DataDirectory(pact.DataDirectory));
        services.AddSingleton(sp =>
        {
            var data = sp.GetRequiredService<DataDirectory>();
            var key = data.LoadOrCreateDaemonKey(out var created);
            if (created) sp.GetRequiredService<ILogger<DaemonIdentity>>().LogInformation("Created the daemon key {DaemonId} in {Path}", key.Did, data.DaemonKeyPath);
            return new DaemonIdentity(key, pact.Origin);
        });
        return services;
    }

    /// <summary>The transcript store (<see cref="IPactStore"/>) in the data directory.</summary>
    public static IServiceCollection AddPactTranscriptStore(this IServiceCollection services, IConfiguration configuration)
    {
        var pact = PactOptions.From(configuration);
        return services.AddPactStore(sp => new PactStoreOptions
        {
            DatabasePath = sp.GetRequiredService<DataDirectory>().DatabasePath,
            Synchronous = pact.Synchronous,
            // A damaged log must not keep the daemon down: it starts degraded so verify can name the damage.
            OpenWithBrokenLog = true,
        });
    }
}
