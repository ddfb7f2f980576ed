using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Core.Mandates;
using Pact.Core.Time;
using Pact.Daemon.Application;
using Pact.Daemon.Policies;
using Pact.Store;

namespace Pact.Daemon.TransparencyLog;

/// <summary>
/// What GET verify knows that an export does not: whether a counter's patched terms failed the registry and upstream checks
/// when the decision was taken — the agents registered by the decision's time, the compacts in force in the log folded up
/// to the seq before it. <see cref="DecisionReplay"/> asks synchronously, so the verifier first runs it with
/// <see cref="Asked"/> to learn which decisions need the facts, fetches them (<see cref="FetchAsync"/>), then runs it again.
/// </summary>
public sealed class LogCounterFacts : ICounterFacts
{
    private readonly Dictionary<long, bool> _refused = [];

    /// <summary>The (decision, patched terms, owner role) a replay asked about, while nothing is fetched yet.</summary>
    public List<(TranscriptEvent Decided, JsonObject Patched, string Me)> Asked { get; } = [];

    public bool? Refused(TranscriptEvent decided, JsonObject patchedTerms, string me)
    {
        if (_refused.TryGetValue(decided.Seq, out var refused)) return refused;
        Asked.Add((decided, patchedTerms, me));
        return null;
    }

    /// <summary>The facts for the decisions <see cref="Asked"/> named, from the log and the agent directory.</summary>
    public static async Task<LogCounterFacts> FetchAsync(IEnumerable<(TranscriptEvent Decided, JsonObject Patched, string Me)> asked, IPactStore store,
        CancellationToken ct)
    {
        var facts = new LogCounterFacts();
        foreach (var (decided, patched, me) in asked)
        {
            var state = (await TranscriptReplay.RunAsync(store, null, decided.Seq - 1, ct)).State;
            // Registration is not logged: an agent counts as registered at the decision if it registered no later than it.
            var at = Timestamp.Parse(decided.Time);
            var registered = new HashSet<string>(StringComparer.Ordinal);
            foreach (var role in new[] { "a", "b" })
            {
                if (patched["parties"]?[role]?["agent"] is JsonValue v && v.TryGetValue<string>(out var did)
                    && await store.Agents.GetAsync(did, ct) is { } agent && Timestamp.Parse(agent.RegisteredAt) <= at)
                    registered.Add(did);
            }
            var owner = patched["parties"]?[me]?["agent"] is JsonValue o && o.TryGetValue<string>(out var s) ? s : "";
            facts._refused[decided.Seq] = PolicyService.TermsCheck(registered.Contains, state, owner)(patched).Count > 0;
        }
        return facts;
    }
}
