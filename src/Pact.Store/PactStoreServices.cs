using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pact.Store.Postgres;
using Pact.Store.Sqlite;

namespace Pact.Store;

/// <summary>Registers the store: <see cref="IPactStore"/> (SQLite, the embedded default, or PostgreSQL), each of its roles, and its opening.</summary>
public static class PactStoreServices
{
    /// <summary>
    /// Adds <see cref="IPactStore"/> and its roles (read models, agents, nonces, webhook outbox) resolved through it.
    /// Resolving them opens nothing: <see cref="PactStoreOpener"/> opens the store as the host starts, before any
    /// hosted service's StartAsync, and closes it when the host's services are disposed. The read-model projections
    /// are the store's own. The caller configures the <see cref="PactStoreOptions"/> returned (at least
    /// <see cref="PactStoreOptions.DatabasePath"/>); they are checked when the host starts.
    /// </summary>
    public static OptionsBuilder<PactStoreOptions> AddPactStore(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<PactStoreOptions>, PactStoreOptionsValidator>();
        services.AddSingleton(sp => new SqlitePactStore(sp.GetRequiredService<IOptions<PactStoreOptions>>().Value, sp.GetService<ILogger<SqlitePactStore>>()));
        AddRoles<SqlitePactStore>(services, store => store.OpenAsync);
        return services.AddOptions<PactStoreOptions>().ValidateOnStart();
    }

    /// <summary>
    /// Adds <see cref="IPactStore"/> on PostgreSQL (<see cref="PostgresPactStore"/>, ADR 0011) and its roles, opened as
    /// the host starts like the SQLite store. The caller configures the <see cref="PostgresStoreOptions"/> returned (at
    /// least the connection string).
    /// </summary>
    public static OptionsBuilder<PostgresStoreOptions> AddPactPostgresStore(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<PostgresStoreOptions>, PostgresStoreOptionsValidator>();
        services.AddSingleton(sp => new PostgresPactStore(sp.GetRequiredService<IOptions<PostgresStoreOptions>>().Value, sp.GetService<ILogger<PostgresPactStore>>()));
        AddRoles<PostgresPactStore>(services, store => store.OpenAsync);
        return services.AddOptions<PostgresStoreOptions>().ValidateOnStart();
    }

    /// <summary>The store as <see cref="IPactStore"/>, its opener, and each of its roles resolved through it.</summary>
    private static void AddRoles<TStore>(IServiceCollection services, Func<TStore, Func<CancellationToken, Task>> open)
        where TStore : class, IPactStore
    {
        services.AddSingleton<IPactStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton(sp => new PactStoreOpener(open(sp.GetRequiredService<TStore>())));
        services.AddHostedService(sp => sp.GetRequiredService<PactStoreOpener>());
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Sessions);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Proposals);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().SessionCheckpoints);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Agents);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Passports);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Policies);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Nonces);
        services.AddSingleton(sp => sp.GetRequiredService<IPactStore>().Webhooks);
    }

    private sealed class PostgresStoreOptionsValidator : IValidateOptions<PostgresStoreOptions>
    {
        public ValidateOptionsResult Validate(string? name, PostgresStoreOptions options) =>
            options.Validate() is { Count: > 0 } problems
                ? ValidateOptionsResult.Fail(problems.Select(p => "The PostgreSQL store's " + p))
                : ValidateOptionsResult.Success;
    }

    private sealed class PactStoreOptionsValidator : IValidateOptions<PactStoreOptions>
    {
        public ValidateOptionsResult Validate(string? name, PactStoreOptions options) =>
            options.Validate() is { Count: > 0 } problems
                ? ValidateOptionsResult.Fail(problems.Select(p => "The store's " + p))
                : ValidateOptionsResult.Success;
    }
}

/// <summary>
/// Opens the store when the host starts: in <see cref="IHostedLifecycleService.StartingAsync"/>, which the host awaits
/// before any hosted service's StartAsync (and an ASP.NET Core host before its server listens), so nothing reads or
/// writes a store that is not open, and nothing blocks a thread while it opens.
/// </summary>
public sealed class PactStoreOpener(Func<CancellationToken, Task> open) : IHostedLifecycleService
{
    private volatile bool _open;

    /// <summary>Whether the store is open (readiness checks say "not ready" until it is).</summary>
    public bool IsOpen => _open;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await open(cancellationToken).ConfigureAwait(false);
        _open = true;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Closed when the service provider disposes the store, after every hosted service and request has stopped.
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
