using Pact.Core.Events;
using Pact.Core.Negotiation;

namespace Pact.Core.Passport;

/// <summary>
/// Every agent's passport counts by a full fold of the log, in memory: what an auditor recomputes from an export or
/// the whole log, and what a store's incremental read model must agree with. Fold the events up to the seq wanted,
/// then ask for a passport.
/// </summary>
public sealed class PassportLedger : IPassportFacts
{
    private readonly Dictionary<CompactVersionKey, CompactParties> _parties = [];
    private readonly Dictionary<string, string> _initiators = new(StringComparer.Ordinal);
    private readonly HashSet<string> _streamsAfterAckTimeoutLapse = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PassportCounts> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<PassportFailure>> _failures = new(StringComparer.Ordinal);

    /// <summary>The seq of the last event folded (0 before any).</summary>
    public long Seq { get; private set; }

    /// <summary>The time of the last event folded, or null before any.</summary>
    public string? Time { get; private set; }

    /// <summary>Folds the next event of the log; events must come in seq order.</summary>
    public void Apply(TranscriptEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Seq <= Seq) throw new ArgumentException($"Event {e.Seq} does not follow event {Seq}.", nameof(e));
        foreach (var entry in PassportEvents.Of(e, this))
        {
            _counts[entry.Agent] = CountsOf(entry.Agent) + entry.Delta;
            if (entry.Failure is { } failure)
            {
                if (!_failures.TryGetValue(entry.Agent, out var list)) _failures[entry.Agent] = list = [];
                list.Add(failure);
            }
        }
        if (PassportEvents.PartiesEntered(e) is { } parties)
            _parties[new CompactVersionKey(e.Data["compactId"]!.GetValue<string>(), JsonRead.Integer(e.Data["version"]))] = parties;
        if (PassportEvents.RevocationInitiated(e) is { } initiated) _initiators[initiated.RevocationId] = initiated.Initiator;
        if (PassportEvents.IsAckTimeoutLapse(e)) _streamsAfterAckTimeoutLapse.Add(e.Stream);
        else _streamsAfterAckTimeoutLapse.Remove(e.Stream);
        Seq = e.Seq;
        Time = e.Time;
    }

    /// <summary>Folds events in seq order.</summary>
    public PassportLedger ApplyAll(IEnumerable<TranscriptEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var e in events) Apply(e);
        return this;
    }

    public PassportCounts CountsOf(string agent) => _counts.GetValueOrDefault(agent);

    /// <summary>The failures counted against <paramref name="agent"/>, oldest first.</summary>
    public IReadOnlyList<PassportFailure> CountedFailuresOf(string agent) => _failures.TryGetValue(agent, out var list) ? list : [];

    /// <summary>The agents any event so far counted something for, in ordinal order.</summary>
    public IReadOnlyList<string> Agents => [.. _counts.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The passport as of the last event folded; <paramref name="asOf"/> is the time §16 gives it (by default that event's).</summary>
    public AgentPassport PassportOf(string agent, string? asOf = null)
    {
        var at = asOf ?? Time ?? throw new InvalidOperationException("An empty log has no time of its own: give asOf.");
        return new AgentPassport(agent, Seq, at, CountsOf(agent), RecentFailures.Select(CountedFailuresOf(agent), at));
    }

    CompactParties? IPassportFacts.PartiesOf(string compactId, long version) =>
        _parties.TryGetValue(new CompactVersionKey(compactId, version), out var parties) ? parties : null;

    string? IPassportFacts.InitiatorOf(string revocationId) => _initiators.GetValueOrDefault(revocationId);

    bool IPassportFacts.FollowsAckTimeoutLapse(TranscriptEvent e) => _streamsAfterAckTimeoutLapse.Contains(e.Stream);
}
