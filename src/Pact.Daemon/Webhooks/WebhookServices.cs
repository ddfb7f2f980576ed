using Microsoft.Extensions.DependencyInjection.Extensions;
using Pact.Core.Encoding;
using Pact.Daemon.Hosting;
using Pact.Daemon.Http;

namespace Pact.Daemon.Webhooks;

/// <summary>Registers subscriptions, the outbox and the dispatcher (§10).</summary>
public static class WebhookServices
{
    public static IServiceCollection AddPactWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        var options = PactOptions.From(configuration).Webhooks;
        var schedule = RetrySchedule.From(options); // a bad schedule fails at start, not at the first retry
        services.AddSingleton(options);
        services.AddSingleton(schedule);
        services.TryAddSingleton<IWebhookHostResolver, DnsWebhookHostResolver>();
        services.AddSingleton(sp =>
        {
            var listener = sp.GetRequiredService<ListenerInfo>();
            return new AddressPolicy(() => options.AllowLoopback ?? listener.LoopbackOnly, () => options.AllowPrivate);
        });
        services.AddSingleton(sp =>
        {
            var data = sp.GetRequiredService<DataDirectory>();
            var key = data.LoadOrCreateSecret(Path.Combine(data.Root, WebhookSecrets.FileName), 32, out _);
            return new WebhookSecrets(Base64Url.Decode(key));
        });
        services.AddSingleton(sp => new WebhookClient(WebhookHttp.CreateClient(sp.GetRequiredService<IWebhookHostResolver>(), sp.GetRequiredService<AddressPolicy>())));
        services.AddSingleton<SubscriptionService>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        return services;
    }
}
