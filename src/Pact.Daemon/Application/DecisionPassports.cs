using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Core.Negotiation;
using Pact.Core.Passport;
using Pact.Core.Time;
using Pact.Store;

namespace Pact.Daemon.Application;

/// <summary>
/// A decision whose recorded passports were read as of a log head that moved before its commit (another stream
/// appended in between): the commit is rolled back and the decision taken again.
/// </summary>
public sealed class StaleDecisionException(string message) : Exception(message);

/// <summary>
/// Passports a decision records as of a seq inside its own commit — a bundle's ranking as of <c>bundle.committed</c>'s
/// seq − 1 (§15), a mandate's decision as of the seq before the judged <c>proposal.created</c> (§13, §14). They are read
/// at the log head when deciding; the commit then checks, inside its transaction, that every recorded passport is as of
/// the seq it names (<see cref="EnsureCurrent"/>), or the decision is taken again, up to <see cref="MaxAttempts"/> times.
/// </summary>
public sealed class DecisionPassports(PassportService passports, IPactStore store)
{
    /// <summary>Tries a decision gets before a busy log is reported as an error.</summary>
    public const int MaxAttempts = 8;

    /// <summary>The passports of <paramref name="agents"/> at the log head, for a decision committed at <paramref name="now"/>.</summary>
    public async Task<PassportsAtHead> ReadAsync(IEnumerable<string> agents, DateTimeOffset now, CancellationToken ct)
    {
        var head = store.HeadSeq;
        var asOf = Timestamp.ToText(Timestamp.Truncate(now));
        var atHead = new Dictionary<string, AgentPassport>(StringComparer.Ordinal);
        var atCommit = new Dictionary<string, AgentPassport>(StringComparer.Ordinal);
        foreach (var agent in agents.Distinct(StringComparer.Ordinal))
        {
            atHead[agent] = await passports.AsOfSeqAsync(agent, head, ct);
            atCommit[agent] = await passports.WithWindowAtAsync(agent, head, asOf, ct);
        }
        return new PassportsAtHead(head, atHead, atCommit, asOf);
    }

    /// <summary>Throws <see cref="StaleDecisionException"/> when a passport the commit records is not as of the seq its decision names.</summary>
    public static void EnsureCurrent(IReadOnlyList<TranscriptEvent> events)
    {
        foreach (var e in events)
        {
            if (ExpectedAsOfSeq(e, events) is not { } expected) continue;
            foreach (var (pointer, document) in RecordedPassports.In(e.Type, e.Data))
            {
                var asOfSeq = document["asOfSeq"]!.GetValue<long>();
                if (asOfSeq != expected)
                    throw new StaleDecisionException($"The {e.Type} at seq {e.Seq} recorded a passport ({pointer}) as of {asOfSeq}, but commits it as of {expected}.");
            }
        }
    }

    /// <summary>
    /// The seq a passport recorded by <paramref name="e"/> must be as of: a bundle's commit's own seq − 1; a decision's,
    /// the seq before its judged proposal's <c>proposal.created</c> when that is in the same commit (it always is for a
    /// mandate's decision). Null for an event that records none.
    /// </summary>
    private static long? ExpectedAsOfSeq(TranscriptEvent e, IReadOnlyList<TranscriptEvent> commit)
    {
        if (e.Type == RecordedPassports.BundleCommitted) return e.Seq - 1;
        if (e.Type != RecordedPassports.PolicyDecided) return null;
        var judged = (e.Data["judged"] ?? e.Data["proposalId"]) is JsonValue v && v.TryGetValue<string>(out var id) ? id : null;
        var created = commit.FirstOrDefault(c => c.Type == EventTypes.ProposalCreated && c.Data["proposalId"] is JsonValue p
            && p.TryGetValue<string>(out var pid) && pid == judged);
        return created is null ? null : created.Seq - 1;
    }
}

/// <summary>
/// Passports read at log head <paramref name="Head"/> for a commit at <paramref name="AsOf"/>: as the head's last event
/// has them (<paramref name="AtHead"/>), and with the failure window ending at the commit's time (<paramref name="AtCommit"/>).
/// </summary>
public sealed record PassportsAtHead(long Head, IReadOnlyDictionary<string, AgentPassport> AtHead, IReadOnlyDictionary<string, AgentPassport> AtCommit, string AsOf)
{
    /// <summary>
    /// The passport of <paramref name="agent"/> as of the commit's event preceded by <paramref name="eventsBefore"/> of its
    /// own events: the head's, or — later in the commit, whose events so far change no passport — its figures as of
    /// that seq, at the commit's time.
    /// </summary>
    public AgentPassport Of(string agent, int eventsBefore) => eventsBefore == 0
        ? AtHead[agent]
        : AtCommit[agent] with { AsOfSeq = Head + eventsBefore };

    /// <summary>What <see cref="Pact.Core.Bundles.BundleServices.Passports"/> asks: the head's passport, its window ending at the head (null) or at the commit.</summary>
    public AgentPassport WithWindowEndingAt(string agent, string? windowEnd) => windowEnd switch
    {
        null => AtHead[agent],
        _ when windowEnd == AsOf => AtCommit[agent],
        _ => throw new InvalidOperationException($"Passports were read for a commit at {AsOf}, not {windowEnd}."),
    };
}
