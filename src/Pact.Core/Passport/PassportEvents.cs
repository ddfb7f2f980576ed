using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Events;
using Pact.Core.Lifecycle;
using Pact.Core.Negotiation;

namespace Pact.Core.Passport;

/// <summary>The two agents of a compact version, from its compact.in-force record.</summary>
public readonly record struct CompactParties(string AgentA, string AgentB)
{
    /// <summary>Each agent once (a compact between an agent and itself counts once for it).</summary>
    public IEnumerable<string> Agents => AgentA == AgentB ? [AgentA] : [AgentA, AgentB];
}

/// <summary>A change to one agent's counts at one event; <see cref="Failure"/> is set for a counted failure.</summary>
public sealed record PassportEntry(string Agent, PassportCounts Delta, PassportFailure? Failure = null);

/// <summary>
/// What earlier events established that a later one needs: a full fold keeps them in memory
/// (<see cref="PassportLedger"/>), a store reads them from its tables.
/// </summary>
public interface IPassportFacts
{
    /// <summary>The parties of a compact version that came into force earlier, or null.</summary>
    CompactParties? PartiesOf(string compactId, long version);

    /// <summary>The agent that initiated a revocation (the signer of its compact.revocation.initiated), or null.</summary>
    string? InitiatorOf(string revocationId);

    /// <summary>Whether the event just before <paramref name="e"/> in its stream is a compact.revocation.lapsed with reason ack-timeout.</summary>
    bool FollowsAckTimeoutLapse(TranscriptEvent e);
}

/// <summary>
/// What each event changes in passports (§16), the one mapping that a full fold of the log and an incremental read
/// model both apply:
/// <list type="bullet">
/// <item><c>compact.in-force</c>: each party entered a compact, active until it ends;</item>
/// <item><c>compact.expired</c>, <c>compact.superseded</c>, <c>compact.revoked</c> with cause upstream (a cascade):
/// honored by both parties;</item>
/// <item><c>compact.revoked</c> with cause revocation: revoked by the agent that initiated the revocation, by its
/// counterparty for the other party;</item>
/// <item><c>failure</c> naming an <c>agent</c>, code PACT-502, stage lifecycle, not just after a
/// <c>compact.revocation.lapsed</c> with reason ack-timeout (in mutual mode silence is a refusal): a failure
/// of that agent; every other failure counts for no one;</item>
/// <item><c>proposal.declined</c>: a decline by its signer, or by the agent whose mandate declined it.</item>
/// </list>
/// </summary>
public static class PassportEvents
{
    /// <summary>The count changes <paramref name="e"/> makes, given the facts of the events before it.</summary>
    public static IReadOnlyList<PassportEntry> Of(TranscriptEvent e, IPassportFacts facts)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(facts);
        switch (e.Type)
        {
            case EventTypes.CompactInForce:
                return PartiesEntered(e) is { } entered ? Each(entered, PassportCounts.Entered) : [];
            case EventTypes.CompactExpired or EventTypes.CompactSuperseded:
                return PartiesOf(e, facts) is { } ended ? Each(ended, PassportCounts.HonoredEnd) : [];
            case EventTypes.CompactRevoked:
                return Revoked(e, facts);
            case EventTypes.Failure:
                return CountedFailure(e, facts) is { } failure ? [failure] : [];
            case EventTypes.ProposalDeclined:
                return Decliner(e) is { } decliner ? [new PassportEntry(decliner, PassportCounts.OneDecline)] : [];
            default:
                return [];
        }
    }

    /// <summary>Whether an event of <paramref name="type"/> may change a passport: the types <see cref="Of"/> can count.</summary>
    public static bool MayCount(string type) => type is EventTypes.CompactInForce or EventTypes.CompactExpired or EventTypes.CompactSuperseded
        or EventTypes.CompactRevoked or EventTypes.Failure or EventTypes.ProposalDeclined;

    /// <summary>The parties of a compact.in-force event's record, or null for another event.</summary>
    public static CompactParties? PartiesEntered(TranscriptEvent e) =>
        e.Type == EventTypes.CompactInForce
        && e.Data["record"]?["terms"]?["parties"] is JsonObject parties
        && Text(parties["a"]?["agent"]) is { } a && Text(parties["b"]?["agent"]) is { } b
            ? new CompactParties(a, b)
            : null;

    /// <summary>The revocation a compact.revocation.initiated event opens and who initiated it, or null for another event.</summary>
    public static (string RevocationId, string Initiator)? RevocationInitiated(TranscriptEvent e) =>
        e.Type == EventTypes.RevocationInitiated && Text(e.Data["revocationId"]) is { } id ? (id, e.Actor) : null;

    /// <summary>A compact.revocation.lapsed with reason ack-timeout: the failure after it counts for no one.</summary>
    public static bool IsAckTimeoutLapse(TranscriptEvent e) =>
        e.Type == EventTypes.RevocationLapsed && Text(e.Data["reason"]) == LifecycleEventTypes.LapsedAckTimeout;

    private static List<PassportEntry> Each(CompactParties parties, PassportCounts delta) =>
        [.. parties.Agents.Select(agent => new PassportEntry(agent, delta))];

    private static CompactParties? PartiesOf(TranscriptEvent e, IPassportFacts facts) =>
        Text(e.Data["compactId"]) is { } id && e.Data["version"] is JsonValue v && v.TryGetValue<long>(out var version)
            ? facts.PartiesOf(id, version)
            : null;

    private static List<PassportEntry> Revoked(TranscriptEvent e, IPassportFacts facts)
    {
        if (PartiesOf(e, facts) is not { } parties) return [];
        switch (Text(e.Data["cause"]))
        {
            case LifecycleEventTypes.CauseUpstream:
                return Each(parties, PassportCounts.HonoredEnd);
            case LifecycleEventTypes.CauseRevocation:
                // A revocation is always initiated by a party; were it unknown, neither party is held to have initiated it.
                var initiator = Text(e.Data["revocationId"]) is { } id ? facts.InitiatorOf(id) : null;
                return [.. parties.Agents.Select(agent =>
                    new PassportEntry(agent, agent == initiator ? PassportCounts.RevokedByItself : PassportCounts.RevokedByOther))];
            default:
                return [];
        }
    }

    private static PassportEntry? CountedFailure(TranscriptEvent e, IPassportFacts facts)
    {
        var data = e.Data;
        if (Text(data["agent"]) is not { } agent
            || Text(data["code"]) != PactCodes.AcknowledgmentTimeout
            || Text(data["stage"]) != FailureEvents.LifecycleStage
            || facts.FollowsAckTimeoutLapse(e))
            return null;
        var evidence = data["evidenceRefs"] is JsonArray refs ? refs.Select(Text).OfType<string>().ToList() : [];
        return new PassportEntry(agent, PassportCounts.OneFailure, new PassportFailure(PactCodes.AcknowledgmentTimeout, e.Time, e.Seq, evidence));
    }

    /// <summary>The signer of a decline, or for the daemon's decline under a mandate (§14), the agent that granted it.</summary>
    private static string? Decliner(TranscriptEvent e) =>
        e.Actor != TranscriptEvent.DaemonActor ? e.Actor : Text(e.Data["mandate"]?["grant"]?["signer"]);

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
