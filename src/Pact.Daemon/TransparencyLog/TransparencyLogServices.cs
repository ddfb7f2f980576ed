using Pact.Daemon.Instances;

namespace Pact.Daemon.TransparencyLog;

/// <summary>The verifiable log: signed log checkpoints (§9), session verify (§7) and export (§8.4).</summary>
public static class TransparencyLogServices
{
    public static IServiceCollection AddPactTransparencyLog(this IServiceCollection services)
    {
        services.AddSingleton<LogCheckpointer>();
        services.AddWriterOnlyService(sp => sp.GetRequiredService<LogCheckpointer>());
        services.AddSingleton<SessionVerifier>();
        services.AddSingleton<SessionExporter>();
        return services;
    }
}
