using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pact.Core.Encoding;
using Pact.Daemon.Hosting;
using Pact.Daemon.Http;
using Pact.Daemon.Instances;
using Pact.Store;

namespace Pact.Daemon.Webhooks;

/// <summary>Registers subscriptions, the outbox and the dispatcher (§10).</summary>
public static class WebhookServices
{
    public static IServiceCollection AddPactWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        // A bad schedule fails at start (WebhookOptions.Validate), not at the first retry.
        services.AddPactSettings<WebhookOptions>(configuration, WebhookOptions.Section);
        services.AddSingleton(sp => RetrySchedule.From(sp.GetRequiredService<IOptions<WebhookOptions>>().Value));
        services.TryAddSingleton<IWebhookHostResolver, DnsWebhookHostResolver>();
        services.AddSingleton(sp =>
        {
            var listener = sp.GetRequiredService<ListenerInfo>();
            var options = sp.GetRequiredService<IOptions<WebhookOptions>>().Value;
            return new AddressPolicy(() => options.AllowLoopback ?? listener.LoopbackOnly, () => options.AllowPrivate);
        });
        services.AddSingleton(sp =>
        {
            var data = sp.GetRequiredService<DataDirectory>();
            var key = data.LoadOrCreateSecret(Path.Combine(data.Root, WebhookSecrets.FileName), 32, out _);
            return new WebhookSecrets(Base64Url.Decode(key));
        });
        services.AddSingleton(sp => new WebhookSender(
            WebhookHttp.CreateClient(sp.GetRequiredService<IWebhookHostResolver>(), sp.GetRequiredService<AddressPolicy>()),
            sp.GetRequiredService<IPactStore>(), sp.GetRequiredService<IOptions<WebhookOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SubscriptionService>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddWriterOnlyService(sp => sp.GetRequiredService<WebhookDispatcher>());
        return services;
    }
}
