using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pact.Store.Sqlite;

namespace Pact.Store;

/// <summary>Registers the store: <see cref="IPactStore"/> (SQLite, the embedded default) and each of its roles.</summary>
public static class PactStoreServices
{
    /// <summary>
    /// Adds <see cref="IPactStore"/> and its roles (read models, agents, nonces, webhook outbox) resolved through it.
    /// The store is opened asynchronously by <see cref="OpenPactStoreAsync"/> once the container is built and before
    /// the host starts, so that no constructor blocks on I/O; resolving it earlier is a programming error and says so.
    /// The caller configures the <see cref="PactStoreOptions"/> returned (at least <see cref="PactStoreOptions.DatabasePath"/>);
    /// they are checked when the host starts.
    /// </summary>
    public static OptionsBuilder<PactStoreOptions> AddPactStore(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<PactStoreOptions>, PactStoreOptionsValidator>();
        services.AddSingleton(sp => new OpenedStore(() => sp.GetRequiredService<IOptions<PactStoreOptions>>().Value, sp.GetService<ILogger<SqlitePactStore>>()));
        services.AddSingleton(sp => sp.GetRequiredService<OpenedStore>().Store);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Sessions);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Proposals);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().SessionCheckpoints);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Agents);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Passports);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Nonces);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Webhooks);
        return services.AddOptions<PactStoreOptions>().ValidateOnStart();
    }

    /// <summary>Opens the registered store (migrations, the log's checks); call once, before the host starts.</summary>
    public static Task OpenPactStoreAsync(this IServiceProvider services, CancellationToken ct = default) =>
        services.GetRequiredService<OpenedStore>().OpenAsync(ct);

    private sealed class PactStoreOptionsValidator : IValidateOptions<PactStoreOptions>
    {
        public ValidateOptionsResult Validate(string? name, PactStoreOptions options) =>
            options.Validate() is { Count: > 0 } problems
                ? ValidateOptionsResult.Fail(problems.Select(p => "The store's " + p))
                : ValidateOptionsResult.Success;
    }

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
