using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Pact.Daemon.Application;
using Pact.Daemon.Hosting;
using Pact.Store;

namespace Pact.Daemon.Instances;

/// <summary>
/// Whether this instance is the writer or a standby (ADR 0013). On a store only one process uses (SQLite) it is always
/// the writer. On a shared store (PostgreSQL) a standby folds what the writer commits into its decision state (so its
/// reads, /state and SSE follow), forwards writes to the writer (<see cref="WriterForwarding"/>), and takes over when
/// the writer goes; the writer advertises its base URL once the server listens.
/// </summary>
public sealed class InstanceRole(
    IPactStore store, DecisionEngine engine, IServer server, IHostApplicationLifetime lifetime, IOptions<PactOptions> options, TimeProvider time,
    ILogger<InstanceRole> logger)
    : BackgroundService
{
    private readonly ISharedStore? _shared = store as ISharedStore;

    public bool IsWriter => _shared?.IsWriter ?? true;

    /// <summary>Completes once this instance holds the writer role (at once on a store of its own).</summary>
    public Task WhenWriter => _shared?.BecameWriter ?? Task.CompletedTask;

    /// <summary>After the start-up replay folded the log through <paramref name="foldedThroughSeq"/>: a standby folds every later event.</summary>
    public void Follow(long foldedThroughSeq)
    {
        if (_shared is null || _shared.IsWriter) return;
        _shared.Followed += engine.Observe;
        _shared.Follow(foldedThroughSeq);
        logger.LogInformation("Standby: following the writer's log after seq {Seq}; writes are forwarded to the writer", foldedThroughSeq);
    }

    /// <summary>Where the writer takes requests, as it advertised it; null before any did (or on a store of its own).</summary>
    public Task<string?> WriterUrlAsync(CancellationToken ct) => _shared?.WriterUrlAsync(ct) ?? Task.FromResult<string?>(null);

    /// <summary>Once this instance is the writer and listens: advertises its URL, retrying until the database takes it.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_shared is null) return;
        try
        {
            await WhenWriter.WaitAsync(stoppingToken);
            // The server's real addresses (port 0 resolved) are known once it listens.
            var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using (lifetime.ApplicationStarted.Register(listening.SetResult))
                await listening.Task.WaitAsync(stoppingToken);
            while (true)
            {
                try
                {
                    var url = AdvertisedUrl();
                    await _shared.AdvertiseAsync(url, time.GetUtcNow(), stoppingToken);
                    logger.LogInformation("Writer: standbys forward writes to {Url}", url);
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Could not advertise the writer's URL yet; trying again");
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Pact:Instance:Url, else the first address the server listens on (a wildcard host becomes this machine's name).</summary>
    private string AdvertisedUrl()
    {
        if (options.Value.Instance.Url is { Length: > 0 } configured) return configured.TrimEnd('/');
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The server does not listen yet.");
        var uri = new Uri(address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal));
        var host = uri.Host is "0.0.0.0" or "[::]" ? Dns.GetHostName() : uri.Host;
        return new UriBuilder(uri) { Host = host }.Uri.GetLeftPart(UriPartial.Authority);
    }
}

/// <summary>
/// A hosted service that runs on the writer only (deadlines, log checkpoints, webhook dispatch, snapshots, the nonce
/// janitor: what must happen once, or needs the writer): started with the host on the writer, or when a standby takes over.
/// </summary>
internal sealed class WriterOnlyService(IHostedService inner, InstanceRole role) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _starting = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (role.IsWriter) return inner.StartAsync(cancellationToken);
        _starting = StartWhenWriterAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    private async Task StartWhenWriterAsync(CancellationToken ct)
    {
        await role.WhenWriter.WaitAsync(ct);
        await inner.StartAsync(ct);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _starting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_starting.IsCompletedSuccessfully) await inner.StopAsync(cancellationToken);
    }

    public void Dispose() => _stopping.Dispose();
}

public static class InstanceServices
{
    /// <summary>The instance's role and the forwarding of writes from a standby to the writer.</summary>
    public static IServiceCollection AddPactInstances(this IServiceCollection services)
    {
        services.AddSingleton<InstanceRole>();
        services.AddHostedService(sp => sp.GetRequiredService<InstanceRole>());
        services.AddSingleton<WriterForwarding>();
        return services;
    }

    /// <summary>Registers <typeparamref name="T"/> as a hosted service that runs on the writer only.</summary>
    public static IServiceCollection AddWriterOnlyService<T>(this IServiceCollection services) where T : class, IHostedService =>
        services.AddWriterOnlyService(sp => ActivatorUtilities.CreateInstance<T>(sp));

    /// <summary>Registers the service <paramref name="create"/> gives as a hosted service that runs on the writer only.</summary>
    /// <remarks>Added, not AddHostedService: that one keeps a single registration per implementation type, and every one of these is a WriterOnlyService.</remarks>
    public static IServiceCollection AddWriterOnlyService(this IServiceCollection services, Func<IServiceProvider, IHostedService> create) =>
        services.AddSingleton<IHostedService>(sp => new WriterOnlyService(create(sp), sp.GetRequiredService<InstanceRole>()));
}
