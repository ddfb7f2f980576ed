using System.Text.Json.Nodes;
using Pact.Core.Events;

namespace Pact.Core.Negotiation;

/// <summary>
/// <c>failure</c> events (§8.2, Passport failure taxonomy). Their <c>transcriptHash</c> is the failure
/// event's own prevHash, which exists only when the event is appended. A decision therefore carries the
/// draft with <c>transcriptHash: null</c>, and the appender must pass every draft through
/// <see cref="Seal"/> with the prevHash it is about to link it to, before hashing it. <see cref="Seal"/>
/// leaves every other draft untouched, so calling it on all drafts is safe.
/// </summary>
public static class FailureEvents
{
    public const string NegotiationStage = "negotiation";
    public const string LifecycleStage = "lifecycle";
    public const string Terminal = "terminal";
    public const string NonTerminal = "non_terminal";
    public const string TranscriptHashMember = "transcriptHash";

    /// <summary>
    /// A failure draft (actor daemon) awaiting its transcriptHash. <paramref name="agent"/> is the party whose silence
    /// caused it (§16's attribution): for PACT-501 the party that had to answer the expired proposal, for PACT-502
    /// the party that had to acknowledge.
    /// </summary>
    public static EventDraft Draft(string code, string stage, string terminality, string evidenceEvent, string evidenceResource, string agent)
    {
        var data = new JsonObject
        {
            ["code"] = code,
            ["stage"] = stage,
            ["faultDomain"] = "counterparty",
            ["terminality"] = terminality,
            ["evidenceRefs"] = new JsonArray(evidenceEvent, evidenceResource),
            [TranscriptHashMember] = null,
            ["agent"] = agent,
        };
        return new EventDraft(EventTypes.Failure, TranscriptEvent.DaemonActor, data);
    }

    /// <summary>True for a failure draft whose transcriptHash is not filled in yet.</summary>
    public static bool NeedsPrevHash(EventDraft draft) =>
        draft.Type == EventTypes.Failure && draft.Data.ContainsKey(TranscriptHashMember) && draft.Data[TranscriptHashMember] is null;

    /// <summary>Completes a failure draft with the prevHash it will be appended after; any other draft is returned as is.</summary>
    public static EventDraft Seal(EventDraft draft, string prevHash)
    {
        if (!NeedsPrevHash(draft)) return draft;
        var data = (JsonObject)draft.Data.DeepClone();
        data[TranscriptHashMember] = prevHash;
        return draft with { Data = data };
    }
}
