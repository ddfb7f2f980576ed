using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Pact.Core.Contracts.Responses;
using Pact.Core.Json;
using Pact.Core.Passport;
using Pact.Daemon.Hosting;
using Pact.Store;

namespace Pact.Daemon.Application.Reputation;

/// <summary>
/// The extra reputation providers (§16): those registered in the container and those loaded at start from the plugins
/// directory (Pact:Passport:PluginsDirectory, default &lt;data&gt;/plugins). Each passport answer asks them all,
/// concurrently, each within Pact:Passport:ProviderTimeoutMilliseconds; one that throws, answers late or answers
/// what cannot be served becomes an error entry of its own, and the passport is served all the same.
/// </summary>
public sealed class ReputationProviders(
    IEnumerable<IReputationProvider> registered, IPactStore store, DataDirectory data, IOptions<PassportOptions> options, ILogger<ReputationProviders> logger)
    : IHostedService
{
    /// <summary>The most a provider's figures may take, serialized: a passport answer stays small.</summary>
    public const int MaxFiguresBytes = 16 * 1024;

    private IReadOnlyList<IReputationProvider> _providers = Distinct(registered.Where(p => p is not BuiltInReputationProvider), logger);

    public IReadOnlyList<IReputationProvider> Providers => _providers;

    public string PluginsDirectory => options.Value.PluginsDirectory is { Length: > 0 } configured
        ? Path.GetFullPath(configured)
        : Path.Combine(data.Root, "plugins");

    private TimeSpan Timeout => TimeSpan.FromMilliseconds(options.Value.ProviderTimeoutMilliseconds);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var loaded = ReputationPlugins.Load(PluginsDirectory, logger);
        _providers = Distinct([.. _providers, .. loaded], logger);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Every extra provider's entry for this passport, in their order; null when there are none (the answer is then §16's exactly).</summary>
    public async Task<IReadOnlyList<ReputationProviderEntry>?> EvaluateAsync(AgentPassport passport, CancellationToken ct)
    {
        var providers = _providers;
        if (providers.Count == 0) return null;
        var context = new StoreReputationContext(passport, store);
        return await Task.WhenAll(providers.Select(p => EvaluateAsync(p, context, ct)));
    }

    private async Task<ReputationProviderEntry> EvaluateAsync(IReputationProvider provider, StoreReputationContext context, CancellationToken ct)
    {
        var name = provider.Name;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(Timeout);
        try
        {
            // On the pool, so that a provider blocking before its first await holds neither the request nor the others.
            var figures = await Task.Run(() => provider.EvaluateAsync(context, limit.Token), limit.Token).WaitAsync(Timeout, ct);
            if (figures is null) return Failed(name, "answered no figures (null).");
            var copy = figures.DeepClone().AsObject();
            var size = System.Text.Encoding.UTF8.GetByteCount(copy.ToJsonString(PactJson.Options));
            return size > MaxFiguresBytes
                ? Failed(name, $"answered {size} bytes of figures, more than the {MaxFiguresBytes} a passport answer carries.")
                : new ReputationProviderEntry(name, copy, null);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is TimeoutException or OperationCanceledException)
        {
            return Failed(name, $"did not answer within {Timeout.TotalMilliseconds:0} ms.");
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            return Failed(name, $"failed: {e.GetType().Name}: {e.Message}", e);
        }

        ReputationProviderEntry Failed(string provider, string error, Exception? exception = null)
        {
            logger.LogWarning(exception, "The reputation provider {Provider} {Error} (agent {Agent}, seq {Seq})", provider, error, context.Agent, context.AsOfSeq);
            return new ReputationProviderEntry(provider, null, error);
        }
    }

    /// <summary>One provider a name: a second of the same name (or one named like the built-in) is left out, loudly.</summary>
    private static List<IReputationProvider> Distinct(IEnumerable<IReputationProvider> providers, ILogger logger)
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { BuiltInReputationProvider.ProviderName };
        var kept = new List<IReputationProvider>();
        foreach (var provider in providers)
        {
            if (string.IsNullOrWhiteSpace(provider.Name) || !names.Add(provider.Name))
                logger.LogError("Reputation provider {Type} left out: its name '{Name}' is empty or already taken", provider.GetType().FullName, provider.Name);
            else kept.Add(provider);
        }
        return kept;
    }
}
