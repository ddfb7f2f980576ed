namespace Pact.Daemon.Streaming;

/// <summary>Live events (§8.3): the hub committed events fan out from, and the SSE streamer.</summary>
public static class StreamingServices
{
    public static IServiceCollection AddPactStreaming(this IServiceCollection services)
    {
        services.AddSingleton<EventHub>();
        services.AddSingleton<EventStreamer>();
        return services;
    }
}
