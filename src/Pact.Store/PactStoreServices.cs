using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pact.Store.Sqlite;

namespace Pact.Store;

/// <summary>Registers the store: <see cref="IPactStore"/> (SQLite, the embedded default) and each of its roles.</summary>
public static class PactStoreServices
{
    /// <summary>
    /// Adds <see cref="IPactStore"/>, opened on first resolution with the options <paramref name="options"/> builds, and
    /// its roles (read models, agents, nonces, webhook outbox) resolved through it. The read-model projections are the
    /// store's own and registered as it opens.
    /// </summary>
    public static IServiceCollection AddPactStore(this IServiceCollection services, Func<IServiceProvider, PactStoreOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton<IPactStore>(sp =>
            SqlitePactStore.OpenAsync(options(sp), sp.GetService<ILogger<SqlitePactStore>>()).GetAwaiter().GetResult());
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Sessions);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Proposals);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().SessionCheckpoints);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Agents);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Nonces);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Webhooks);
        return services;
    }
}
