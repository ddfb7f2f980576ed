using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Core.Lifecycle;
using Pact.Core.Negotiation;
using Pact.Core.Terms;

namespace Pact.Core.Mandates;

/// <summary>
/// Acknowledgments under a mandate (§14): an initiation addressed to the mandate's agent — a proposal withdrawal, a
/// marker, a revocation (<c>revocation</c> under unilateral or conditional terms, <c>mutual-revocation</c> under mutual
/// ones, where acknowledging is consenting) — is acknowledged in the same commit when the agent's mandate granted last
/// among those active, in scope and listing that kind says so. The acknowledgment is the agent's own command judged by
/// the same machine, recorded by the daemon with <c>mandate</c> (decisionHash null) in place of <c>envelope</c>.
/// </summary>
public static class MandateAcknowledgments
{
    /// <summary>The acknowledgment event types a mandate may record, and the member naming the initiation's hash in each.</summary>
    private static readonly Dictionary<string, string> HashMembers = new(StringComparer.Ordinal)
    {
        [EventTypes.WithdrawalAcknowledged] = "withdrawalHash",
        [LifecycleEventTypes.RevocationAcknowledged] = "initiationHash",
        [LifecycleEventTypes.MarkerAcknowledged] = "initiationHash",
    };

    /// <summary>After a withdrawal's initiation (folded into <paramref name="state"/>): the proposer's counterparty's acknowledgment, if a mandate gives it.</summary>
    public static Decision ForWithdrawal(NegotiationState state, string proposalId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Proposal(proposalId) is not { } p
            || state.ApplyingMandate(p.CounterpartyAgent, p.SessionId, p.ProposerAgent, p.CompactId, now, AcknowledgeKinds.Withdrawal) is not { } mandate)
            return Decision.Empty;
        return Acknowledge(NegotiationMachine.Decide(state, new AcknowledgeWithdrawal(ActingAs(mandate.Agent), proposalId, ""), now), mandate);
    }

    /// <summary>After a revocation's initiation: the other party's acknowledgment (and what it causes), if a mandate gives it for the terms' mode.</summary>
    public static Decision ForRevocation(NegotiationState state, string revocationId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Revocation(revocationId) is not { } r || Counterparty(state, r.CompactId, r.InitiatedBy) is not { } agent) return Decision.Empty;
        var kind = r.Mode == RevocationMode.Mutual ? AcknowledgeKinds.MutualRevocation : AcknowledgeKinds.Revocation;
        if (state.ApplyingMandate(agent, r.SessionId, r.InitiatedBy, r.CompactId, now, kind) is not { } mandate) return Decision.Empty;
        return Acknowledge(LifecycleMachine.Decide(state, new AcknowledgeRevocation(ActingAs(agent), r.CompactId, revocationId, ""), now), mandate);
    }

    /// <summary>After a marker is recorded: the other party's acknowledgment, if a mandate gives it.</summary>
    public static Decision ForMarker(NegotiationState state, string markerId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Marker(markerId) is not { } m || Counterparty(state, m.CompactId, m.RecordedBy) is not { } agent) return Decision.Empty;
        if (state.ApplyingMandate(agent, m.SessionId, m.RecordedBy, m.CompactId, now, AcknowledgeKinds.Marker) is not { } mandate) return Decision.Empty;
        return Acknowledge(LifecycleMachine.Decide(state, new AcknowledgeMarker(ActingAs(agent), m.CompactId, markerId, ""), now), mandate);
    }

    /// <summary>True for an acknowledgment recorded under a mandate whose initiation hash is not filled in yet.</summary>
    public static bool NeedsPrevHash(EventDraft draft) =>
        HashMembers.TryGetValue(draft.Type, out var member) && draft.Data.ContainsKey("mandate") && draft.Data.ContainsKey(member) && draft.Data[member] is null;

    /// <summary>
    /// Completes an acknowledgment under a mandate with the hash of the initiation it acknowledges: the event just before
    /// it in the same stream (the same commit appends the initiation, then the acknowledgment). Any other draft is returned as is.
    /// </summary>
    public static EventDraft Seal(EventDraft draft, string prevHash)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (!NeedsPrevHash(draft)) return draft;
        var data = (JsonObject)draft.Data.DeepClone();
        data[HashMembers[draft.Type]] = prevHash;
        return draft with { Data = data };
    }

    /// <summary>
    /// The agent's acknowledgment as the daemon records it: the first event's envelope replaced by <c>mandate</c> and its
    /// initiation hash left for <see cref="Seal"/>; the events it causes follow unchanged. Empty when it was refused.
    /// </summary>
    private static Decision Acknowledge(Verdict verdict, MandateRecord mandate)
    {
        if (!verdict.IsAccepted) return Decision.Empty;
        var events = verdict.Decision.Events;
        var (stream, draft) = events[0];
        var data = new JsonObject { ["mandate"] = mandate.ActionReference(null) };
        foreach (var (name, value) in draft.Data)
        {
            if (name != "envelope") data[name] = value?.DeepClone();
        }
        data[HashMembers[draft.Type]] = null;
        return new Decision(events.SetItem(0, new StreamEvent(stream, EventDraft.ByDaemon(draft.Type, data))));
    }

    /// <summary>What the machines read of an acknowledging command's envelope: who acts. Nothing of it is recorded.</summary>
    private static JsonObject ActingAs(string agent) => new() { ["payload"] = new JsonObject(), ["signer"] = agent, ["sig"] = "" };

    private static string? Counterparty(NegotiationState state, string compactId, string initiator) =>
        state.Bindings.TryGetValue(compactId, out var b) ? (b.AgentA == initiator ? b.AgentB : b.AgentB == initiator ? b.AgentA : null) : null;
}
