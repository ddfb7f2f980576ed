using Pact.Daemon.Instances;

namespace Pact.Daemon.Application;

/// <summary>What the daemon decides: agents, sessions, proposals and the compact lifecycle, the decision engine and its deadlines.</summary>
public static class ApplicationServices
{
    public static IServiceCollection AddPactNegotiation(this IServiceCollection services)
    {
        services.AddSingleton<CommandRunner>();
        services.AddSingleton<KeyedLock>();
        services.AddSingleton<TranscriptQuarantine>();
        services.AddSingleton<BundleCommits>();
        services.AddSingleton<DecisionPassports>();
        services.AddSingleton<DecisionEngine>();
        services.AddSingleton<StateSnapshots>();
        services.AddSingleton<AgentService>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<ProposalService>();
        services.AddSingleton<BundleService>();
        services.AddSingleton<LifecycleService>();
        services.AddWriterOnlyService<DeadlineTimer>();
        // After the start-up replay (a hosted service registered before this one): the audit runs once the daemon is ready.
        services.AddSingleton<TranscriptAuditor>();
        services.AddHostedService(sp => sp.GetRequiredService<TranscriptAuditor>());
        services.AddWriterOnlyService<StateSnapshotWriter>();
        return services;
    }
}
