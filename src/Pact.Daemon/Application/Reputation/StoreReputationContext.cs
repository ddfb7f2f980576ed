using Pact.Core.Events;
using Pact.Core.Passport;
using Pact.Store;

namespace Pact.Daemon.Application.Reputation;

/// <summary>What a reputation provider reads from the store, limited to the passport's prefix of the log.</summary>
internal sealed class StoreReputationContext(AgentPassport passport, IPactStore store) : IReputationContext
{
    public string Agent => passport.Agent;

    public long AsOfSeq => passport.AsOfSeq;

    public string AsOf => passport.AsOf;

    public AgentPassport Passport => passport;

    public async Task<IReadOnlyList<TranscriptEvent>> CompactsEnteredAsync(CancellationToken cancellationToken)
    {
        var seqs = await store.Passports.CompactsEnteredAsync(Agent, AsOfSeq, cancellationToken);
        var events = new List<TranscriptEvent>(seqs.Count);
        foreach (var seq in seqs)
            events.Add(await store.GetBySeqAsync(seq, cancellationToken) ?? throw new InvalidOperationException($"Event {seq} is counted but not stored."));
        return events;
    }

    public async Task<IReadOnlyList<TranscriptEvent>> ReadEventsAsync(long afterSeq, int limit, CancellationToken cancellationToken)
    {
        if (afterSeq >= AsOfSeq || limit <= 0) return [];
        var events = await store.ReadAllAsync(afterSeq, (int)Math.Min(limit, AsOfSeq - afterSeq), cancellationToken);
        return [.. events.Where(e => e.Seq <= AsOfSeq)];
    }
}
