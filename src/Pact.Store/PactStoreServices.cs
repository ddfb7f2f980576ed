using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pact.Store.Sqlite;

namespace Pact.Store;

/// <summary>Registers the store: <see cref="IPactStore"/> (SQLite, the embedded default) and each of its roles.</summary>
public static class PactStoreServices
{
    /// <summary>
    /// Adds <see cref="IPactStore"/> with the options <paramref name="options"/> builds, and its roles (read models,
    /// agents, nonces, webhook outbox) resolved through it. The store is opened asynchronously by
    /// <see cref="OpenPactStoreAsync"/> once the container is built and before the host starts, so that no
    /// constructor blocks on I/O; resolving it earlier is a programming error and says so.
    /// </summary>
    public static IServiceCollection AddPactStore(this IServiceCollection services, Func<IServiceProvider, PactStoreOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(sp => new OpenedStore(() => options(sp), sp.GetService<ILogger<SqlitePactStore>>()));
        services.AddSingleton(sp => sp.GetRequiredService<OpenedStore>().Store);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Sessions);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Proposals);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().SessionCheckpoints);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Agents);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Passports);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Nonces);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Webhooks);
        return services;
    }

    /// <summary>Opens the registered store (migrations, the log's checks); call once, before the host starts.</summary>
    public static Task OpenPactStoreAsync(this IServiceProvider services, CancellationToken ct = default) =>
        services.GetRequiredService<OpenedStore>().OpenAsync(ct);

    /// <summary>Holds the store once opened; the container disposes it through its <see cref="IPactStore"/> registration.</summary>
    private sealed class OpenedStore(Func<PactStoreOptions> options, ILogger<SqlitePactStore>? logger)
    {
        private SqlitePactStore? _store;

        public IPactStore Store => _store ?? throw new InvalidOperationException(
            "The store is not open: call OpenPactStoreAsync on the service provider before the host starts.");

        public async Task OpenAsync(CancellationToken ct)
        {
            if (_store is not null) throw new InvalidOperationException("The store is already open.");
            _store = await SqlitePactStore.OpenAsync(options(), logger, ct).ConfigureAwait(false);
        }
    }
}
