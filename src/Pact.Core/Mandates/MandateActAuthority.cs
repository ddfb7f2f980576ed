using System.Text.Json.Nodes;
using Pact.Core.Contracts;
using Pact.Core.Envelopes;
using Pact.Core.Events;
using Pact.Core.Terms;

namespace Pact.Core.Mandates;

/// <summary>
/// Whether the grant an act carries (§14) authorized it where it was recorded: the grant is a <c>mandate.grant</c>
/// signed by the agent the act answers for and hashes to the act's <c>mandateHash</c>, and its scope covers the act's
/// session (its stream) and, when the act is about a proposal, that proposal's compact id and counterparty. The
/// signature checks see a record or a counter alone, without its session; this is where <c>scope.sessions</c> is judged.
/// </summary>
internal static class MandateActAuthority
{
    /// <summary>Who the act answers for and about what: the mandate's agent, its counterparty and the compact id, each null when not known.</summary>
    public sealed record Subject(string? Agent, string? Counterparty, string? CompactId);

    /// <summary>The subject of an answer (a signature or a decline) to the proposal <paramref name="created"/>: its addressee, on its proposer's terms.</summary>
    public static Subject AnswerTo(TranscriptEvent created) => Read(created, answering: true);

    /// <summary>The subject of a counter the mandate made (<paramref name="created"/>, its own <c>proposal.created</c>): its proposer.</summary>
    public static Subject CounterBy(TranscriptEvent created) => Read(created, answering: false);

    /// <summary>
    /// The subject of an acknowledgment under a mandate (§14): the party the initiation is addressed to — a withdrawal's,
    /// the withdrawn proposal's addressee; a revocation's or marker's, the compact's other party than its initiator — with
    /// the initiator as counterparty. Unknown members stay null when the stream does not hold what names them.
    /// </summary>
    public static Subject Acknowledging(TranscriptEvent ack, IReadOnlyDictionary<string, TranscriptEvent> created,
        IReadOnlyDictionary<string, TranscriptEvent>? initiations)
    {
        ArgumentNullException.ThrowIfNull(ack);
        ArgumentNullException.ThrowIfNull(created);
        var data = ack.Data;
        if (Text(data, "proposalId") is { } proposalId)
            return created.TryGetValue(proposalId, out var withdrawn) ? AnswerTo(withdrawn) : new(null, null, null);
        var initiationId = Text(data, "revocationId") ?? Text(data, "markerId");
        if (initiationId is null || initiations is null || !initiations.TryGetValue(initiationId, out var initiation)) return new(null, null, null);
        var initiator = initiation.Actor;
        var compactId = Text(initiation.Data, "compactId");
        // The compact's parties, as any proposal of it recorded them.
        var parties = created.Values.Where(c => Text(c.Data, "compactId") == compactId)
            .Select(c => (c.Data["envelope"]?["payload"] as JsonObject ?? c.Data)["terms"]?["parties"] as JsonObject).OfType<JsonObject>().FirstOrDefault();
        var a = parties?["a"]?["agent"]?.GetValue<string>();
        var b = parties?["b"]?["agent"]?.GetValue<string>();
        var other = initiator == a ? b : initiator == b ? a : null;
        return new(other, other is null ? null : initiator, other is null ? null : compactId);
    }

    /// <summary>What is wrong with the act's authority, or null; <paramref name="daemonId"/>, when known, must be the grant's <c>aud</c>.</summary>
    public static string? Check(TranscriptEvent act, JsonObject mandate, Subject subject, string? daemonId = null)
    {
        var (grant, _) = Envelope.Parse(mandate["grant"]);
        if (grant is null || grant.Type != EnvelopeTypes.MandateGrant || !grant.VerifySignature())
            return $"The {act.Type}'s mandate carries no verifying mandate.grant envelope.";
        if (daemonId is not null && grant.Audience != daemonId)
            return $"The {act.Type}'s grant is addressed to {grant.Audience}, not to the daemon that recorded it ({daemonId}).";
        if (mandate["mandateHash"] is not JsonValue hash || hash.GetValue<string>() != MandateCrypto.MandateHash(grant.Payload))
            return $"The {act.Type}'s mandateHash is not the hash of the grant it carries.";
        if (subject.Agent is not null && grant.Signer != subject.Agent)
            return $"The {act.Type} answers for {subject.Agent}, but the mandate is {grant.Signer}'s.";
        var (scope, _) = MandateScope.Read(grant.Payload["scope"], "/scope");
        if (scope is null) return $"The {act.Type}'s mandate scope does not read.";
        var judged = scope with
        {
            Counterparties = subject.Counterparty is null ? null : scope.Counterparties,
            CompactIdPrefix = subject.CompactId is null ? null : scope.CompactIdPrefix,
        };
        return judged.Covers(act.Stream, subject.Counterparty ?? "", subject.CompactId ?? "")
            ? null
            : $"The mandate's scope does not cover this {act.Type}: its session {act.Stream}, compact or counterparty.";
    }

    private static Subject Read(TranscriptEvent created, bool answering)
    {
        var data = created.Data;
        var payload = data["envelope"]?["payload"] as JsonObject ?? data;
        if (payload["terms"]?["parties"] is not JsonObject parties
            || !Wire.TryParse<PartyRole>(payload["signature"]?["party"]?.GetValue<string>(), out var proposer))
            return new(null, null, null);
        var proposerAgent = parties[proposer.ToWire()]?["agent"]?.GetValue<string>();
        var otherAgent = parties[proposer.Other().ToWire()]?["agent"]?.GetValue<string>();
        var compactId = data["compactId"]?.GetValue<string>();
        return answering ? new(otherAgent, proposerAgent, compactId) : new(proposerAgent, otherAgent, compactId);
    }

    private static string? Text(JsonObject obj, string name) => obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
