using Pact.Core.Bundles;
using Pact.Core.Negotiation;
using Pact.Daemon.Hosting;

namespace Pact.Daemon.Application;

/// <summary>
/// What the daemon gives a bundle's commit (§15): its key, which seals every member's record, and the counterparties'
/// passports for a <c>best</c> ranking over the log as committed when deciding — with the failure window ending at that
/// log's last event, or at the decision's time when the decision's own events come first (Core adds what those count);
/// the commit checks that they are as of <c>bundle.committed</c>'s seq − 1 (<see cref="DecisionPassports"/>).
/// </summary>
public sealed class BundleCommits(DaemonIdentity daemon, DecisionPassports passports)
{
    /// <summary>The services for deciding on <paramref name="bundles"/> at <paramref name="now"/>: passports of every best bundle's counterparties.</summary>
    public async Task<BundleServices> ForAsync(IEnumerable<BundleRecord> bundles, DateTimeOffset now, CancellationToken ct)
    {
        var read = await passports.ReadAsync(
            bundles.Where(b => b.Select.Mode == BundleMode.Best).SelectMany(b => b.Members).Select(m => m.Counterparty), now, ct);
        return new BundleServices(daemon.Key, read.WithWindowEndingAt);
    }

    /// <summary>The services for the bundles whose close is among the deadlines reached at <paramref name="now"/>.</summary>
    public Task<BundleServices> ForDueClosesAsync(NegotiationState state, DateTimeOffset now, CancellationToken ct)
    {
        var due = state.PendingDeadlines().TakeWhile(d => d.IsReached(now)).Where(d => d.Kind == DeadlineKind.BundleClose)
            .Select(d => state.Bundle(d.Id)).OfType<BundleRecord>().ToList();
        // Nearly every command and timer tick reaches no bundle's close: then no passport is read.
        return due.Count == 0 ? _withoutPassports : ForAsync(due, now, ct);
    }

    private readonly Task<BundleServices> _withoutPassports = Task.FromResult(new BundleServices(daemon.Key));
}
