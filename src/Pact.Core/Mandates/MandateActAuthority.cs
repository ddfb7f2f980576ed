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

    /// <summary>What is wrong with the act's authority, or null.</summary>
    public static string? Check(TranscriptEvent act, JsonObject mandate, Subject subject)
    {
        var (grant, _) = Envelope.Parse(mandate["grant"]);
        if (grant is null || grant.Type != EnvelopeTypes.MandateGrant || !grant.VerifySignature())
            return $"The {act.Type}'s mandate carries no verifying mandate.grant envelope.";
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
}
