using Pact.Core.Bundles;
using Pact.Core.Events;
using Pact.Core.Negotiation;
using Pact.Core.Passport;
using Pact.Core.Time;
using Pact.Daemon.Hosting;
using Pact.Store;

namespace Pact.Daemon.Application;

/// <summary>
/// A decision whose recorded passports were read as of a log head that moved before its commit (another stream
/// appended in between): the commit is rolled back and the decision taken again.
/// </summary>
public sealed class StaleDecisionException(string message) : Exception(message);

/// <summary>
/// What the daemon gives a bundle's commit (§15): its key, which seals every member's record, and the counterparties'
/// passports for a <c>best</c> ranking over the log as committed when deciding — with the failure window ending at that
/// log's last event, or at the decision's time when the decision's own events come first (Core adds what those count).
/// The commit then checks that the head did not move (<see cref="EnsureCurrent"/>), or it is decided again.
/// </summary>
public sealed class BundleCommits(DaemonIdentity daemon, PassportService passports, IPactStore store)
{
    /// <summary>Tries a decision gets before a busy log is reported as an error.</summary>
    public const int MaxAttempts = 8;

    /// <summary>The services for deciding on <paramref name="bundles"/> at <paramref name="now"/>: passports of every best bundle's counterparties.</summary>
    public async Task<BundleServices> ForAsync(IEnumerable<BundleRecord> bundles, DateTimeOffset now, CancellationToken ct)
    {
        var head = store.HeadSeq;
        var asOf = Timestamp.ToText(Timestamp.Truncate(now));
        var atHead = new Dictionary<string, AgentPassport>(StringComparer.Ordinal);
        var atNow = new Dictionary<string, AgentPassport>(StringComparer.Ordinal);
        foreach (var agent in bundles.Where(b => b.Select.Mode == BundleMode.Best).SelectMany(b => b.Members).Select(m => m.Counterparty).Distinct())
        {
            atHead[agent] = await passports.AsOfSeqAsync(agent, head, ct);
            atNow[agent] = await passports.WithWindowAtAsync(agent, head, asOf, ct);
        }
        return new BundleServices(daemon.Key, (agent, windowEnd) => windowEnd switch
        {
            null => atHead[agent],
            _ when windowEnd == asOf => atNow[agent],
            _ => throw new InvalidOperationException($"Passports were read for {asOf}, not {windowEnd}."),
        });
    }

    /// <summary>The services for the bundles whose close is among the deadlines reached at <paramref name="now"/>.</summary>
    public Task<BundleServices> ForDueClosesAsync(NegotiationState state, DateTimeOffset now, CancellationToken ct) =>
        ForAsync(state.PendingDeadlines().TakeWhile(d => d.IsReached(now)).Where(d => d.Kind == DeadlineKind.BundleClose)
            .Select(d => state.Bundle(d.Id)).OfType<BundleRecord>(), now, ct);

    /// <summary>Throws <see cref="StaleDecisionException"/> when a committed ranking's passports are not as of the event before it.</summary>
    public static void EnsureCurrent(IReadOnlyList<TranscriptEvent> events)
    {
        foreach (var e in events)
        {
            if (e.Type != EventTypes.BundleCommitted || e.Data["ranking"] is not System.Text.Json.Nodes.JsonArray ranking) continue;
            foreach (var entry in ranking)
            {
                var asOfSeq = entry!["passport"]!["asOfSeq"]!.GetValue<long>();
                if (asOfSeq != e.Seq - 1)
                    throw new StaleDecisionException($"Bundle {e.Data["bundleId"]}'s ranking read passports as of {asOfSeq}, but it commits at seq {e.Seq}.");
            }
        }
    }
}
